/**
 * Get Many's filters and how they become Atlas' request: texts trimmed, statuses as numbers, dates
 * in Atlas' formats, event types listed one by one.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { INCIDENT_STATUS_OPTIONS, INCIDENT_TYPES, toOptions } from '../../events';
import { readDateInput, toAtlasLocalTime, toAtlasTime } from '../../incidents';

const dateFilter = (displayName: string, name: string, description: string): INodeProperties => ({
	displayName,
	name,
	type: 'dateTime',
	default: '',
	description,
});

const EVENT_TIME_NOTE = 'Sent to Atlas converted to UTC+08:00.';
const DEP_TIME_NOTE =
	'Departure-local time: the wall clock you enter is sent as is, without time zone conversion.';

export const incidentFilters: INodeProperties = {
	displayName: 'Filters',
	name: 'filters',
	type: 'collection',
	placeholder: 'Add Filter',
	default: {},
	options: [
		{
			displayName: 'Airline',
			name: 'airline',
			type: 'string',
			default: '',
			placeholder: 'CA',
			description: 'IATA code of the airline',
		},
		dateFilter(
			'Departure Time From',
			'depTimeStart',
			`Earliest flight departure. ${DEP_TIME_NOTE}`,
		),
		dateFilter('Departure Time To', 'depTimeEnd', `Latest flight departure. ${DEP_TIME_NOTE}`),
		dateFilter(
			'Event Time From',
			'eventTimeStart',
			`Earliest time Atlas received the incident. ${EVENT_TIME_NOTE}`,
		),
		dateFilter(
			'Event Time To',
			'eventTimeEnd',
			`Latest time Atlas received the incident. ${EVENT_TIME_NOTE}`,
		),
		{
			displayName: 'Event Types',
			name: 'eventTypes',
			type: 'multiOptions',
			options: toOptions(INCIDENT_TYPES),
			default: [],
			description:
				'Incident types to list. Atlas filters on one type per request, so each selected type is listed separately (one after the other); none selected lists every type.',
		},
		{
			displayName: 'Incident ID',
			name: 'eventId',
			type: 'string',
			default: '',
		},
		{
			displayName: 'Order Number',
			name: 'orderNo',
			type: 'string',
			default: '',
		},
		{
			displayName: 'Passenger Email',
			name: 'paxEmail',
			type: 'string',
			default: '',
			placeholder: 'name@email.com',
			description: 'Email address passed to the airline',
		},
		{
			displayName: 'Passenger Name',
			name: 'paxName',
			type: 'string',
			default: '',
		},
		{
			displayName: 'PNR',
			name: 'pnr',
			type: 'string',
			default: '',
			description: 'Booking reference of the order',
		},
		{
			displayName: 'Statuses',
			name: 'eventStatus',
			type: 'multiOptions',
			options: INCIDENT_STATUS_OPTIONS,
			default: [],
			description: 'Incident statuses to list; none selected lists both',
		},
		dateFilter(
			'Updated Since',
			'updateTimeStart',
			`Only incidents updated at or after this time. ${EVENT_TIME_NOTE}`,
		),
	],
};

/** A filter as the editor names it, for errors: "Departure From", not its internal name. */
function filterLabel(name: string): string {
	const option = (incidentFilters.options as INodeProperties[]).find((o) => o.name === name);
	return option?.displayName ?? name;
}

const TEXT_FILTERS = ['eventId', 'orderNo', 'pnr', 'paxName', 'paxEmail', 'airline'] as const;
const INSTANT_FILTERS = ['eventTimeStart', 'eventTimeEnd', 'updateTimeStart'] as const;
const LOCAL_FILTERS = ['depTimeStart', 'depTimeEnd'] as const;

/**
 * The request body shared by every page (without pageIndex/pageSize or eventType), and the event
 * types to list one by one. Throws on a date it cannot read rather than dropping the filter.
 */
export function buildIncidentQuery(
	this: IExecuteFunctions,
	filters: IDataObject,
	itemIndex: number,
): { body: IDataObject; eventTypes: string[] } {
	const body: IDataObject = {};
	for (const name of TEXT_FILTERS) {
		const value = String(filters[name] ?? '').trim();
		if (value !== '') body[name] = value;
	}
	const statuses = (filters.eventStatus as unknown[] | undefined) ?? [];
	if (statuses.length > 0) body.eventStatus = statuses.map(Number);

	const zone = this.getTimezone();
	const convert = (name: string, format: typeof toAtlasTime) => {
		const raw = filters[name];
		if (raw === undefined || raw === null || raw === '') return;
		const date = readDateInput(raw, zone);
		if (!date) {
			throw new NodeOperationError(
				this.getNode(),
				`Cannot read the date in "${filterLabel(name)}": ${String(raw)}`,
				{
					itemIndex,
					description: 'Use the date picker, an ISO 8601 date-time, or yyyy-MM-dd HH:mm:ss.',
				},
			);
		}
		body[name] = format(date);
	};
	INSTANT_FILTERS.forEach((name) => convert(name, toAtlasTime));
	LOCAL_FILTERS.forEach((name) => convert(name, toAtlasLocalTime));

	const eventTypes = ((filters.eventTypes as string[] | undefined) ?? []).filter(
		(type) => String(type).trim() !== '',
	);
	return { body, eventTypes: [...new Set(eventTypes)] };
}
