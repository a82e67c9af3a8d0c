/** Request and response plumbing both webhook triggers share. */
import type {
	IDataObject,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import type { ZodError, ZodTypeAny } from 'zod';

import { MAX_JSON_DEPTH, parseJson } from './json';

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

/**
 * Starts the workflow with one item. n8n answers the caller ({"received":true}) only after it has
 * recorded the execution, so a provider never hears "received" for an event n8n then failed to
 * keep: it retries instead.
 */
export const accepted = (item: IDataObject): IWebhookResponseData => ({
	workflowData: [[{ json: item }]],
	webhookResponse: { received: true },
});

/**
 * Acknowledges an event without starting the workflow. Providers count only a 2xx as delivered,
 * so ignored and duplicate events get 200 and are not sent again.
 */
export const ignored = (reason: string): IWebhookResponseData => ({
	webhookResponse: { received: true, ignored: reason },
});

/** Answers the caller directly and starts no workflow. */
export function rejectRequest(
	context: IWebhookFunctions,
	statusCode: number,
	reason: string,
): IWebhookResponseData {
	const response = context.getResponseObject();
	response.status(statusCode).json({ error: reason });
	return { noWebhookResponse: true };
}

export type JsonBodyResult = { ok: true; value: unknown } | { ok: false; reason: string };

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
 * n8n reads the body of a webhook node above version 1 only for the content types it parses; reads
 * it otherwise, so that a missing or unusual Content-Type cannot lose the event.
 */
export async function readUnreadBody(request: RawRequest): Promise<void> {
	if (request.rawBody === undefined && typeof request.readRawBody === 'function') {
		await request.readRawBody();
	}
}

/**
 * The request body as JSON. The raw bytes are authoritative when n8n kept them (it does for
 * webhooks): n8n may have left a broken or mistyped body unparsed, and malformed input must get a
 * precise 400 rather than an empty event.
 */
export function readJsonBody(request: RawRequest): JsonBodyResult {
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

/** Where a payload departs from the documented shape, as `path: problem` lines. */
export function describeShapeIssues(error: ZodError): string[] {
	return error.issues
		.slice(0, 20)
		.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}

/**
 * The fields every emitted item carries besides the provider's own: when we received it and, for a
 * payload that does not match the documented shape, a flag and what differs (the event is still
 * emitted: a changed schema must not lose events).
 */
export function receiptFields(receivedAt: Date, shapeIssues: string[]): IDataObject {
	return shapeIssues.length > 0
		? { receivedAt: receivedAt.toISOString(), unexpectedShape: true, shapeIssues }
		: { receivedAt: receivedAt.toISOString() };
}

/** The receipt fields of an item whose payload is checked against its documented `schema`. */
export function checkedReceipt(
	schema: ZodTypeAny,
	payload: unknown,
	receivedAt: Date,
): IDataObject {
	const check = schema.safeParse(payload);
	return receiptFields(receivedAt, check.success ? [] : describeShapeIssues(check.error));
}
