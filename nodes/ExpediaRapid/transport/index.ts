/**
 * The only place that talks HTTP to Rapid. The credential signs every request afresh; this module
 * sends it through the shared attempt (no redirects, deadline, size cap, secrets removed), retries
 * what is safe, and turns Rapid's error body into a NodeApiError people can act on.
 */
import type {
	IDataObject,
	IHttpRequestMethods,
	IHttpRequestOptions,
	JsonObject,
} from 'n8n-workflow';

import {
	afterAttempts,
	apiError,
	networkApiError,
	redirectApiError,
	redirectWording,
} from '../../shared/errors';
import {
	type ApiRequestContext,
	type Attempt,
	isRetryableUnsent,
	isUnreadableAnswer,
	sendAttempt,
} from '../../shared/http';
import { secretValues } from '../../shared/redact';
import {
	isRetryableHttpStatus,
	type Reading,
	retryAfterMs,
	type RetryTable,
	withRetries,
} from '../../shared/retry';
import { rapidBaseUrl, type RapidCredentialData } from './baseUrl';
import { notABatch, possiblyLostBatch, STOPPED } from './drain';
import { answered, rapidCapacityResetAt, rapidHttpError, rapidOwnErrorSchema } from './errors';
import { RAPID_REQUEST_HEADERS } from './headers';

export const RAPID_CREDENTIAL_TYPE = 'expediaRapidApi';

/**
 * Rapid's retry rules: HTTP 429/5xx and refused connections with backoff (an answer lost once sent
 * is never repeated). Its per-minute capacity resets within a minute: waiting that long is worth it.
 */
export const RAPID_RETRIES: Readonly<RetryTable> = Object.freeze({
	once: 0,
	backOff: 3,
	baseDelayMs: 1000,
	maxDelayMs: 60_000,
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

const CREDENTIAL_ADVICE = 'the environment and base URL of the Expedia Rapid API credential';

/** What an answer with an HTTP status means: the response, a retry, or the error to throw. */
function readAnswer(
	this: ApiRequestContext,
	attempt: Extract<Attempt, { kind: 'response' }>,
	task: string,
	options: RapidRequestOptions,
): Reading<RapidResponse> {
	const { statusCode, body } = attempt;
	const { itemIndex } = options;
	const node = this.getNode();
	if (statusCode >= 200 && statusCode <= 299) {
		const refused = options.destructiveRead ? notABatch(attempt) : undefined;
		if (!refused) return { value: { statusCode, body } };
		const { said, ...failure } = refused;
		return {
			error: () =>
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
			error: (attempts) =>
				possiblyLostBatch(node, {
					message: `${task}: Rapid ${answered(statusCode, body)}${afterAttempts(attempts)}`,
					detail: `${empty ? 'The answer had no body' : 'The answer is not an error message from Rapid (a gateway or load balancer in front of Rapid may have sent it)'}, so it does not show whether Rapid had already taken a batch from the queue. ${STOPPED}`,
					httpCode: String(statusCode),
					itemIndex,
				}),
		};
	}
	// On 429 Rapid says when its capacity returns: wait for it, or stop when that is too far off.
	const resetAt = statusCode === 429 ? rapidCapacityResetAt(attempt.headers) : undefined;
	const waitMs = resetAt === undefined ? undefined : Math.max(0, resetAt - Date.now());
	const tooFar = waitMs !== undefined && waitMs > RAPID_RETRIES.maxDelayMs;
	return {
		retry: retryable && !tooFar ? 'backOff' : undefined,
		serverHintMs: waitMs ?? retryAfterMs(attempt.headers),
		error: (attempts) =>
			rapidHttpError(
				node,
				{ task, statusCode, body, attempts },
				{ itemIndex, capacityResetAt: tooFar ? resetAt : undefined, advice: options.advice },
			),
	};
}

/** What one attempt means for a Rapid call: the answer, a retry, or the error to throw. */
function readAttempt(
	this: ApiRequestContext,
	attempt: Attempt,
	task: string,
	options: RapidRequestOptions,
): Reading<RapidResponse> {
	const { itemIndex, destructiveRead } = options;
	const node = this.getNode();
	const unreachable = (failed: { code: string; message: string }, attempts: number) =>
		networkApiError(node, {
			service: 'Rapid',
			code: failed.code,
			detail: failed.message,
			advice: CREDENTIAL_ADVICE,
			attempts,
			itemIndex,
		});
	switch (attempt.kind) {
		case 'response':
			return readAnswer.call(this, attempt, task, options);
		case 'redirect': {
			const redirect = { service: 'Rapid', ...attempt, advice: CREDENTIAL_ADVICE, itemIndex };
			if (!destructiveRead) return { error: () => redirectApiError(node, redirect) };
			const { message, description, httpCode } = redirectWording(redirect);
			return {
				error: () =>
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
				retry: isRetryableUnsent(attempt.code) ? 'backOff' : undefined,
				error: (attempts) => unreachable(attempt, attempts),
			};
		case 'noAnswer':
			return {
				error: (attempts) =>
					destructiveRead
						? possiblyLostBatch(node, {
								message: isUnreadableAnswer(attempt.code)
									? `${task}: Rapid answered with something that is not a readable HTTP answer (${attempt.code})`
									: `${task}: Rapid did not answer (${attempt.code})`,
								detail: attempt.message,
								itemIndex,
							})
						: unreachable(attempt, attempts),
			};
		case 'brokenBody': {
			const message = `${task}: Rapid's answer broke off (${attempt.code})`;
			return {
				error: () =>
					destructiveRead
						? possiblyLostBatch(node, {
								message,
								detail: attempt.message,
								partialText: attempt.partialText,
								itemIndex,
							})
						: apiError(node, { code: attempt.code } as JsonObject, {
								message,
								description: `${attempt.message}. Rapid handled the request but the answer did not arrive whole; try again.`,
								itemIndex,
							}),
			};
		}
	}
}

/**
 * Sends one signed Rapid request, retrying as RAPID_RETRIES says; everything else is mapped to an
 * error (for the undeliverable queue, one that says what may be lost). `task` says what the call is
 * for, in the words of the node that makes it ("Reading the booking"): every error starts with it.
 */
export async function rapidApiRequest<T = unknown>(
	this: ApiRequestContext,
	task: string,
	method: IHttpRequestMethods,
	path: string,
	options: RapidRequestOptions = {},
): Promise<RapidResponse<T>> {
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
	return (await withRetries(async () => {
		const attempt = await sendAttempt.call(this, RAPID_CREDENTIAL_TYPE, request, secrets);
		return readAttempt.call(this, attempt, task, options);
	}, RAPID_RETRIES)) as RapidResponse<T>;
}
