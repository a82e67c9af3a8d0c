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

import { sleep } from 'n8n-workflow';

import {
	type Claim,
	claimId,
	type DuplicateWindowSettings,
	processKeyOf,
	settleClaim,
} from './dedupe';
import { ALL_EVENTS, type EventFilter, isEventWanted } from './eventFilter';
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

/** A request turned away before the workflow: answered with `status` and `reason`. */
export interface Denial {
	status: number;
	reason: string;
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
}

export type TriggerOutcome =
	/** `claim`: the id, counted as seen once n8n has recorded the execution. */
	| { kind: 'accepted'; item: IDataObject; claim?: Claim }
	| { kind: 'ignored'; reason: string }
	| ({ kind: 'rejected' } & Denial);

/** Where this call's duplicate window lives: asked for only when an id is checked. */
export interface WindowHandle {
	staticData: IDataObject;
	processKey: string;
}

/** Runs the steps over one request; the only side effect is claiming a new id in the window. */
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
	if (!body.ok) return { kind: 'rejected', status: 400, reason: body.reason };
	const event = steps.summarise(body.value);

	const eventDenied = steps.checkEvent?.(settings, event);
	if (eventDenied) return { kind: 'rejected', ...eventDenied };

	if (!isEventWanted(event.eventType ?? undefined, settings.filter, steps.knownTypes)) {
		return { kind: 'ignored', reason: 'event type not selected' };
	}

	const id = steps.eventId(event);
	const { duplicates } = settings;
	let claim: Claim | undefined;
	if (id !== null && duplicates) {
		const { staticData, processKey } = openWindow();
		const checked = claimId(staticData, steps.seenKey, id, { ...duplicates, processKey });
		if (checked === 'duplicate') return { kind: 'ignored', reason: `duplicate ${steps.idName}` };
		// Answered 200, the copy would be lost if the first one's execution is not recorded.
		if (checked === 'inFlight') {
			const reason = `the same ${steps.idName} is being received right now: send it again later`;
			return { kind: 'rejected', status: 503, reason };
		}
		claim = checked;
	}
	return { kind: 'accepted', item: steps.toItem(body.value, event, receivedAt), claim };
}

/** What the trigger watches of n8n's response to the call. */
interface Answer {
	statusCode: number;
	writableEnded: boolean;
	once?: (event: 'finish' | 'close', listener: () => void) => unknown;
}

/** How long to wait for n8n's answer after the caller hung up; then the id counts as seen. */
const MAX_ANSWER_WAIT_MS = 10 * 60_000;

/**
 * n8n answers an accepted call once it has recorded the execution (2xx, after saving static
 * data), or with an error when it could not (database locked, shutting down; nothing saved).
 * A caller that hung up first does not stop n8n: its answer is still awaited.
 */
function settleWhenAnswered(response: Answer, claim: Claim): void {
	// Not a stream (not n8n's response): nothing to wait for.
	if (typeof response.once !== 'function') return settleClaim(claim, true);
	const settle = () => settleClaim(claim, response.statusCode < 300);
	response.once('finish', settle);
	response.once('close', () => {
		if (!response.writableEnded) void untilEnded(response).then(settle);
	});
}

async function untilEnded(response: Answer): Promise<void> {
	for (let waited = 0, ms = 100; !response.writableEnded && waited < MAX_ANSWER_WAIT_MS; ) {
		await sleep(ms);
		waited += ms;
		ms = Math.min(ms * 2, 30_000);
	}
}

/** A trigger's whole `webhook()`: settings once, the steps, then n8n's response. */
export async function runTrigger<S extends TriggerSettings, E extends { eventType: string | null }>(
	context: IWebhookFunctions,
	steps: TriggerSteps<S, E>,
): Promise<IWebhookResponseData> {
	const receivedAt = new Date();
	const read = await steps.readSettings(context);
	// A test-URL call neither consults nor records the production window: it always runs.
	const settings = context.getMode() === 'manual' ? { ...read, duplicates: undefined } : read;
	const request = context.getRequestObject() as unknown as TriggerRequest;
	await readUnreadBody(request);
	const outcome = decideEvent(steps, settings, request, receivedAt, () => ({
		staticData: context.getWorkflowStaticData('node'),
		processKey: processKeyOf(context.getWorkflow().id, context.getNode().id, steps.seenKey),
	}));
	switch (outcome.kind) {
		case 'accepted':
			if (outcome.claim) {
				settleWhenAnswered(context.getResponseObject() as unknown as Answer, outcome.claim);
			}
			return accepted(outcome.item);
		case 'ignored':
			return ignored(outcome.reason);
		case 'rejected':
			return rejectRequest(context, outcome.status, outcome.reason);
	}
}
