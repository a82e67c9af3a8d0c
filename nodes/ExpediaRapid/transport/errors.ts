/**
 * Rapid's error body and the NodeApiError made of it: what Rapid said (its reasons, the fields they
 * name, its clock on a 401) and what to do, or what the body was when it is not Rapid's error.
 */
import type { INode, JsonObject, NodeApiError } from 'n8n-workflow';
import { z } from 'zod';

import { afterAttempts, apiError } from '../../shared/errors';

/** A text Rapid sends; a number or true/false is read as text, anything else as absent. */
const lenientText = z
	.union([z.string(), z.number(), z.boolean()])
	.transform(String)
	.optional()
	.catch(undefined);

/** `fields` as documented; `null` or an unreadable list reads as no fields, never as no reason. */
const rapidFieldsSchema = z
	.array(
		z.object({ name: lenientText, type: lenientText, value: z.unknown().optional() }).passthrough(),
	)
	.nullish()
	.catch(undefined)
	.transform((fields) => fields ?? undefined);

const rapidIndividualSchema = z
	.object({ type: z.string(), message: z.string(), fields: rapidFieldsSchema })
	.passthrough();

/** One nested reason, read leniently: shown whenever it has a type or a message. */
const rapidReasonSchema = z
	.object({ type: lenientText, message: lenientText, fields: rapidFieldsSchema })
	.passthrough();

/** Rapid's error body as far as it can be read; anything else it sends is kept but not relied on. */
export const rapidErrorSchema = z
	.object({
		type: lenientText,
		message: lenientText,
		fields: rapidFieldsSchema,
		errors: z.array(z.unknown()).nullish().catch(undefined),
	})
	.passthrough();

/** Rapid's error body exactly as documented: what a gateway in front of Rapid does not send. */
export const rapidOwnErrorSchema = rapidErrorSchema.extend({
	type: z.string(),
	message: z.string(),
	errors: z.array(rapidIndividualSchema).optional(),
});

export type RapidErrorBody = z.infer<typeof rapidErrorSchema>;

const snippet = (text: string): string => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

const bodyText = (body: unknown): string =>
	typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);

const HTML_PAGE = /^\s*<(?:!doctype\s+html|html|head|body)\b/i;

/** The first line of a plain-text answer, short enough to read in a message. */
const excerpt = (text: string): string => {
	const line = text.trim().split(/\r?\n/)[0];
	return line.length > 80 ? `${line.slice(0, 80)}…` : line;
};

type RapidField = NonNullable<RapidErrorBody['fields']>[number];
type RapidReason = { type?: string; message?: string; fields?: RapidField[] };

/** Rapid puts the reasons of an `invalid_input` in `errors`; unreadable entries are skipped. */
function nestedReasons(body: RapidErrorBody): RapidReason[] {
	return (body.errors ?? []).flatMap((entry) => {
		const parsed = rapidReasonSchema.safeParse(entry);
		return parsed.success && (parsed.data.type || parsed.data.message?.trim()) ? [parsed.data] : [];
	});
}

const fieldNames = (fields: RapidField[] = []) =>
	fields
		.filter((f) => f.name?.toLowerCase() !== 'servertimestamp')
		.map((f) => `${f.name ?? '?'}${f.type ? ` (${f.type})` : ''}`)
		.join(', ');

const reasonText = ({ type, message }: RapidReason) =>
	message?.trim() ? `${message.trim()}${type ? ` [${type}]` : ''}` : (type ?? '');

/**
 * "answered 401 request_unauthenticated: <message>" when Rapid explains itself (the first nested
 * reason instead of the top-level message when there is one), otherwise what the body was: empty,
 * an HTML page, a short excerpt of plain text, or JSON that is not Rapid's error.
 */
export function answered(statusCode: number, body: unknown): string {
	const head = `answered ${statusCode}`;
	const text = bodyText(body);
	if (text.trim() === '') return `${head} with an empty body`;
	const parsed = rapidErrorSchema.safeParse(body);
	if (
		parsed.success &&
		(parsed.data.type || parsed.data.message || nestedReasons(parsed.data).length > 0)
	) {
		const { type, message } = parsed.data;
		const [first, ...more] = nestedReasons(parsed.data);
		const reason = first
			? `${reasonText(first)}${more.length ? ` (and ${more.length} more)` : ''}`
			: message?.trim();
		return `${head}${type ? ` ${type}` : ''}${reason ? `: ${snippet(reason)}` : ' without a message'}`;
	}
	if (HTML_PAGE.test(text)) {
		return `${head} with an HTML page instead of Rapid's error (likely from a gateway or load balancer)`;
	}
	const quoted = typeof body === 'string' ? `: "${excerpt(text)}"` : '';
	return `${head} with a body that is not Rapid's error${quoted}`;
}

/** Reads `servertimestamp` from a 401 body so clock skew is visible. */
export function describeClockSkew(error: RapidErrorBody, now = Date.now()): string | undefined {
	const field = error.fields?.find((f) => f.name?.toLowerCase() === 'servertimestamp');
	const serverSeconds = Number(field?.value);
	if (!field || !Number.isFinite(serverSeconds)) return undefined;
	const skew = Math.round(now / 1000 - serverSeconds);
	return `Rapid's clock reads ${new Date(serverSeconds * 1000).toISOString()}; this machine's reads ${new Date(now).toISOString()} (${skew >= 0 ? '+' : ''}${skew} s). Signatures are accepted within ±300 s.`;
}

const STATUS_ADVICE: Record<number, string> = {
	400: 'Rapid did not accept the request; the reasons above say which part.',
	401: "Rapid rejected the signature. Check the API key and shared secret of the Expedia Rapid API credential, and this machine's clock.",
	403: 'Rapid refused access for this API key. Ask Rapid support to enable the notifications API for your account.',
	404: 'Rapid does not know this path. Check the environment and base URL of the credential.',
	426: 'Rapid requires TLS 1.2 or newer.',
	429: 'Rapid rate-limited these requests and the retries ran out. Run the workflow less often.',
};

const clockTime = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

/** Every reason Rapid gave, each with the fields it names: "Reasons: <message> [type] (fields: …)." */
function describeReasons(body: RapidErrorBody): string | undefined {
	const reasons = nestedReasons(body).map((reason) => {
		const fields = fieldNames(reason.fields);
		return `${reasonText(reason)}${fields ? ` (fields: ${fields})` : ''}`;
	});
	return reasons.length ? `Reasons: ${reasons.join('; ')}.` : undefined;
}

/**
 * Builds a readable error from Rapid's error body (already free of credential values).
 * `capacityResetAt`: when Rapid said its rate limit resets, if that was too far off to wait for.
 */
export function rapidHttpError(
	node: INode,
	answer: { task: string; statusCode: number; body: unknown; attempts: number },
	options: {
		itemIndex?: number;
		capacityResetAt?: number;
		advice?: Partial<Record<number, string>>;
	} = {},
): NodeApiError {
	const { task, statusCode, body: rawBody, attempts } = answer;
	const { itemIndex, capacityResetAt, advice = {} } = options;
	const parsed = rapidErrorSchema.safeParse(rawBody);
	const errorBody: RapidErrorBody = parsed.success ? parsed.data : {};
	const fieldList = fieldNames(errorBody.fields);
	const description = [
		describeReasons(errorBody),
		fieldList ? `Fields: ${fieldList}.` : undefined,
		statusCode === 401 ? describeClockSkew(errorBody) : undefined,
		capacityResetAt === undefined
			? (advice[statusCode] ??
				STATUS_ADVICE[statusCode] ??
				(statusCode >= 500 ? 'Rapid is unavailable. Try again later.' : undefined))
			: `Rapid rate-limited these requests until ${clockTime(capacityResetAt)}. Run the workflow again after that, or less often.`,
	]
		.filter(Boolean)
		.join(' ');
	return apiError(
		node,
		(parsed.success ? errorBody : { body: snippet(bodyText(rawBody)) }) as JsonObject,
		{
			message: `${task}: Rapid ${answered(statusCode, rawBody)}${afterAttempts(attempts)}`,
			description: description || undefined,
			httpCode: String(statusCode),
			itemIndex,
		},
	);
}

/**
 * When Rapid's per-minute capacity comes back (epoch ms, from `Rate-Limit-Minute-Reset`), or
 * undefined when the header is absent or unreadable.
 */
export function rapidCapacityResetAt(headers: unknown): number | undefined {
	if (!headers || typeof headers !== 'object') return undefined;
	const raw = (headers as Record<string, unknown>)['rate-limit-minute-reset'];
	const value = Number(Array.isArray(raw) ? raw[0] : raw);
	return typeof raw !== 'undefined' && Number.isFinite(value) && value > 0 ? value : undefined;
}
