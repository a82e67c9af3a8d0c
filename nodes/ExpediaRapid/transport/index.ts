/**
 * The only place that talks HTTP to Rapid. The credential signs every request afresh; this module
 * sends it through the shared attempt (no redirects, deadline, size cap, secrets removed), retries
 * what is safe, and turns Rapid's error body into a NodeApiError people can act on.
 */
import type {
	IDataObject,
	IHttpRequestMethods,
	IHttpRequestOptions,
	INode,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import { z } from 'zod';

import { apiError, networkApiError, redirectApiError, redirectWording } from '../../shared/errors';
import {
	type ApiRequestContext,
	type Attempt,
	DEFAULT_RESPONSE_LIMITS,
	isRetryableUnsent,
	isUnreadableAnswer,
	type ResponseLimits,
	sendAttempt,
	settingsFor,
} from '../../shared/http';
import { parseJson } from '../../shared/json';
import { secretValues } from '../../shared/redact';
import {
	type BackoffPolicy,
	isRetryableHttpStatus,
	retryAfterMs,
	type RetryVerdict,
	sendWithRetry,
} from '../../shared/retry';
import { rapidBaseUrl, type RapidCredentialData } from './baseUrl';
import { RAPID_REQUEST_HEADERS } from './headers';

export const RAPID_CREDENTIAL_TYPE = 'expediaRapidApi';

export type RapidRequestContext = ApiRequestContext;

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
const rapidOwnErrorSchema = rapidErrorSchema.extend({
	type: z.string(),
	message: z.string(),
	errors: z.array(rapidIndividualSchema).optional(),
});

export type RapidErrorBody = z.infer<typeof rapidErrorSchema>;

export interface RapidRetryPolicy extends BackoffPolicy, ResponseLimits {
	/** Retries with exponential backoff for HTTP 429/5xx and refused connections. */
	retries: number;
}

/** Frozen: callers pass other settings in (`options.retry`, or the context: see settingsFor). */
export const DEFAULT_RAPID_RETRY: Readonly<RapidRetryPolicy> = Object.freeze({
	retries: 3,
	baseDelayMs: 1000,
	// Rapid's per-minute capacity resets within a minute: waiting that long is worth it.
	maxDelayMs: 60000,
	...DEFAULT_RESPONSE_LIMITS,
});

export interface RapidRequestOptions {
	qs?: IDataObject;
	body?: IDataObject;
	/** Overrides the credential's host, e.g. the test host for test notifications. */
	baseUrl?: string;
	/** Headers a path requires besides the ones every call sends (e.g. Customer-Ip). */
	headers?: Record<string, string>;
	/** What to tell the user per HTTP status when it means something else on this path. */
	advice?: Partial<Record<number, string>>;
	retry?: Partial<RapidRetryPolicy>;
	timeoutMs?: number;
	itemIndex?: number;
	/**
	 * Rapid deletes what this call returns (the undeliverable queue). Once it was sent, only an
	 * answer proving nothing was handed over (429/5xx with Rapid's own error body) or a refused
	 * connection is retried; a 2xx must hold a batch (see notABatch). Any other answer, and any
	 * answer lost, may have cost a batch and says so.
	 */
	destructiveRead?: boolean;
}

export interface RapidResponse<T = unknown> {
	statusCode: number;
	body: T;
}

/** Rapid deletes the notifications in each answer of the undeliverable queue, 25 at most. */
export const MAX_BATCH = 25;

/**
 * A call to the undeliverable queue that may have removed a batch at Rapid without it reaching
 * n8n. `partialText` holds what arrived of the answer, if anything did.
 */
export class PossiblyLostBatchError extends NodeApiError {
	partialText?: string;
}

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
function answered(statusCode: number, body: unknown): string {
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

const attemptsNote = (attempts: number) => (attempts > 1 ? ` (after ${attempts} attempts)` : '');

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
	this: RapidRequestContext,
	task: string,
	statusCode: number,
	rawBody: unknown,
	attempts: number,
	itemIndex?: number,
	capacityResetAt?: number,
	advice: Partial<Record<number, string>> = {},
): NodeApiError {
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
		this.getNode(),
		(parsed.success ? errorBody : { body: snippet(bodyText(rawBody)) }) as JsonObject,
		{
			message: `${task}: Rapid ${answered(statusCode, rawBody)}${attemptsNote(attempts)}`,
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

const BATCH_LOSS_NOTE = `Rapid may have removed up to ${MAX_BATCH} notifications from the queue without them reaching n8n. Ask Rapid support to resend the undeliverable notifications of this time.`;

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

function possiblyLostBatch(
	node: INode,
	failure: {
		message: string;
		detail: string;
		partialText?: string;
		httpCode?: string;
		itemIndex?: number;
	},
): PossiblyLostBatchError {
	const { detail, partialText, ...wording } = failure;
	const error = apiError(
		node,
		{ detail } as JsonObject,
		{ ...wording, description: `${sentence(detail)} ${BATCH_LOSS_NOTE}` },
		PossiblyLostBatchError,
	);
	if (partialText) error.partialText = partialText;
	return error;
}

const STOPPED = 'The drain stopped instead of asking again';

/**
 * Why a 2xx answer of the undeliverable queue holds no batch, or undefined when it does. Rapid
 * answers a list of notifications (one object is read as one), and [] or 204 when the queue is
 * empty: any other answer does not show what Rapid took from the queue. A gzip body cut short
 * unpacks to nothing or to broken text (n8n's helper does not report the cut): refused here too.
 */
function notABatch(attempt: Extract<Attempt, { kind: 'response' }>) {
	const { statusCode, body, text } = attempt;
	if (statusCode === 204 || (typeof body === 'object' && body !== null)) return undefined;
	const head = `answered ${statusCode} with`;
	if (text.trim() === '') {
		return {
			said: `${head} an empty body`,
			detail: `Rapid answers [] or 204 when the queue is empty; an empty ${statusCode} does not show whether it had taken a batch from the queue. ${STOPPED}`,
		};
	}
	const kept = typeof body === 'string' && body !== '' ? body : undefined;
	return {
		said: `${head} a body that is not ${parseJson(text).ok ? 'a list of notifications' : 'JSON'}`,
		detail: kept
			? 'The answer is not readable; its text is in the output as unreadableResponse'
			: `The answer does not show whether Rapid had taken a batch from the queue. ${STOPPED}`,
		partialText: kept,
	};
}

/** What a call was for, in the words of the node that made it: errors start with it. */
export function rapidTask(method: string, path: string): string {
	if (path.startsWith('/v3/notifications')) {
		return method === 'GET'
			? 'Reading undeliverable notifications'
			: 'Requesting a test notification';
	}
	if (path.startsWith('/v3/itineraries')) return 'Reading the booking';
	if (path.startsWith('/v3/references')) return 'Reading reference data';
	return 'Calling Rapid';
}

/** Says what one attempt means for a Rapid call: the answer, a retry, or the error to throw. */
function judgeRapidAttempt(
	this: RapidRequestContext,
	attempt: Attempt,
	call: { method: string; path: string; options: RapidRequestOptions; policy: BackoffPolicy },
): RetryVerdict<RapidResponse> {
	const { method, path, options, policy } = call;
	const { itemIndex } = options;
	const task = rapidTask(method, path);
	const node = this.getNode();
	const advice = 'the environment and base URL of the Expedia Rapid API credential';
	const unreachable = (attempt: { code: string; message: string }, attempts: number) =>
		networkApiError(node, {
			service: 'Rapid',
			code: attempt.code,
			detail: attempt.message,
			advice,
			attempts,
			itemIndex,
		});
	switch (attempt.kind) {
		case 'response': {
			const { statusCode, body } = attempt;
			if (statusCode >= 200 && statusCode <= 299) {
				const refused = options.destructiveRead ? notABatch(attempt) : undefined;
				if (!refused) return { value: { statusCode, body } };
				const { said, ...failure } = refused;
				return {
					fail: () =>
						possiblyLostBatch(node, {
							...failure,
							message: `${task}: Rapid ${said}`,
							httpCode: String(statusCode),
							itemIndex,
						}),
				};
			}
			const retryable = isRetryableHttpStatus(statusCode);
			// A dequeuing call is retried only when Rapid itself says it failed: an empty body or a
			// gateway's page in front of Rapid says nothing about what Rapid handed over.
			if (options.destructiveRead && retryable && !rapidOwnErrorSchema.safeParse(body).success) {
				const empty = attempt.text.trim() === '';
				return {
					fail: (attempts) =>
						possiblyLostBatch(node, {
							message: `${task}: Rapid ${answered(statusCode, body)}${attemptsNote(attempts)}`,
							detail: `${empty ? 'The answer had no body' : 'The answer is not an error message from Rapid (a gateway or load balancer in front of Rapid may have sent it)'}, so it does not show whether Rapid had already taken a batch from the queue. ${STOPPED}`,
							httpCode: String(statusCode),
							itemIndex,
						}),
				};
			}
			// On 429 Rapid says when its capacity returns: wait for it, or stop when that is too far off.
			const resetAt = statusCode === 429 ? rapidCapacityResetAt(attempt.headers) : undefined;
			const waitMs = resetAt === undefined ? undefined : Math.max(0, resetAt - Date.now());
			const tooFar = waitMs !== undefined && waitMs > policy.maxDelayMs;
			return {
				budget: retryable && !tooFar ? 'retries' : undefined,
				serverHintMs: waitMs ?? retryAfterMs(attempt.headers),
				fail: (attempts) =>
					rapidHttpError.call(
						this,
						task,
						statusCode,
						body,
						attempts,
						itemIndex,
						tooFar ? resetAt : undefined,
						options.advice,
					),
			};
		}
		case 'redirect': {
			const redirect = { service: 'Rapid', ...attempt, advice, itemIndex };
			if (!options.destructiveRead) return { fail: () => redirectApiError(node, redirect) };
			const { message, description, httpCode } = redirectWording(redirect);
			return {
				fail: () =>
					possiblyLostBatch(node, {
						message: `${task}: ${message}`,
						detail: `A redirect does not show whether Rapid had already taken a batch from the queue. ${description}`,
						httpCode,
						itemIndex,
					}),
			};
		}
		case 'unsent':
			return {
				budget: isRetryableUnsent(attempt.code) ? 'retries' : undefined,
				fail: (attempts) => unreachable(attempt, attempts),
			};
		case 'noAnswer':
			return {
				fail: (attempts) =>
					options.destructiveRead
						? possiblyLostBatch(node, {
								message: isUnreadableAnswer(attempt.code)
									? `${task}: Rapid answered with something that is not a readable HTTP answer (${attempt.code})`
									: `${task}: Rapid did not answer (${attempt.code})`,
								detail: attempt.message,
								itemIndex,
							})
						: unreachable(attempt, attempts),
			};
		case 'brokenBody':
			return {
				fail: () => {
					const message = `${task}: Rapid's answer broke off (${attempt.code})`;
					if (options.destructiveRead) {
						return possiblyLostBatch(node, {
							message,
							detail: attempt.message,
							partialText: attempt.partialText,
							itemIndex,
						});
					}
					return apiError(node, { code: attempt.code } as JsonObject, {
						message,
						description: `${attempt.message}. Rapid handled the request but the answer did not arrive whole; try again.`,
						itemIndex,
					});
				},
			};
	}
}

/**
 * Sends one signed Rapid request. Retries HTTP 429/5xx with backoff and connections Rapid refused;
 * everything else is mapped to an error (for the undeliverable queue, one that says what may be lost).
 */
export async function rapidApiRequest<T = unknown>(
	this: RapidRequestContext,
	method: IHttpRequestMethods,
	path: string,
	options: RapidRequestOptions = {},
): Promise<RapidResponse<T>> {
	const policy = settingsFor(this, DEFAULT_RAPID_RETRY, options);
	const credentials = (await this.getCredentials(RAPID_CREDENTIAL_TYPE)) as RapidCredentialData &
		IDataObject;
	const secrets = secretValues([credentials.apiKey, credentials.sharedSecret]);
	const request: IHttpRequestOptions = {
		method,
		url: `${options.baseUrl ?? rapidBaseUrl(credentials)}${path}`,
		qs: options.qs,
		body: options.body,
		json: true,
		headers: { ...options.headers, ...RAPID_REQUEST_HEADERS },
	};
	const call = { method, path, options, policy };
	return (await sendWithRetry(
		async () => await sendAttempt.call(this, RAPID_CREDENTIAL_TYPE, request, policy, secrets),
		(attempt) => judgeRapidAttempt.call(this, attempt, call),
		{ ...policy, budgets: { retries: policy.retries } },
	)) as RapidResponse<T>;
}
