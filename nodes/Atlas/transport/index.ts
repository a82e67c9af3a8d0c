/**
 * The only place that talks HTTP to Atlas. Every call is `POST {baseUrl}/{endpoint}.do` with a JSON
 * body; success is decided by the envelope's `status` alone (Atlas answers HTTP 200 to bad keys).
 */
import type { IDataObject, IHttpRequestOptions, JsonObject, NodeApiError } from 'n8n-workflow';
import { z } from 'zod';

import { apiError, networkApiError, redirectApiError } from '../../shared/errors';
import {
	type ApiRequestContext,
	type Attempt,
	DEFAULT_RESPONSE_LIMITS,
	isRetryableUnsent,
	type ResponseLimits,
	sendAttempt,
	settingsFor,
} from '../../shared/http';
import { secretValues } from '../../shared/redact';
import {
	type BackoffPolicy,
	isRetryableHttpStatus,
	retryAfterMs,
	type RetryVerdict,
	sendWithRetry,
} from '../../shared/retry';
import { atlasBaseUrl, type AtlasCredentialData, atlasWebhookToken } from './baseUrl';
import { ATLAS_REQUEST_HEADERS } from './headers';
import { atlasStatusAdvice, atlasStatusRule } from './statuses';

export const ATLAS_CREDENTIAL_TYPE = 'atlasApi';

export type AtlasRequestContext = ApiRequestContext;

export type AtlasEndpoint = 'updateWebhookURL' | 'event/getPageList' | 'queryOrderDetails';

/** What each call is for, in the words of the node that made it: errors start with it. */
const ATLAS_TASKS: Record<AtlasEndpoint, string> = {
	updateWebhookURL: 'Registering the webhook URL',
	'event/getPageList': 'Listing incidents',
	queryOrderDetails: 'Looking up the order',
};

/** The two statuses the transport branches on; every other one is in ATLAS_STATUS_RULES. */
const AtlasStatus = { ok: 0, rateLimited: 110 } as const;

/** Whether an error is Atlas' rate limit (status 110) outlasting the retries. */
export const isAtlasRateLimit = (error: unknown): boolean =>
	(error as { atlasStatus?: unknown } | undefined)?.atlasStatus === AtlasStatus.rateLimited;

/** The envelope every Atlas response shares; the payload fields sit beside `status`. */
export const atlasEnvelopeSchema = z
	.object({
		status: z.union([
			z.number(),
			z
				.string()
				.regex(/^-?\d+$/)
				.transform(Number),
		]),
		msg: z.string().nullish(),
	})
	.passthrough();

export type AtlasEnvelope = z.infer<typeof atlasEnvelopeSchema> & IDataObject;

export interface AtlasRetryPolicy extends BackoffPolicy, ResponseLimits {
	/** Retries for statuses Atlas says to retry once, network failures and unreadable bodies. */
	transientRetries: number;
	/** Retries with exponential backoff for statuses Atlas says to back off on, and HTTP 429/5xx. */
	backoffRetries: number;
}

/** Frozen: callers pass other settings in (`options.retry`, or the context: see settingsFor). */
export const DEFAULT_ATLAS_RETRY: Readonly<AtlasRetryPolicy> = Object.freeze({
	transientRetries: 1,
	backoffRetries: 5,
	baseDelayMs: 1000,
	maxDelayMs: 30000,
	...DEFAULT_RESPONSE_LIMITS,
});

export interface AtlasRequestOptions {
	retry?: Partial<AtlasRetryPolicy>;
	timeoutMs?: number;
	itemIndex?: number;
	/** Secrets the request carries besides the credential's (a token inside a URL sent). */
	secrets?: readonly string[];
}

/** How an attempt ended, once the transport has read it. */
type Outcome =
	| { kind: 'ok'; envelope: AtlasEnvelope }
	| { kind: 'envelope'; envelope: AtlasEnvelope }
	| { kind: 'http'; statusCode: number; retryAfter?: number; body: string }
	| { kind: 'malformed'; statusCode: number; body: string }
	| { kind: 'redirect'; statusCode: number; location: string }
	| { kind: 'network'; code: string; message: string; transient: boolean }
	| { kind: 'broken'; code: string; message: string };

const snippet = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

function readOutcome(attempt: Attempt): Outcome {
	switch (attempt.kind) {
		case 'redirect':
			return attempt;
		case 'unsent':
			return { ...attempt, kind: 'network', transient: isRetryableUnsent(attempt.code) };
		// Atlas calls read or set the same thing again: a repeat after no answer is harmless.
		case 'noAnswer':
			return { ...attempt, kind: 'network', transient: true };
		case 'brokenBody':
			return { kind: 'broken', code: attempt.code, message: attempt.message };
		case 'response':
			break;
	}
	const { statusCode, text } = attempt;
	if (statusCode < 200 || statusCode > 299) {
		return { kind: 'http', statusCode, retryAfter: retryAfterMs(attempt.headers), body: text };
	}
	const parsed = atlasEnvelopeSchema.safeParse(attempt.body);
	if (!parsed.success) return { kind: 'malformed', statusCode, body: text };
	const envelope = parsed.data as AtlasEnvelope;
	return envelope.status === AtlasStatus.ok
		? { kind: 'ok', envelope }
		: { kind: 'envelope', envelope };
}

/** Which retry budget an outcome may draw on, if any. */
function retryBudgetFor(
	outcome: Outcome,
	endpoint: AtlasEndpoint,
): 'transient' | 'backoff' | undefined {
	switch (outcome.kind) {
		case 'network':
			return outcome.transient ? 'transient' : undefined;
		case 'malformed':
		case 'broken':
			return 'transient';
		case 'http':
			return isRetryableHttpStatus(outcome.statusCode) ? 'backoff' : undefined;
		case 'envelope': {
			const handling = atlasStatusRule(outcome.envelope.status, endpoint)?.handling;
			if (handling === 'backOff') return 'backoff';
			return handling === 'retryOnce' ? 'transient' : undefined;
		}
		default:
			return undefined;
	}
}

function toNodeApiError(
	this: AtlasRequestContext,
	endpoint: AtlasEndpoint,
	attempt: Exclude<Outcome, { kind: 'ok' }>,
	attempts: number,
	itemIndex?: number,
): NodeApiError {
	const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
	const task = ATLAS_TASKS[endpoint];
	const options = { itemIndex };
	switch (attempt.kind) {
		case 'envelope': {
			const { status, msg } = attempt.envelope;
			const error = apiError(this.getNode(), { status, msg } as JsonObject, {
				...options,
				message: `${task}: Atlas refused the request with status ${status}${msg ? `: ${msg}` : ''}${tries}`,
				description: atlasStatusAdvice(status, endpoint),
				httpCode: '200',
			});
			return Object.assign(error, { atlasStatus: status });
		}
		case 'http':
			return apiError(this.getNode(), { body: snippet(attempt.body) } as JsonObject, {
				...options,
				message: `${task}: Atlas answered HTTP ${attempt.statusCode}${tries}`,
				description: isRetryableHttpStatus(attempt.statusCode)
					? 'Atlas is overloaded or unavailable. Try again later.'
					: [401, 403].includes(attempt.statusCode)
						? `Atlas or a firewall in front of it refused the request. Check the client ID and client secret, and on production that your n8n's outgoing IP address is on the account's IP whitelist. Response: ${snippet(attempt.body)}`
						: `Response: ${snippet(attempt.body)}`,
				httpCode: String(attempt.statusCode),
			});
		case 'malformed':
			return apiError(this.getNode(), { body: snippet(attempt.body) } as JsonObject, {
				...options,
				message: `${task}: the answer is not one Atlas sends (no status in JSON)${tries}`,
				description: `Received: ${snippet(attempt.body) || '(empty body)'}. Check the base URL of the Atlas API credential.`,
				httpCode: String(attempt.statusCode),
			});
		case 'redirect':
			return redirectApiError(this.getNode(), {
				service: 'Atlas',
				statusCode: attempt.statusCode,
				location: attempt.location,
				advice: 'the base URL of the Atlas API credential',
				itemIndex,
			});
		case 'broken':
			return apiError(this.getNode(), { code: attempt.code } as JsonObject, {
				...options,
				message: `${task}: Atlas' answer broke off (${attempt.code})${tries}`,
				description: `${attempt.message}. Try again; if it persists, check the network between n8n and Atlas.`,
			});
		case 'network':
			return networkApiError(this.getNode(), {
				service: 'Atlas',
				code: attempt.code,
				detail: attempt.message,
				advice: 'the base URL of the Atlas API credential',
				attempts,
				itemIndex,
			});
	}
}

/**
 * Sends one Atlas call and returns its envelope when `status` is 0. Retries what is safe to retry:
 * -1/9999, network failures and unreadable bodies once; 110 and HTTP 429/5xx with exponential backoff.
 * Every other outcome becomes a NodeApiError that says what happened and what to do.
 */
export async function atlasApiRequest(
	this: AtlasRequestContext,
	endpoint: AtlasEndpoint,
	body: IDataObject,
	options: AtlasRequestOptions = {},
): Promise<AtlasEnvelope> {
	const policy = settingsFor(this, DEFAULT_ATLAS_RETRY, options);
	const credentials = (await this.getCredentials(ATLAS_CREDENTIAL_TYPE)) as AtlasCredentialData &
		IDataObject;
	const secrets = secretValues([
		credentials.clientSecret,
		credentials.webhookToken,
		atlasWebhookToken(credentials),
		...(options.secrets ?? []),
	]);
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: `${atlasBaseUrl(credentials)}/${endpoint}.do`,
		body,
		json: true,
		headers: { ...ATLAS_REQUEST_HEADERS },
	};
	const judge = (attempt: Attempt): RetryVerdict<AtlasEnvelope> => {
		const outcome = readOutcome(attempt);
		if (outcome.kind === 'ok') return { value: outcome.envelope };
		return {
			budget: retryBudgetFor(outcome, endpoint),
			serverHintMs: outcome.kind === 'http' ? outcome.retryAfter : undefined,
			fail: (attempts) => toNodeApiError.call(this, endpoint, outcome, attempts, options.itemIndex),
		};
	};
	return await sendWithRetry(
		async () => await sendAttempt.call(this, ATLAS_CREDENTIAL_TYPE, request, policy, secrets),
		judge,
		{
			...policy,
			budgets: { transient: policy.transientRetries, backoff: policy.backoffRetries },
		},
	);
}
