/**
 * The only place that talks HTTP to Rapid. The credential signs every request afresh; this module
 * sends it, retries what is safe, and turns Rapid's error body into a NodeApiError people can act on.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
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
	isBrokenResponseError,
	isTransientNetworkError,
	networkErrorCode,
	retryAfterMs,
	waitBeforeRetry,
} from '../../shared/retry';
import { networkApiError } from '../../shared/errors';
import { rapidBaseUrl, type RapidCredentialData } from './baseUrl';

export const RAPID_CREDENTIAL_TYPE = 'expediaRapidApi';
const USER_AGENT = 'n8n-nodes-travel-ops';

export type RapidRequestContext =
	| IExecuteFunctions
	| ILoadOptionsFunctions
	| IHookFunctions
	| IWebhookFunctions;

/** Rapid's documented error body; anything else it sends is kept but not relied on. */
export const rapidErrorSchema = z
	.object({
		type: z.string().optional(),
		message: z.string().optional(),
		fields: z
			.array(
				z
					.object({
						name: z.string().optional(),
						type: z.string().optional(),
						value: z.unknown().optional(),
					})
					.passthrough(),
			)
			.optional(),
		errors: z.array(z.unknown()).optional(),
	})
	.passthrough();

export type RapidErrorBody = z.infer<typeof rapidErrorSchema>;

export interface RapidRetryPolicy extends BackoffPolicy {
	/** How long one attempt may take. */
	requestTimeoutMs: number;
	/** Retries with exponential backoff for HTTP 429/5xx (and network failures on GET). */
	retries: number;
}

export const DEFAULT_RAPID_RETRY: RapidRetryPolicy = {
	retries: 3,
	baseDelayMs: 1000,
	maxDelayMs: 30000,
	requestTimeoutMs: 30000,
};

export interface RapidRequestOptions {
	qs?: IDataObject;
	body?: IDataObject;
	/** Overrides the credential's host, e.g. the test host for test notifications. */
	baseUrl?: string;
	retry?: Partial<RapidRetryPolicy>;
	timeoutMs?: number;
	itemIndex?: number;
}

export interface RapidResponse<T = unknown> {
	statusCode: number;
	body: T;
}

const snippet = (text: string): string => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

function parseBody(raw: unknown): unknown {
	if (typeof raw !== 'string') return raw;
	if (raw.trim() === '') return undefined;
	try {
		return JSON.parse(raw);
	} catch {
		return raw;
	}
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
	400: 'Rapid did not accept the request; the fields above say which part.',
	401: "Rapid rejected the signature. Check the API key and shared secret of the Expedia Rapid API credential, and this machine's clock.",
	403: 'Rapid refused access for this API key. Ask Rapid support to enable the notifications API for your account.',
	404: 'Rapid does not know this path. Check the environment and base URL of the credential.',
	426: 'Rapid requires TLS 1.2 or newer.',
	429: 'Rapid rate-limited these requests and the retries ran out. Run the workflow less often.',
};

/** Fields of a 401 body that echo what we sent: the API key is a credential, so it never shows. */
const ECHOED_CREDENTIAL_FIELDS = ['apikey', 'signature'];

function withoutCredentials(error: RapidErrorBody): RapidErrorBody {
	if (!error.fields) return error;
	return {
		...error,
		fields: error.fields.map((field) =>
			ECHOED_CREDENTIAL_FIELDS.includes(field.name?.toLowerCase() ?? '')
				? { ...field, value: '[redacted]' }
				: field,
		),
	};
}

/** Builds a readable error from Rapid's error body; never includes request headers or keys. */
export function rapidHttpError(
	this: RapidRequestContext,
	path: string,
	statusCode: number,
	rawBody: unknown,
	attempts: number,
	itemIndex?: number,
): NodeApiError {
	const parsed = rapidErrorSchema.safeParse(rawBody);
	const errorBody: RapidErrorBody = parsed.success ? parsed.data : {};
	const text = typeof rawBody === 'string' ? rawBody : JSON.stringify(rawBody ?? '');
	const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
	const summary = errorBody.message ?? (text ? snippet(text) : 'no error body');
	const fieldList = (errorBody.fields ?? [])
		.filter((f) => f.name?.toLowerCase() !== 'servertimestamp')
		.map((f) => `${f.name ?? '?'}${f.type ? ` (${f.type})` : ''}`)
		.join(', ');
	const description = [
		fieldList ? `Fields: ${fieldList}.` : undefined,
		statusCode === 401 ? describeClockSkew(errorBody) : undefined,
		STATUS_ADVICE[statusCode] ??
			(statusCode >= 500 ? 'Rapid is unavailable. Try again later.' : undefined),
	]
		.filter(Boolean)
		.join(' ');
	return new NodeApiError(
		this.getNode(),
		(parsed.success ? withoutCredentials(errorBody) : { body: snippet(text) }) as JsonObject,
		{
			message: `Rapid ${path} answered ${statusCode}${errorBody.type ? ` ${errorBody.type}` : ''}: ${summary}${tries}`,
			description: description || undefined,
			httpCode: String(statusCode),
			itemIndex,
		},
	);
}

/**
 * Sends one signed Rapid request. Retries HTTP 429/5xx with backoff (and network failures for GET,
 * which changes nothing on the server when it never arrived); everything else is mapped to an error.
 */
export async function rapidApiRequest<T = unknown>(
	this: RapidRequestContext,
	method: IHttpRequestMethods,
	path: string,
	options: RapidRequestOptions = {},
): Promise<RapidResponse<T>> {
	const policy = { ...DEFAULT_RAPID_RETRY, ...options.retry };
	const credentials = (await this.getCredentials(RAPID_CREDENTIAL_TYPE)) as RapidCredentialData;
	const request: IHttpRequestOptions = {
		method,
		url: `${options.baseUrl ?? rapidBaseUrl(credentials)}${path}`,
		qs: options.qs,
		body: options.body,
		json: true,
		headers: { Accept: 'application/json', 'Accept-Encoding': 'gzip', 'User-Agent': USER_AGENT },
		timeout: options.timeoutMs ?? policy.requestTimeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};

	for (let attempts = 1; ; attempts++) {
		let response: IN8nHttpFullResponse;
		try {
			response = (await this.helpers.httpRequestWithAuthentication.call(
				this,
				RAPID_CREDENTIAL_TYPE,
				request,
			)) as IN8nHttpFullResponse;
		} catch (error) {
			// A broken body means Rapid did answer: for the undeliverable queue the notifications in
			// it are already deleted, so say so instead of quietly asking for the next batch.
			if (isBrokenResponseError(error)) {
				throw new NodeApiError(
					this.getNode(),
					{ networkErrorCode: networkErrorCode(error) ?? '' } as JsonObject,
					{
						message: `Rapid's response to ${method} ${path} was cut off in transit`,
						description:
							'Rapid handled the request but the answer arrived incomplete. For undeliverable notifications this means the ones in that answer are lost (Rapid deletes what it returns): ask Rapid support to resend them.',
						itemIndex: options.itemIndex,
					},
				);
			}
			const retryable = method === 'GET' && isTransientNetworkError(error);
			if (retryable && attempts <= policy.retries) {
				await waitBeforeRetry(attempts, policy);
				continue;
			}
			// Rebuilt rather than rethrown: the request error carries the signed Authorization header.
			throw networkApiError(this.getNode(), {
				service: 'Rapid',
				code: networkErrorCode(error) ?? 'NETWORK_ERROR',
				detail: (error as Error).message,
				advice: 'the environment and base URL of the Expedia Rapid API credential',
				attempts,
				itemIndex: options.itemIndex,
			});
		}

		const { statusCode } = response;
		const body = parseBody(response.body);
		if (statusCode >= 200 && statusCode <= 299) return { statusCode, body: body as T };
		if (isRetryableHttpStatus(statusCode) && attempts <= policy.retries) {
			await waitBeforeRetry(attempts, policy, retryAfterMs(response.headers));
			continue;
		}
		throw rapidHttpError.call(this, path, statusCode, body, attempts, options.itemIndex);
	}
}
