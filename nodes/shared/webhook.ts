/**
 * What both webhook triggers share around their own checks: reading the settings and the body, the
 * event filter, the duplicate window, and the answer to the caller (with the refusal report when
 * one is due).
 * A trigger's `webhook()` calls these in order:
 *
 *   read settings → verify (401/403) → parse (400) → filter → dedupe → emit
 *
 * All module-level state of the triggers, each kept for a guarantee (none holds credentials):
 * - dedupe.ts: `processWindows`, `processEntries` (the process duplicate window, bounded by
 *   MAX_PROCESS_ENTRIES); `writtenBy` (its recent writes, so our own older states are not merged
 *   again); `pendingMarks`, `nextToMark`, `sleepersWakeAt` (calls whose static data is marked
 *   again for n8n's save, up to 1.5 s).
 * - eventOrder.ts: `memories`, `processEntries` (the order memory, bounded); `PROCESS_TAG` (tells
 *   this process's writes from another's).
 * - refusalReport.ts: `nodeTallies` (refusals counted per trigger node until the next report).
 * - Atlas/AtlasIncidentTrigger.node.ts (the polling trigger): `polledSinceActivation` (the
 *   activations that have polled already: the first poll of each one is told apart).
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { type DuplicateWindowSettings, isDuplicateAndRecord, processKeyOf } from './dedupe';
import { markEventOrder, NOT_COMPARED, type EventOrderMark, type OrderFacts } from './eventOrder';
import { MAX_JSON_DEPTH, parseJson } from './json';
import {
	countRefusal,
	refusalKeyOf,
	reportOfOne,
	takeDueReport,
	type RefusalCode,
	type RefusalReport,
} from './refusalReport';

// ------------------------------------------------------------------------------------------------
// Request and settings

/** What the checks see of the HTTP request: n8n's request object, read once. */
export interface TriggerRequest extends RawRequest {
	/** Header names in lower case, as Node.js delivers them. */
	headers: Record<string, unknown>;
	query: Record<string, unknown>;
	ip?: string;
}

/** What the caller of a call refused for invalid settings is told (the details go to the report). */
export const INVALID_SETTINGS_ANSWER = 'The trigger is not set up correctly: try again later';

/**
 * The trigger's settings, or the refusal of a call they cannot serve. In the editor a settings
 * error shows where the user is looking; in production, throwing would make n8n record a failed
 * execution per call, however many calls come: it is counted in the refusal report instead.
 */
export async function readSettingsOrRefuse<S>(
	context: IWebhookFunctions,
	read: (context: IWebhookFunctions) => Promise<S>,
): Promise<{ settings: S } | { refused: Denial }> {
	try {
		return { settings: await read(context) };
	} catch (error) {
		if (context.getMode() === 'manual')
			throw new NodeOperationError(context.getNode(), error as Error);
		const detail = error instanceof Error ? error.message : String(error);
		return {
			refused: { status: 500, reason: INVALID_SETTINGS_ANSWER, code: 'invalidSettings', detail },
		};
	}
}

// ------------------------------------------------------------------------------------------------
// The event filter

export interface EventFilter {
	/** Selected types; empty or containing '*' means all. */
	types: string[];
	/** Whether types outside the node's catalogue pass when a list is chosen. */
	includeUnknown: boolean;
}

export const ALL_EVENTS = '*';

export function isEventWanted(
	eventType: string | undefined,
	filter: EventFilter,
	knownTypes: readonly string[],
): boolean {
	if (filter.types.length === 0 || filter.types.includes(ALL_EVENTS)) return true;
	if (eventType !== undefined && filter.types.includes(eventType)) return true;
	const isKnown = eventType !== undefined && knownTypes.includes(eventType);
	return !isKnown && filter.includeUnknown;
}

// ------------------------------------------------------------------------------------------------
// Duplicates and order

/**
 * Whether the event is a repeat of one already emitted; otherwise records it and returns its
 * out-of-order mark (eventOrder.ts). Without a window (Drop Duplicates off, an event without an
 * id, a test-URL call, which neither consults nor records the production window) nothing is
 * compared. The order memory is written only with a new id: the window's marking makes n8n save it.
 */
export function seenBefore(
	context: IWebhookFunctions,
	window: DuplicateWindowSettings | undefined,
	keys: { seen: string; order: string },
	id: string | null,
	facts: OrderFacts,
): true | EventOrderMark {
	if (!window || id === null || context.getMode() === 'manual') return NOT_COMPARED;
	const staticData = context.getWorkflowStaticData('node');
	const processKey = processKeyOf(context.getWorkflow().id, context.getNode().id, keys.seen);
	const options = { ...window, processKey };
	if (isDuplicateAndRecord(staticData, keys.seen, id, options)) return true;
	return markEventOrder(staticData, keys.order, facts, options);
}

// ------------------------------------------------------------------------------------------------
// The answer

/**
 * A request turned away before the workflow: answered with `status` and `reason`, and counted
 * under `code` for the refusal report (refusalReport.ts), with `detail` in our own words.
 */
export interface Denial {
	status: number;
	reason: string;
	code: RefusalCode;
	detail?: string;
}

/**
 * What a call comes to. `emit`: starts the workflow with one item; n8n answers the caller
 * ({"received":true}) only after it has recorded the execution, so a provider never hears
 * "received" for an event n8n then failed to keep. `ignore`: acknowledged (HTTP 200: providers
 * count only a 2xx as delivered) without starting the workflow. A `Denial`: answered directly.
 */
export type Outcome = { emit: IDataObject } | { ignore: string } | Denial;

/** A call's start: its request, when it came, and `done`, which answers it with an outcome. */
export function startCall(context: IWebhookFunctions) {
	const receivedAt = new Date();
	const request = context.getRequestObject() as unknown as TriggerRequest;
	return {
		request,
		receivedAt,
		// A method, not a named arrow: no per-call closure naming under tsx/esbuild keepNames.
		done(outcome: Outcome) {
			return answer(context, request, receivedAt, outcome);
		},
	};
}

/** Counts a refusal, adds the refusal report when one is due, and answers the caller. */
export function answer(
	context: IWebhookFunctions,
	request: TriggerRequest,
	receivedAt: Date,
	outcome: Outcome,
): IWebhookResponseData {
	if ('emit' in outcome) {
		const response = {
			workflowData: [[{ json: outcome.emit }]],
			webhookResponse: { received: true },
		};
		return withRefusalReport(context, response, undefined, receivedAt);
	}
	if ('ignore' in outcome) {
		const response = { webhookResponse: { received: true, ignored: outcome.ignore } };
		return withRefusalReport(context, response, undefined, receivedAt);
	}
	const { status, reason, code, detail } = outcome;
	context.getResponseObject().status(status).json({ error: reason });
	const refusal = { code, status, address: request.ip, detail };
	return withRefusalReport(context, { noWebhookResponse: true }, refusal, receivedAt);
}

/** Whether the user wants reports as executions; a broken Options expression does not hide them. */
function reportsWanted(context: IWebhookFunctions): boolean {
	try {
		return context.getNodeParameter('options.reportRefusals', true) !== false;
	} catch {
		return true;
	}
}

/**
 * Counts this call's refusal, if any, and adds the report to the trigger's answer when one is due:
 * on the Refused output, beside the event when the call carried one. The summary is logged whether
 * or not the user wants the execution. A call to the test URL (the editor listening) reports its
 * own refusal at once, outside the production tally.
 */
function withRefusalReport(
	context: IWebhookFunctions,
	response: IWebhookResponseData,
	refusal: Parameters<typeof countRefusal>[1] | undefined,
	at: Date,
): IWebhookResponseData {
	const { name } = context.getNode();
	const workflow = context.getWorkflow();
	let report: RefusalReport | undefined;
	if (context.getMode() === 'manual') {
		report = refusal && reportOfOne(refusal, name, at);
	} else {
		const key = refusalKeyOf(context);
		if (refusal) countRefusal(key, refusal, at);
		// Due by the time of the answer: a call whose body took minutes to arrive makes no report due.
		report = takeDueReport(key, name, new Date());
		if (report) {
			context.logger.warn(`Workflow "${workflow.name}": ${report.logLine}`, {
				workflowId: workflow.id,
			});
		}
	}
	if (!report || !reportsWanted(context)) return response;
	return {
		...response,
		workflowData: [
			response.workflowData?.[0] ?? [],
			[{ json: { ...report.item, workflow: workflow.name ?? '' } }],
		],
	};
}

// ------------------------------------------------------------------------------------------------
// The body

export type JsonBodyResult = { ok: true; value: unknown } | { ok: false; refused: Denial };

/** The body of an incoming request as n8n hands it over. */
export interface RawRequest {
	/** The bytes as received: n8n keeps them for webhooks. */
	rawBody?: unknown;
	/** What n8n parsed, if anything. */
	body?: unknown;
	/** Reads the body into `rawBody` when n8n has not (n8n's request, from n8n 1.x on). */
	readRawBody?: () => Promise<void>;
}

/**
 * The request body as JSON, or a 400. n8n reads the body of a webhook node above version 1 only
 * for the content types it parses: it is read here otherwise, so that a missing or unusual
 * Content-Type cannot lose the event. The raw bytes are authoritative when n8n kept them (it does
 * for webhooks): n8n may have left a broken or mistyped body unparsed, and malformed input must
 * get a precise 400 rather than an empty event.
 */
export async function readJsonBody(request: RawRequest): Promise<JsonBodyResult> {
	if (request.rawBody === undefined && typeof request.readRawBody === 'function') {
		await request.readRawBody();
	}
	const result = parsedBody(request);
	return result.ok
		? result
		: { ok: false, refused: { status: 400, reason: result.reason, code: 'unreadableBody' } };
}

function parsedBody(
	request: RawRequest,
): { ok: true; value: unknown } | { ok: false; reason: string } {
	const raw = rawText(request.rawBody) ?? rawText(request.body);
	if (raw === undefined) {
		const { body } = request;
		return body !== null && typeof body === 'object'
			? { ok: true, value: body }
			: { ok: false, reason: 'Empty request body: expected JSON' };
	}
	if (raw.trim() === '') return { ok: false, reason: 'Empty request body: expected JSON' };
	const parsed = parseJson(raw);
	if (parsed.ok) return parsed;
	return {
		ok: false,
		reason:
			parsed.reason === 'tooDeep'
				? `Request body is nested deeper than ${MAX_JSON_DEPTH} levels`
				: 'Request body is not valid JSON',
	};
}

/** One decoder for every call (it keeps no state between whole decodes; drops a leading BOM). */
const UTF8 = new TextDecoder('utf-8');

function rawText(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (value instanceof Uint8Array) return UTF8.decode(value);
	return undefined;
}
