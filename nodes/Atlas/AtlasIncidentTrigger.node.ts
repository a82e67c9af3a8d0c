import { DateTime } from 'luxon';
import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { INCIDENT_STATUS_OPTIONS, INCIDENT_TYPES, toOptions } from './events';
import {
	DEFAULT_LOOK_BACK_DAYS,
	type EmitMode,
	beginPoll,
	listingWindow,
	longestPollGap,
	mergePoll,
	readMemory,
	writeMemory,
	type Change,
} from './incidentPolling';
import { simplifyIncident, toAtlasTime } from './incidents';
import { type AtlasEndpoint, atlasApiRequestAllItems, isAtlasRateLimit } from './transport';

/** Activations n8n runs without a user present: at its start, or on a new leader. */
const STARTUP_ACTIVATIONS: string[] = ['init', 'leadershipChange'];
/** The poll contexts (one per activation, kept across its polls) that have polled already. */
const polledSinceActivation = new WeakSet<object>();

/** Static-data key of what the trigger remembers between polls. */
export const POLL_MEMORY_KEY = 'atlasIncidentPolls';
/** Incidents the editor's test fetch returns. */
export const TEST_FETCH_COUNT = 5;
const PAGE_SIZE = 100;
const TASK = 'Listing incidents';
const ENDPOINT: AtlasEndpoint = 'event/getPageList';

interface PollSettings {
	eventTypes: string[];
	statuses: number[];
	emit: EmitMode;
	simplify: boolean;
	lookBackDays: number;
}

function readSettings(context: IPollFunctions): PollSettings {
	const statuses = (context.getNodeParameter('statuses', []) as unknown[]).map(Number);
	const lookBack = context.getNodeParameter('options.lookBackDays', DEFAULT_LOOK_BACK_DAYS);
	const lookBackDays = Number(lookBack ?? DEFAULT_LOOK_BACK_DAYS);
	// A wrong value would move the window, and the memory with it: refuse it instead.
	if (!Number.isFinite(lookBackDays) || lookBackDays <= 0) {
		throw new NodeOperationError(
			context.getNode(),
			`Look Back (Days) must be a number of days above 0, not "${String(lookBack)}"`,
			{ description: 'Set Options → Look Back (Days) to a number such as 3.' },
		);
	}
	return {
		eventTypes: (context.getNodeParameter('eventTypes', []) as string[]).filter(Boolean),
		statuses: statuses.filter((status) => status === 0 || status === 1),
		emit: context.getNodeParameter('emit', 'newAndChanged') as EmitMode,
		simplify: context.getNodeParameter('simplify', true) as boolean,
		lookBackDays,
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
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Look Back (Days)',
						name: 'lookBackDays',
						type: 'number',
						typeOptions: { minValue: 1, numberPrecision: 1 },
						default: DEFAULT_LOOK_BACK_DAYS,
						description:
							'How many days back each check lists incidents. Changes to incidents received earlier are not noticed; a longer span means more requests per check.',
					},
				],
			},
		],
	};

	/**
	 * Lists the incidents Atlas received within the look-back window and emits those not seen
	 * before, or seen in another state. Everything after the listing runs without awaiting, so a
	 * poll that overlapped this one cannot interleave with the merge.
	 */
	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const settings = readSettings(this);
		const query: IDataObject = settings.statuses.length ? { eventStatus: settings.statuses } : {};

		// The editor's "Fetch Test Event": the latest few, remembering nothing.
		if (this.getMode() === 'manual') {
			const { records } = await atlasApiRequestAllItems.call(this, TASK, ENDPOINT, query, {
				eventTypes: settings.eventTypes,
				pageSize: TEST_FETCH_COUNT,
				limit: TEST_FETCH_COUNT,
			});
			const shape = settings.simplify ? simplifyIncident : (incident: IDataObject) => incident;
			return records.length ? [this.helpers.returnJsonArray(records.map(shape))] : null;
		}

		const staticData = this.getWorkflowStaticData('node');
		const polledAt = Date.now();
		const stored = readMemory(staticData[POLL_MEMORY_KEY]);
		const atStartup = STARTUP_ACTIVATIONS.includes(this.getActivationMode());
		const activationPoll = !polledSinceActivation.has(this);
		polledSinceActivation.add(this);
		// The watch starts at the first attempt, not the first success. n8n stores a poll's memory
		// only when it emits: none at n8n's start means nothing was emitted yet, so what Atlas
		// received since the last poll before the restart (one poll interval and the overlap
		// earlier) cannot have been, and is watched.
		const watchBack = atStartup ? longestPollGap(this.getNodeParameter('pollTimes', {})) : 0;
		const filter = JSON.stringify([[...settings.eventTypes].sort(), [...settings.statuses].sort()]);
		const memory = beginPoll(stored, polledAt, filter, watchBack);
		staticData[POLL_MEMORY_KEY] = writeMemory(memory);
		const window = listingWindow(memory, polledAt, settings.lookBackDays);
		const listing = await atlasApiRequestAllItems
			.call(
				this,
				TASK,
				ENDPOINT,
				{
					...query,
					eventTimeStart: toAtlasTime(DateTime.fromMillis(window.start)),
					eventTimeEnd: toAtlasTime(DateTime.fromMillis(window.end)),
				},
				{ eventTypes: settings.eventTypes, pageSize: PAGE_SIZE },
			)
			.catch((error: unknown) => {
				// Rate-limited beyond the retries: skip this poll; the next reads the same span.
				if (isAtlasRateLimit(error)) {
					this.logger.warn(
						'Atlas Incident Trigger: Atlas rate-limited this poll; the next poll catches up',
					);
					return null;
				}
				// Failing the poll n8n runs at its start fails the activation; n8n then retries that
				// with growing pauses (hours, in the end) and the memory n8n last saved, which may not
				// hold where the watch started. Staying active, the next poll time retries instead.
				if (activationPoll && atStartup) {
					this.logger.warn(
						`Atlas Incident Trigger: the first check after n8n started failed; the next check retries (${(error as Error).message})`,
					);
					return null;
				}
				throw error;
			});
		if (listing === null) return null;

		const complete = listing.drift.length === 0;
		if (!complete) {
			this.logger.warn(
				`Atlas Incident Trigger: the incident list changed while it was read (${listing.drift.join('; ')}); the next poll reads the same span again`,
			);
		}
		const result = mergePoll(
			readMemory(staticData[POLL_MEMORY_KEY]),
			{ incidents: listing.records, complete, polledAt, window },
			settings.emit,
		);
		if (result.stale) return null;
		staticData[POLL_MEMORY_KEY] = writeMemory(result.memory);
		if (result.changes.length === 0) return null;
		return [this.helpers.returnJsonArray(result.changes.map((c) => toItem(c, settings.simplify)))];
	}
}

/** An emitted item: the incident, what happened to it and, for a change, what changed. */
function toItem({ incident, change, changedFields, previous }: Change, simplify: boolean) {
	if (change === 'new') return { ...(simplify ? simplifyIncident(incident) : incident), change };
	const item: IDataObject = simplify ? simplifyIncident(incident) : { ...incident };
	// Simplify must not hide the new value of what changed.
	for (const field of changedFields ?? []) item[field] = incident[field] ?? null;
	return { ...item, change, changedFields, ...(previous ? { previous } : {}) };
}
