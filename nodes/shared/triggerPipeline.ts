/**
 * The one path a webhook call takes through either trigger:
 *
 *   read settings → authenticate → parse → check the event → filter → dedupe → one item
 *
 * Each trigger reads its node parameters (and credential, when a check needs it) once per call
 * into a plain settings object, and supplies its own steps as pure functions of (settings,
 * request). `decideEvent` runs them in order and says what happens; `runTrigger` turns that into
 * n8n's webhook response. Nothing here reads a node parameter.
 */
import type {
	IDataObject,
	IHookFunctions,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { type DuplicateWindowSettings, isDuplicateAndRecord, processKeyOf } from './dedupe';
import { ALL_EVENTS, type EventFilter, isEventWanted } from './eventFilter';
import { markEventOrder, NOT_COMPARED, type OrderFacts } from './eventOrder';
import { withRefusalReport, type Refusal, type RefusalCode } from './refusalReport';
import {
	accepted,
	ignored,
	readJsonBody,
	readUnreadBody,
	rejectRequest,
	type RawRequest,
} from './webhook';

/** What the steps see of the HTTP request: n8n's request object, read once. */
export interface TriggerRequest extends RawRequest {
	/** Header names in lower case, as Node.js delivers them. */
	headers: Record<string, unknown>;
	query: Record<string, unknown>;
	ip?: string;
}

/**
 * A request turned away before the workflow: answered with `status` and `reason`, and counted
 * under `code` for the refusal report (nodes/shared/refusalReport.ts).
 */
export interface Denial {
	status: number;
	reason: string;
	code: RefusalCode;
}

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

/** The event filter and duplicate window from the node's parameters, for `readSettings`. */
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

export interface TriggerSteps<S extends TriggerSettings, E extends { eventType: string | null }> {
	/** Reads and checks the node's settings once for this call; throws on an invalid one. */
	readSettings: (context: IWebhookFunctions) => Promise<S>;
	/** Who may call, decided before the body is read. */
	authenticate: (settings: S, request: TriggerRequest) => Denial | undefined;
	/** The fields the steps need (the event type among them), read leniently from any JSON value. */
	summarise: (body: unknown) => E;
	/** The id a provider's retry repeats; null: never treated as a duplicate. */
	eventId: (event: E) => string | null;
	/** Checks on the payload itself (Atlas: the client ID). */
	checkEvent?: (settings: S, event: E) => Denial | undefined;
	/** The types the node knows, for "Include Unknown Event Types". */
	knownTypes: readonly string[];
	/** Static-data key of the duplicate window, and the id's name in the answer. */
	seenKey: string;
	idName: string;
	toItem: (body: unknown, event: E, receivedAt: Date) => IDataObject;
	/** Out-of-order marks (eventOrder.ts): the memory's static-data key and each event's facts. */
	eventOrder?: { key: string; factsOf: (body: unknown, event: E) => OrderFacts };
}

export type TriggerOutcome =
	| { kind: 'accepted'; item: IDataObject }
	| { kind: 'ignored'; reason: string }
	| ({ kind: 'rejected' } & Denial);

/** Where this call's duplicate window lives: asked for only when an id is checked. */
export interface WindowHandle {
	staticData: IDataObject;
	processKey: string;
}

/** Runs the steps over one request; the only side effect is recording a new id in the window. */
export function decideEvent<S extends TriggerSettings, E extends { eventType: string | null }>(
	steps: TriggerSteps<S, E>,
	settings: S,
	request: TriggerRequest,
	receivedAt: Date,
	openWindow: () => WindowHandle,
): TriggerOutcome {
	const denied = steps.authenticate(settings, request);
	if (denied) return { kind: 'rejected', ...denied };

	const body = readJsonBody(request);
	if (!body.ok)
		return { kind: 'rejected', status: 400, reason: body.reason, code: 'unreadableBody' };
	const event = steps.summarise(body.value);

	const eventDenied = steps.checkEvent?.(settings, event);
	if (eventDenied) return { kind: 'rejected', ...eventDenied };

	if (!isEventWanted(event.eventType ?? undefined, settings.filter, steps.knownTypes)) {
		return { kind: 'ignored', reason: 'event type not selected' };
	}

	const id = steps.eventId(event);
	const { duplicates } = settings;
	let mark = NOT_COMPARED;
	if (id !== null && duplicates) {
		const { staticData, processKey } = openWindow();
		if (isDuplicateAndRecord(staticData, steps.seenKey, id, { ...duplicates, processKey })) {
			return { kind: 'ignored', reason: `duplicate ${steps.idName}` };
		}
		// Only now: the window's new id makes n8n save this memory too (eventOrder.ts).
		const order = steps.eventOrder;
		if (order) {
			const facts = order.factsOf(body.value, event);
			mark = markEventOrder(staticData, order.key, facts, { ...duplicates, processKey });
		}
	}
	const item = steps.toItem(body.value, event, receivedAt);
	return { kind: 'accepted', item: steps.eventOrder ? { ...item, ...mark } : item };
}

/** What the caller of a call refused for invalid settings is told (the details go to the report). */
export const INVALID_SETTINGS_ANSWER = 'The trigger is not set up correctly: try again later';

/**
 * A trigger's whole `webhook()`: settings once, the steps, then n8n's response, with the refusal
 * report when one is due.
 */
export async function runTrigger<S extends TriggerSettings, E extends { eventType: string | null }>(
	context: IWebhookFunctions,
	steps: TriggerSteps<S, E>,
): Promise<IWebhookResponseData> {
	const receivedAt = new Date();
	const request = context.getRequestObject() as unknown as TriggerRequest;
	const outcome = await outcomeOf(context, steps, request, receivedAt);
	const refusal: Refusal | undefined =
		outcome.kind === 'rejected'
			? { code: outcome.code, status: outcome.status, address: request.ip, detail: outcome.detail }
			: undefined;
	return withRefusalReport(context, respond(context, outcome), refusal, receivedAt);
}

async function outcomeOf<S extends TriggerSettings, E extends { eventType: string | null }>(
	context: IWebhookFunctions,
	steps: TriggerSteps<S, E>,
	request: TriggerRequest,
	receivedAt: Date,
): Promise<TriggerOutcome & { detail?: string }> {
	// In the editor a settings error shows where the user is looking. In production, throwing would
	// make n8n record a failed execution per call, however many calls come: it is counted instead.
	const manual = context.getMode() === 'manual';
	let read: S;
	try {
		read = await steps.readSettings(context);
	} catch (error) {
		if (manual) throw new NodeOperationError(context.getNode(), error as Error);
		const detail = error instanceof Error ? error.message : String(error);
		return {
			kind: 'rejected',
			status: 500,
			reason: INVALID_SETTINGS_ANSWER,
			code: 'invalidSettings',
			detail,
		};
	}
	// A test-URL call neither consults nor records the production window: it always runs.
	const settings = manual ? { ...read, duplicates: undefined } : read;
	await readUnreadBody(request);
	return decideEvent(steps, settings, request, receivedAt, () => ({
		staticData: context.getWorkflowStaticData('node'),
		processKey: processKeyOf(context.getWorkflow().id, context.getNode().id, steps.seenKey),
	}));
}

function respond(context: IWebhookFunctions, outcome: TriggerOutcome): IWebhookResponseData {
	switch (outcome.kind) {
		case 'accepted':
			return accepted(outcome.item);
		case 'ignored':
			return ignored(outcome.reason);
		case 'rejected':
			return rejectRequest(context, outcome.status, outcome.reason);
	}
}
