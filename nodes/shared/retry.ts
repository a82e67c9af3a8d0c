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

/**
 * How long to wait before retry number `retryNumber` (1-based): a server's hint (Retry-After, a
 * rate-limit reset) when it asks for longer than the backoff, within the cap. A hint of "now" or a
 * time already past (clocks differ) never turns the retries into a burst.
 */
export function retryDelayMs(
	retryNumber: number,
	policy: BackoffPolicy,
	serverHintMs?: number,
): number {
	const backoff = backoffDelayMs(retryNumber, policy);
	return Math.min(Math.max(serverHintMs ?? 0, backoff), policy.maxDelayMs);
}

export async function waitBeforeRetry(
	retryNumber: number,
	policy: BackoffPolicy,
	serverHintMs?: number,
): Promise<void> {
	const delay = retryDelayMs(retryNumber, policy, serverHintMs);
	if (delay > 0) await sleep(delay);
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

export const isRetryableHttpStatus = (status: number): boolean =>
	status === 429 || (status >= 500 && status <= 599);

/** The two kinds of retry: once (a hiccup), or several with growing pauses (an overload). */
export type RetryKind = 'once' | 'backOff';

/** One API's retry rules: how often each kind of failure is tried again, and the pauses. */
export interface RetryTable extends BackoffPolicy {
	once: number;
	backOff: number;
}

/** A failed attempt: the retry it may have (none: final) and the error once none is left. */
export interface Failure {
	retry?: RetryKind;
	/** The server's hint of when to come back (Retry-After, a rate-limit reset), if it gave one. */
	serverHintMs?: number;
	/** The error to throw, given the number of attempts made. */
	error: (attempts: number) => Error;
}

/** What an API makes of one attempt: the answer, or a failure. */
export type Reading<T> = { value: T } | Failure;

/** The one retry loop of both transports: attempts until an answer or a failure with no retry left. */
export async function withRetries<T>(
	attempt: () => Promise<Reading<T>>,
	table: RetryTable,
): Promise<T> {
	const used: Record<RetryKind, number> = { once: 0, backOff: 0 };
	for (let attempts = 1; ; attempts++) {
		const reading = await attempt();
		if ('value' in reading) return reading.value;
		const { retry } = reading;
		if (retry === undefined || used[retry] >= table[retry]) throw reading.error(attempts);
		used[retry]++;
		await waitBeforeRetry(used[retry], table, reading.serverHintMs);
	}
}
