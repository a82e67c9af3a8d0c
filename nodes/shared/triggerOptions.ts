/**
 * What both webhook trigger nodes declare (their webhook, outputs and shared parameters) and the
 * settings they read from those parameters: which event types a trigger emits (a chosen list, or
 * everything, unknown types included) and its duplicate window.
 */
import type {
	IHookFunctions,
	INodeProperties,
	INodePropertyOptions,
	IWebhookDescription,
	IWebhookFunctions,
} from 'n8n-workflow';

import type { DuplicateWindowSettings } from './dedupe';
import { ALL_EVENTS, type EventFilter } from './webhook';
import { REPORT_INTERVAL_MINUTES } from './refusalReport';

/**
 * The webhook both triggers declare: POST, answered by n8n once it has recorded the execution.
 * An empty `responseData` makes n8n answer with the `webhookResponse` the trigger returns (its
 * default would send the literal text "firstEntryJson").
 */
export const TRIGGER_WEBHOOK: IWebhookDescription = {
	name: 'default',
	httpMethod: 'POST',
	responseMode: 'onReceived',
	responseData: '',
	path: 'webhook',
};

/** What every trigger's settings hold besides its own checks. */
export interface TriggerSettings {
	filter: EventFilter;
	/** Absent when Drop Duplicates is off. */
	duplicates?: DuplicateWindowSettings;
}

/** The options both triggers share under Options. */
export interface CommonTriggerOptions {
	includeUnknown?: boolean;
	dropDuplicates?: boolean;
	keepAcrossRestarts?: boolean;
}

/** The event filter and duplicate window from the node's parameters. */
export function readCommonSettings(
	context: IWebhookFunctions | IHookFunctions,
	options: CommonTriggerOptions,
	window: { maxEntries: number; maxAgeSeconds: number },
): TriggerSettings {
	return {
		filter: {
			types: context.getNodeParameter('events', [ALL_EVENTS]) as string[],
			includeUnknown: options.includeUnknown ?? true,
		},
		duplicates:
			options.dropDuplicates === false
				? undefined
				: { ...window, keepAcrossRestarts: options.keepAcrossRestarts ?? true },
	};
}

/** The subtitle both triggers show: "All events" or the chosen types. */
export const EVENTS_SUBTITLE =
	'={{($parameter["events"] || []).includes("*") ? "All events" : ($parameter["events"] || []).join(", ")}}';

/** The "Events" parameter: All Events (default) or a choice from the node's catalogue. */
export function eventsProperty(
	catalogue: INodePropertyOptions[],
	noun: 'event' | 'notification',
): INodeProperties {
	return {
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		required: true,
		default: [ALL_EVENTS],
		options: [
			{
				name: 'All Events',
				value: ALL_EVENTS,
				description: `Every ${noun}, unknown types included`,
			},
			...catalogue,
		],
		description: `Which ${noun} types start the workflow; others are acknowledged (HTTP 200) and dropped`,
	};
}

/** The option that trades the duplicate window's durability for throughput. */
export const keepAcrossRestartsOption: INodeProperties = {
	displayName: 'Remember Duplicates Across Restarts',
	name: 'keepAcrossRestarts',
	type: 'boolean',
	default: true,
	description:
		'Whether n8n saves the list of events already seen after every event, so a provider retry is recognised after an n8n restart or on another webhook process. Costs one database write per event: turn off only for very high volumes.',
};

/** The option that lets types the node does not know yet through a chosen list. */
export const includeUnknownOption: INodeProperties = {
	displayName: 'Include Unknown Event Types',
	name: 'includeUnknown',
	type: 'boolean',
	default: true,
	description:
		'Whether event types this node does not know yet start the workflow when specific events are selected',
};

/** The option both webhook triggers offer. */
export const reportRefusalsOption: INodeProperties = {
	displayName: 'Report Refused Deliveries',
	name: 'reportRefusals',
	type: 'boolean',
	default: true,
	description: `Whether refused calls (wrong signature, token, client ID or address, unreadable body, invalid settings) start one execution on the Refused output with a summary per reason: at most one every ${REPORT_INTERVAL_MINUTES} minutes per trigger. Each refused call is still answered with its error.`,
};

/** Names of the trigger's outputs: events, then reports (refusalReport.ts). */
export const TRIGGER_OUTPUT_NAMES = ['Event', 'Refused'];
