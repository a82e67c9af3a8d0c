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

/** What to do with one attempt's outcome. */
export type RetryVerdict<T> =
	| { value: T }
	| {
			/** The retry budget this outcome may draw on; none: never retried. */
			budget?: string;
			/** The server's Retry-After, if it sent one. */
			serverHintMs?: number;
			/** The error to throw once no retry is left, given the number of attempts made. */
			fail: (attempts: number) => Error;
	  };

export interface RetryPolicy extends BackoffPolicy {
	/** Retries allowed per budget, e.g. `{ backoff: 3 }`. */
	budgets: Record<string, number>;
}

/**
 * The one retry loop of both transports: `send` makes an attempt, `judge` says whether it is the
 * answer, a failure worth another try (and from which budget), or final.
 */
export async function sendWithRetry<A, T>(
	send: () => Promise<A>,
	judge: (attempt: A) => RetryVerdict<T>,
	policy: RetryPolicy,
): Promise<T> {
	const used: Record<string, number> = {};
	for (let attempts = 1; ; attempts++) {
		const verdict = judge(await send());
		if ('value' in verdict) return verdict.value;
		const { budget } = verdict;
		const spent = budget === undefined ? 0 : (used[budget] ?? 0);
		if (budget === undefined || spent >= (policy.budgets[budget] ?? 0)) {
			throw verdict.fail(attempts);
		}
		used[budget] = spent + 1;
		await waitBeforeRetry(spent + 1, policy, verdict.serverHintMs);
	}
}
