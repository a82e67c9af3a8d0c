/**
 * One HTTP attempt to a provider, with everything a hostile or broken server could abuse closed
 * off: no redirect is followed (credentials would go with it), the whole attempt has a deadline
 * (a server trickling a byte at a time never trips an idle timeout), the body has a size cap, and
 * credential values are removed from whatever comes back. Both transports send through here; the
 * caller decides what each outcome means (retry, error, or "the batch may be lost").
 */
import type {
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { parseJson } from './json';
import { type Redactor, redactCutText, redactorFor, redactText, redactValue } from './redact';
import { networkErrorCode } from './retry';

export type ApiRequestContext =
	| IExecuteFunctions
	| ILoadOptionsFunctions
	| IHookFunctions
	| IPollFunctions
	| IWebhookFunctions;

/** What one attempt may take: any answer beyond these is cut off and reported. */
export const RESPONSE_LIMITS = Object.freeze({
	/** Silence allowed while waiting for the server (n8n's request timeout). */
	requestTimeoutMs: 30_000,
	/** Time one attempt may take in all, from sending to the last byte of the body. */
	deadlineMs: 120_000,
	/** Largest body accepted, after decompression. */
	maxResponseBytes: 10 * 1024 * 1024,
});

export type Attempt =
	/** A complete answer. `body`: parsed JSON, the text when it is not JSON, undefined when empty. */
	| { kind: 'response'; statusCode: number; headers: unknown; body: unknown; text: string }
	/** A 3xx: not followed. */
	| { kind: 'redirect'; statusCode: number; location: string }
	/** The request never reached the server: nothing was handled there. */
	| { kind: 'unsent'; code: string; message: string }
	/** Sent, but no answer came (timeout, reset, deadline): the server may have handled it. */
	| { kind: 'noAnswer'; code: string; message: string }
	/** An answer started and broke off, ran past the deadline or the size cap. */
	| { kind: 'brokenBody'; statusCode: number; code: string; message: string; partialText: string };

/** Failures that prove the request never left this machine or found no server to take it. */
const UNSENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']);

/** Codes of Node's HTTP parser (HPE_…): something answered, but not in readable HTTP. */
export const isUnreadableAnswer = (code: string): boolean => code.startsWith('HPE_');

/** Unsent attempts worth another try: the server refused, or name resolution failed for now. */
const RETRYABLE_UNSENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN']);
export const isRetryableUnsent = (code: string): boolean => RETRYABLE_UNSENT_CODES.has(code);

/** The code n8n's helper gives a request whose abort signal fired: here, always the deadline. */
const ABORTED = 'ERR_CANCELED';

class DeadlineError extends Error {
	code = 'ETIMEDOUT';
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

interface Readable {
	on(event: string, listener: (...args: unknown[]) => void): unknown;
	destroy(): unknown;
}

const isReadable = (value: unknown): value is Readable =>
	typeof value === 'object' &&
	value !== null &&
	typeof (value as Readable).on === 'function' &&
	typeof (value as Readable).destroy === 'function';

function discard(body: unknown): void {
	if (isReadable(body)) body.destroy();
}

/** The request's promise, or a DeadlineError when the deadline comes first (a late answer is closed). */
async function beforeDeadline<T extends { body?: unknown }>(
	pending: Promise<T>,
	deadline: AbortSignal,
	deadlineMs: number,
): Promise<T> {
	return await new Promise<T>((resolve, reject) => {
		const onDeadline = () => {
			reject(new DeadlineError(`No answer within ${seconds(deadlineMs)}`));
			pending.then(
				(late) => discard(late.body),
				() => undefined,
			);
		};
		if (deadline.aborted) return onDeadline();
		deadline.addEventListener('abort', onDeadline, { once: true });
		pending.then(
			(value) => {
				deadline.removeEventListener('abort', onDeadline);
				resolve(value);
			},
			(error: unknown) => {
				deadline.removeEventListener('abort', onDeadline);
				reject(error);
			},
		);
	});
}

type BodyRead =
	| { ok: true; data: Buffer }
	| { ok: false; data: Buffer; code: string; message: string };

/** Reads a response body whole, within the size cap and the deadline. */
async function readBody(body: unknown, deadline: AbortSignal): Promise<BodyRead> {
	const limits = RESPONSE_LIMITS;
	if (!isReadable(body)) {
		// Not a stream (a stubbed helper): take what it holds.
		if (body === undefined || body === null) return { ok: true, data: Buffer.alloc(0) };
		if (Buffer.isBuffer(body)) return { ok: true, data: body };
		const text = typeof body === 'string' ? body : JSON.stringify(body);
		return { ok: true, data: Buffer.from(text, 'utf8') };
	}
	return await new Promise<BodyRead>((resolve) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let settled = false;
		const settle = (result: BodyRead) => {
			if (settled) return;
			settled = true;
			deadline.removeEventListener('abort', onDeadline);
			resolve(result);
		};
		const fail = (code: string, message: string) => {
			settle({ ok: false, data: Buffer.concat(chunks), code, message });
			body.destroy();
		};
		const onDeadline = () =>
			fail('ETIMEDOUT', `The response was still arriving after ${seconds(limits.deadlineMs)}`);
		if (deadline.aborted) return onDeadline();
		deadline.addEventListener('abort', onDeadline, { once: true });
		body.on('data', (chunk: unknown) => {
			if (settled) return;
			const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), 'utf8');
			size += data.length;
			if (size > limits.maxResponseBytes) {
				fail('ETOOLARGE', `The response is larger than ${megabytes(limits.maxResponseBytes)}`);
				return;
			}
			chunks.push(data);
		});
		body.on('end', () => settle({ ok: true, data: Buffer.concat(chunks) }));
		body.on('error', (error: unknown) => {
			// Where n8n hands the deadline's signal on to the request, the body ends with its abort.
			if (deadline.aborted) return onDeadline();
			fail(networkErrorCode(error) ?? 'ECONNRESET', (error as Error).message);
		});
		body.on('close', () =>
			fail('ECONNRESET', 'The connection closed before the response was complete'),
		);
	});
}

/**
 * What a body says: parsed JSON, or its text when it is not JSON (or nested absurdly deep). Text
 * that is not JSON may have been cut off by whoever sent it, inside an echoed secret.
 */
function interpret(text: string, secrets: Redactor): { body: unknown; text: string } {
	const parsed = text.trim() === '' ? undefined : parseJson(text);
	if (parsed?.ok) {
		return { body: redactValue(parsed.value, secrets), text: redactText(text, secrets) };
	}
	const redacted = redactCutText(text, secrets);
	return { body: parsed ? redacted : undefined, text: redacted };
}

function headerValue(headers: unknown, name: string): string {
	const value = (headers as Record<string, unknown> | undefined)?.[name];
	return String((Array.isArray(value) ? value[0] : value) ?? '');
}

/**
 * Sends one request with the credential's authentication and reads the answer whole. Never
 * throws for what the server or the network does: every outcome is an `Attempt`.
 */
export async function sendAttempt(
	this: ApiRequestContext,
	credentialType: string,
	request: IHttpRequestOptions,
	secretList: readonly string[],
): Promise<Attempt> {
	const limits = RESPONSE_LIMITS;
	// Compiled for this attempt only: no credential outlives the call in memory.
	const secrets = redactorFor(secretList);
	const deadline = AbortSignal.timeout(limits.deadlineMs);
	let response: IN8nHttpFullResponse;
	try {
		const pending = this.helpers.httpRequestWithAuthentication.call(this, credentialType, {
			...request,
			timeout: limits.requestTimeoutMs,
			abortSignal: deadline,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
		}) as Promise<IN8nHttpFullResponse>;
		response = await beforeDeadline(pending, deadline, limits.deadlineMs);
	} catch (error) {
		// Rebuilt, never rethrown: the request error carries the request and its credentials.
		const code = networkErrorCode(error) ?? 'NETWORK_ERROR';
		const message = redactText((error as Error).message ?? String(error), secrets);
		return UNSENT_CODES.has(code)
			? { kind: 'unsent', code, message }
			: { kind: 'noAnswer', code: code === ABORTED ? 'ETIMEDOUT' : code, message };
	}

	const { statusCode, headers } = response;
	if (statusCode >= 300 && statusCode <= 399) {
		discard(response.body);
		const location = redactText(headerValue(headers, 'location'), secrets);
		return { kind: 'redirect', statusCode, location };
	}
	const read = await readBody(response.body, deadline);
	const text = read.data.toString('utf8');
	if (!read.ok) {
		return {
			kind: 'brokenBody',
			statusCode,
			code: read.code,
			message: redactText(read.message, secrets),
			partialText: redactCutText(text, secrets),
		};
	}
	return { kind: 'response', statusCode, headers, ...interpret(text, secrets) };
}

/** The request with `headers` added over its own: what both credentials' `authenticate` do. */
export const withHeaders = (
	requestOptions: IHttpRequestOptions,
	headers: Record<string, string>,
): IHttpRequestOptions => ({
	...requestOptions,
	headers: { ...requestOptions.headers, ...headers },
});
