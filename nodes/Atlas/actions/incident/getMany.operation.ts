import type { IDataObject, IExecuteFunctions, INodeProperties, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { INCIDENT_STATUS_OPTIONS, INCIDENT_TYPES, toOptions } from '../../events';
import {
	readDateInput,
	readIncidentPage,
	ListingPlanError,
	readListing,
	toAtlasLocalTime,
	toAtlasTime,
	type IncidentPage,
	type Listing,
} from '../../incidents';
import { atlasApiRequest, type AtlasRequestContext } from '../../transport';

export const DEFAULT_PAGE_SIZE = 100;

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

const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] } },
		description:
			'Whether to return only the key fields of each incident (ID, order, type, status, airline, PNR, departure, event and update times, result) instead of every field Atlas sends',
	},
	{
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
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_PAGE_SIZE,
				description:
					'Incidents per request. Larger pages mean fewer requests; with a limit below it, the limit is used.',
			},
		],
	},
];

export const description: INodeProperties[] = properties.map((property) => ({
	...property,
	displayOptions: {
		show: { ...property.displayOptions?.show, resource: ['incident'], operation: ['getMany'] },
	},
}));

/** A filter as the editor names it, for errors: "Departure From", not its internal name. */
function filterLabel(name: string): string {
	const filters = properties.find((property) => property.name === 'filters');
	const option = (filters?.options as INodeProperties[] | undefined)?.find((o) => o.name === name);
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

async function fetchIncidentPage(
	this: AtlasRequestContext,
	body: IDataObject,
	itemIndex: number | undefined,
	pageIndex: number,
	pageSize: number,
): Promise<IncidentPage> {
	const envelope = await atlasApiRequest.call(
		this,
		'event/getPageList',
		{ ...body, pageIndex, pageSize },
		{ itemIndex },
	);
	const reading = readIncidentPage(envelope);
	if (reading.ok) return reading.page;
	throw new NodeApiError(this.getNode(), envelope as JsonObject, {
		itemIndex,
		message: `Atlas returned an unexpected incident list page ${pageIndex}: ${reading.problem}`,
		description:
			'The response had status 0 but not the documented fields, so no incidents were output.',
	});
}

/** The fields Simplify keeps: what a person acts on. */
export const SIMPLIFIED_FIELDS = [
	'eventId',
	'orderNo',
	'eventType',
	'eventStatus',
	'airline',
	'pnr',
	'depTime',
	'eventTime',
	'updateTime',
	'confirmedResult',
] as const;

export const simplifyIncident = (incident: IDataObject): IDataObject =>
	Object.fromEntries(
		SIMPLIFIED_FIELDS.filter((field) => field in incident).map((field) => [field, incident[field]]),
	);

/**
 * The incidents matching `body`, every page, one listing per event type (Atlas filters on a single
 * type per request), read one after the other; cut at `limit`. An implausible plan is an error.
 */
export async function listIncidents(
	this: AtlasRequestContext,
	body: IDataObject,
	eventTypes: string[],
	options: { pageSize: number; limit?: number; itemIndex?: number },
): Promise<{ records: IDataObject[]; drift: string[] }> {
	const { pageSize, limit, itemIndex } = options;
	const records: IDataObject[] = [];
	const drift: string[] = [];
	for (const eventType of eventTypes.length > 0 ? eventTypes : [undefined]) {
		const remaining = limit === undefined ? undefined : limit - records.length;
		if (remaining !== undefined && remaining <= 0) break;
		const query = eventType === undefined ? body : { ...body, eventType };
		const listing: Listing = await readListing(
			async (pageIndex, size) =>
				await fetchIncidentPage.call(this, query, itemIndex, pageIndex, size),
			{ pageSize, limit: remaining },
		).catch((error: unknown) => {
			if (!(error instanceof ListingPlanError)) throw error;
			throw new NodeApiError(this.getNode(), {} as JsonObject, {
				itemIndex,
				message: error.message,
				description:
					'No incidents were output. Narrow the filters (for example Updated Since or Statuses), set a limit, or check the base URL of the Atlas API credential if these numbers cannot be right.',
			});
		});
		records.push(...listing.records);
		drift.push(...listing.drift);
	}
	return { records, drift };
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const simplify =
		this.getNode().typeVersion >= 1.1 &&
		(this.getNodeParameter('simplify', itemIndex, true) as boolean);
	const returnAll = this.getNodeParameter('returnAll', itemIndex) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex) as number);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const pageSize = Math.max(1, Math.floor(Number(options.pageSize ?? DEFAULT_PAGE_SIZE)));
	const { body, eventTypes } = buildIncidentQuery.call(this, filters, itemIndex);

	const { records, drift } = await listIncidents.call(this, body, eventTypes, {
		pageSize,
		limit,
		itemIndex,
	});
	if (drift.length > 0) {
		this.addExecutionHints({
			message: `The incident list changed while it was read (${drift.join('; ')}). Each incident is output at most once; run again to pick up incidents that moved between pages.`,
			type: 'warning',
			location: 'outputPane',
		});
	}
	return simplify ? records.map(simplifyIncident) : records;
}
