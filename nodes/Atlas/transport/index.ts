/**
 * The only place that talks HTTP to Atlas. Every call is `POST {baseUrl}/{endpoint}.do` with a JSON
 * body; success is decided by the envelope's `status` alone (Atlas answers HTTP 200 to bad keys).
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import { z } from 'zod';

import {
	type BackoffPolicy,
	isRetryableHttpStatus,
	isTransientNetworkError,
	networkErrorCode,
	retryAfterMs,
	waitBeforeRetry,
} from '../../shared/retry';
import { networkApiError } from '../../shared/errors';
import { atlasBaseUrl, type AtlasCredentialData } from './baseUrl';

export const ATLAS_CREDENTIAL_TYPE = 'atlasApi';

export type AtlasRequestContext =
	| IExecuteFunctions
	| ILoadOptionsFunctions
	| IHookFunctions
	| IWebhookFunctions;

export type AtlasEndpoint = 'updateWebhookURL' | 'event/getPageList';

export const AtlasStatus = {
	ok: 0,
	systemError: 2,
	rateLimited: 110,
	unauthorized: 900,
	accessDenied: 902,
	transient: 9999,
	transientLegacy: -1,
} as const;

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

export interface AtlasRetryPolicy extends BackoffPolicy {
	/** How long one attempt may take. */
	requestTimeoutMs: number;
	/** Retries for -1/9999, network failures and unreadable bodies (Atlas: "retry once"). */
	transientRetries: number;
	/** Retries with exponential backoff for status 110 and HTTP 429/5xx. */
	backoffRetries: number;
}

export const DEFAULT_ATLAS_RETRY: AtlasRetryPolicy = {
	transientRetries: 1,
	backoffRetries: 5,
	baseDelayMs: 1000,
	maxDelayMs: 30000,
	requestTimeoutMs: 30000,
};

export interface AtlasRequestOptions {
	retry?: Partial<AtlasRetryPolicy>;
	timeoutMs?: number;
	itemIndex?: number;
}

const HINTS: Record<number, string> = {
	[AtlasStatus.unauthorized]:
		'Atlas rejected the client ID or client secret. Check the Atlas API credential: environment, base URL and keys.',
	[AtlasStatus.accessDenied]:
		'Atlas denied access. Ask Atlas to enable this API for your account; production also only accepts calls from allow-listed IP addresses.',
	[AtlasStatus.rateLimited]:
		'Atlas rate-limited these requests and the retries ran out. Run the workflow less often or fetch fewer pages, then try again.',
	[AtlasStatus.systemError]:
		'Atlas reported a system error. Try again later; if it persists, contact Atlas support with the time of the request.',
	[AtlasStatus.transient]: 'Atlas reported a temporary failure twice in a row. Try again shortly.',
	[AtlasStatus.transientLegacy]:
		'Atlas reported a temporary failure twice in a row. Try again shortly.',
};

type Attempt =
	| { kind: 'ok'; envelope: AtlasEnvelope }
	| { kind: 'envelope'; envelope: AtlasEnvelope }
	| { kind: 'http'; statusCode: number; retryAfter?: number; body: string }
	| { kind: 'malformed'; statusCode: number; body: string }
	| { kind: 'network'; code: string; message: string; transient: boolean };

const snippet = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

function readEnvelope(response: IN8nHttpFullResponse): Attempt {
	const { statusCode } = response;
	const raw = response.body;
	const text = typeof raw === 'string' ? raw : JSON.stringify(raw ?? '');
	if (statusCode < 200 || statusCode > 299) {
		return { kind: 'http', statusCode, retryAfter: retryAfterMs(response.headers), body: text };
	}
	let value: unknown = raw;
	if (typeof raw === 'string') {
		try {
			value = JSON.parse(raw);
		} catch {
			return { kind: 'malformed', statusCode, body: text };
		}
	}
	const parsed = atlasEnvelopeSchema.safeParse(value);
	if (!parsed.success) return { kind: 'malformed', statusCode, body: text };
	const envelope = parsed.data as AtlasEnvelope;
	return envelope.status === AtlasStatus.ok
		? { kind: 'ok', envelope }
		: { kind: 'envelope', envelope };
}

async function sendOnce(this: AtlasRequestContext, request: IHttpRequestOptions): Promise<Attempt> {
	try {
		const response = (await this.helpers.httpRequestWithAuthentication.call(
			this,
			ATLAS_CREDENTIAL_TYPE,
			request,
		)) as IN8nHttpFullResponse;
		return readEnvelope(response);
	} catch (error) {
		// Rebuilt rather than rethrown: the request error carries the request, auth headers included.
		return {
			kind: 'network',
			code: networkErrorCode(error) ?? 'NETWORK_ERROR',
			message: (error as Error).message,
			transient: isTransientNetworkError(error),
		};
	}
}

/** Which retry budget an attempt draws on, if any. */
function retryBudgetFor(attempt: Attempt): 'transient' | 'backoff' | undefined {
	switch (attempt.kind) {
		case 'network':
			return attempt.transient ? 'transient' : undefined;
		case 'malformed':
			return 'transient';
		case 'http':
			return isRetryableHttpStatus(attempt.statusCode) ? 'backoff' : undefined;
		case 'envelope': {
			const { status } = attempt.envelope;
			if (status === AtlasStatus.rateLimited) return 'backoff';
			if (status === AtlasStatus.transient || status === AtlasStatus.transientLegacy) {
				return 'transient';
			}
			return undefined;
		}
		default:
			return undefined;
	}
}

function toNodeApiError(
	this: AtlasRequestContext,
	endpoint: AtlasEndpoint,
	attempt: Exclude<Attempt, { kind: 'ok' }>,
	attempts: number,
	itemIndex?: number,
): NodeApiError {
	const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
	const where = `${endpoint}.do`;
	const options = { itemIndex };
	switch (attempt.kind) {
		case 'envelope': {
			const { status, msg } = attempt.envelope;
			return new NodeApiError(this.getNode(), { status, msg } as JsonObject, {
				...options,
				message: `Atlas ${where} failed with status ${status}${msg ? `: ${msg}` : ''}${tries}`,
				description: HINTS[status] ?? 'See the Atlas API documentation for this status code.',
				httpCode: '200',
			});
		}
		case 'http':
			return new NodeApiError(this.getNode(), { body: snippet(attempt.body) } as JsonObject, {
				...options,
				message: `Atlas ${where} answered HTTP ${attempt.statusCode}${tries}`,
				description: isRetryableHttpStatus(attempt.statusCode)
					? 'Atlas is overloaded or unavailable. Try again later.'
					: `Response: ${snippet(attempt.body)}`,
				httpCode: String(attempt.statusCode),
			});
		case 'malformed':
			return new NodeApiError(this.getNode(), { body: snippet(attempt.body) } as JsonObject, {
				...options,
				message: `Atlas ${where} returned a response that is not a JSON envelope${tries}`,
				description: `Received: ${snippet(attempt.body) || '(empty body)'}. Check the base URL of the Atlas API credential.`,
				httpCode: String(attempt.statusCode),
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
	const policy = { ...DEFAULT_ATLAS_RETRY, ...options.retry };
	const credentials = (await this.getCredentials(ATLAS_CREDENTIAL_TYPE)) as AtlasCredentialData;
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: `${atlasBaseUrl(credentials)}/${endpoint}.do`,
		body,
		json: true,
		headers: { Accept: 'application/json', 'Accept-Encoding': 'gzip' },
		timeout: options.timeoutMs ?? policy.requestTimeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};

	const used = { transient: 0, backoff: 0 };
	for (let attempts = 1; ; attempts++) {
		const attempt = await sendOnce.call(this, request);
		if (attempt.kind === 'ok') return attempt.envelope;

		const budget = retryBudgetFor(attempt);
		const limit = budget === 'transient' ? policy.transientRetries : policy.backoffRetries;
		if (!budget || used[budget] >= limit) {
			throw toNodeApiError.call(this, endpoint, attempt, attempts, options.itemIndex);
		}
		used[budget]++;
		const serverHint = attempt.kind === 'http' ? attempt.retryAfter : undefined;
		await waitBeforeRetry(budget === 'transient' ? 1 : used.backoff, policy, serverHint);
	}
}
