import { DateTime } from 'luxon';
import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { listIncidents, simplifyIncident } from './actions/incident/getMany.operation';
import { INCIDENT_STATUS_OPTIONS, INCIDENT_TYPES, toOptions } from './events';
import { comparePoll, type EmitMode, listSince, readMemory } from './incidentPolling';
import { toAtlasTime } from './incidents';
import { isAtlasRateLimit } from './transport';

/** Static-data key of what the trigger remembers between polls. */
export const POLL_MEMORY_KEY = 'atlasIncidentPolls';
/** Incidents the editor's test fetch returns. */
export const TEST_FETCH_COUNT = 5;
const PAGE_SIZE = 100;

interface PollSettings {
	eventTypes: string[];
	statuses: number[];
	emit: EmitMode;
	simplify: boolean;
}

function readSettings(context: IPollFunctions): PollSettings {
	const statuses = (context.getNodeParameter('statuses', []) as unknown[]).map(Number);
	return {
		eventTypes: (context.getNodeParameter('eventTypes', []) as string[]).filter(Boolean),
		statuses: statuses.filter((status) => status === 0 || status === 1),
		emit: context.getNodeParameter('emit', 'newAndChanged') as EmitMode,
		simplify: context.getNodeParameter('simplify', true) as boolean,
	};
}

export class AtlasIncidentTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Atlas Incident Trigger',
		name: 'atlasIncidentTrigger',
		icon: { light: 'file:atlas.svg', dark: 'file:atlas.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["emit"] === "new" ? "New incidents" : "New and changed incidents"}}',
		description:
			'Starts the workflow when Atlas lists a new or changed incident (schedule changes, unaccounted cancellations), checking at the times you set',
		defaults: { name: 'Atlas Incident Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'atlasApi', required: true }],
		properties: [
			{
				displayName:
					'Checks Atlas for new and changed incidents at each poll time. It needs no public URL, at the cost of minutes of delay; for ticketing and other events as they happen, use the Atlas Trigger.',
				name: 'pollNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Event Types',
				name: 'eventTypes',
				type: 'multiOptions',
				options: toOptions(INCIDENT_TYPES),
				default: [],
				description: 'Incident types to watch; none selected watches every type',
			},
			{
				displayName: 'Statuses',
				name: 'statuses',
				type: 'multiOptions',
				options: INCIDENT_STATUS_OPTIONS,
				default: [],
				description: 'Incident statuses to watch; none selected watches both',
			},
			{
				displayName: 'Emit',
				name: 'emit',
				type: 'options',
				options: [
					{
						name: 'New and Changed Incidents',
						value: 'newAndChanged',
						description: 'Also when an incident is confirmed, or its result or remark is set',
					},
					{ name: 'New Incidents Only', value: 'new' },
				],
				default: 'newAndChanged',
			},
			{
				displayName: 'Simplify',
				name: 'simplify',
				type: 'boolean',
				default: true,
				description:
					'Whether to return only the key fields of each incident instead of every field Atlas sends',
			},
		],
	};

	/**
	 * Lists the incidents updated since the last successful poll (minus an overlap) and emits
	 * those not seen before, or seen in another state. A poll that fails emits nothing and keeps
	 * its memory, so the next one reads the same span again.
	 */
	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const settings = readSettings(this);
		const query: IDataObject = settings.statuses.length ? { eventStatus: settings.statuses } : {};
		const shape = (incident: IDataObject) =>
			settings.simplify ? simplifyIncident(incident) : incident;

		// The editor's "Fetch Test Event": the latest few, remembering nothing.
		if (this.getMode() === 'manual') {
			const { records } = await listIncidents.call(this, query, settings.eventTypes, {
				pageSize: TEST_FETCH_COUNT,
				limit: TEST_FETCH_COUNT,
			});
			return records.length ? [this.helpers.returnJsonArray(records.map(shape))] : null;
		}

		const staticData = this.getWorkflowStaticData('node');
		const memory = readMemory(staticData[POLL_MEMORY_KEY]);
		const polledAt = Date.now();
		const since = DateTime.fromMillis(listSince(memory, polledAt));
		const records = await listIncidents
			.call(this, { ...query, updateTimeStart: toAtlasTime(since) }, settings.eventTypes, {
				pageSize: PAGE_SIZE,
			})
			.then(
				(listing) => listing.records,
				(error: unknown) => {
					// Rate-limited beyond the retries: skip this poll; the next reads the same span.
					if (!isAtlasRateLimit(error)) throw error;
					this.logger.warn(
						'Atlas Incident Trigger: Atlas rate-limited this poll; the next poll catches up',
					);
					return null;
				},
			);
		if (records === null) return null;

		const { changes, memory: next } = comparePoll(records, memory, settings.emit, polledAt);
		staticData[POLL_MEMORY_KEY] = next as unknown as IDataObject;
		if (changes.length === 0) return null;
		return [
			this.helpers.returnJsonArray(
				changes.map(({ incident, change }) => ({ ...shape(incident), change })),
			),
		];
	}
}
