import { sleep } from 'n8n-workflow';

/** How long to wait between attempts: exponential from `baseDelayMs`, capped at `maxDelayMs`. */
export interface BackoffPolicy {
	baseDelayMs: number;
	maxDelayMs: number;
}

export function backoffDelayMs(retryNumber: number, policy: BackoffPolicy): number {
	return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
}

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: unknown, now = Date.now()): number | undefined {
	if (!headers || typeof headers !== 'object') return undefined;
	const raw = (headers as Record<string, unknown>)['retry-after'];
	const value = Array.isArray(raw) ? raw[0] : raw;
	if (typeof value !== 'string' && typeof value !== 'number') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	const date = Date.parse(String(value));
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Waits before retry number `retryNumber` (1-based); a server's Retry-After wins, within the cap. */
export async function waitBeforeRetry(
	retryNumber: number,
	policy: BackoffPolicy,
	serverHintMs?: number,
): Promise<void> {
	const delay =
		serverHintMs === undefined
			? backoffDelayMs(retryNumber, policy)
			: Math.min(serverHintMs, policy.maxDelayMs);
	if (delay > 0) await sleep(delay);
}

/** Network-level failures where the request may not have been processed and a retry is safe. */
const TRANSIENT_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** The server answered, but the body broke in transit (cut-off gzip stream). */
const BROKEN_BODY_CODES = new Set(['Z_BUF_ERROR', 'Z_DATA_ERROR']);

/**
 * A response that arrived broken: the server did handle the request. Safe to retry for reads that
 * change nothing, but not for calls whose answer is the only copy of what they return.
 */
export function isBrokenResponseError(error: unknown): boolean {
	const code = networkErrorCode(error);
	if (code && BROKEN_BODY_CODES.has(code)) return true;
	const message = error instanceof Error ? error.message.toLowerCase() : '';
	return message.includes('unexpected end of file');
}

/** The low-level error code behind an error thrown by n8n's request helpers (wrapped or not). */
export function networkErrorCode(error: unknown): string | undefined {
	const seen = new Set<unknown>();
	let current: unknown = error;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && code.length > 0) return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

/** Failures where the request may never have been handled, or (broken bodies) safely re-read. */
export function isTransientNetworkError(error: unknown): boolean {
	const code = networkErrorCode(error);
	if (code && TRANSIENT_NETWORK_CODES.has(code)) return true;
	if (isBrokenResponseError(error)) return true;
	const message = error instanceof Error ? error.message.toLowerCase() : '';
	return message.includes('socket hang up') || message.includes('timeout');
}

export const isRetryableHttpStatus = (status: number): boolean =>
	status === 429 || (status >= 500 && status <= 599);
