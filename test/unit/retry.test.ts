import {
	backoffDelayMs,
	isRetryableHttpStatus,
	networkErrorCode,
	retryAfterMs,
	retryDelayMs,
	type Reading,
	type RetryKind,
	withRetries,
} from '../../nodes/shared/retry';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('retry classification', () => {
	it('finds the low-level code on a wrapped cause', () => {
		const wrapped = Object.assign(new Error('request failed'), { cause: withCode('Z_BUF_ERROR') });
		expect(networkErrorCode(wrapped)).toBe('Z_BUF_ERROR');
		expect(networkErrorCode(new Error('no code'))).toBeUndefined();
	});

	it('retries 429 and 5xx only', () => {
		expect([400, 401, 404, 429, 500, 503, 599].map(isRetryableHttpStatus)).toEqual([
			false,
			false,
			false,
			true,
			true,
			true,
			true,
		]);
	});

	it('backs off exponentially up to the cap and honours Retry-After', () => {
		const policy = { baseDelayMs: 1000, maxDelayMs: 30000 };
		expect([1, 2, 3, 5, 6, 10].map((n) => backoffDelayMs(n, policy))).toEqual([
			1000, 2000, 4000, 16000, 30000, 30000,
		]);
		expect(retryAfterMs({ 'retry-after': '7' })).toBe(7000);
		expect(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4_000)).toBe(6000);
		expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
		expect(retryAfterMs(undefined)).toBeUndefined();
	});

	it("waits for a server's hint when it is longer than the backoff, never less than the backoff", () => {
		const policy = { baseDelayMs: 1000, maxDelayMs: 30000 };
		// A reset already past (Rapid's clock ahead of n8n's) or "now": the backoff, not a burst.
		expect([1, 2, 3].map((n) => retryDelayMs(n, policy, 0))).toEqual([1000, 2000, 4000]);
		expect(retryDelayMs(1, policy, 10)).toBe(1000);
		// A later time: wait for it, up to the cap.
		expect(retryDelayMs(1, policy, 7000)).toBe(7000);
		expect(retryDelayMs(2, policy, 90_000)).toBe(30000);
		expect(retryDelayMs(3, policy)).toBe(4000);
	});
});

describe('withRetries', () => {
	const table = (once: number, backOff: number) => ({
		once,
		backOff,
		baseDelayMs: 1,
		maxDelayMs: 2,
	});
	type Outcome = 'ok' | 'busy' | 'flaky' | 'fatal';
	const KIND: Record<Outcome, RetryKind | undefined> = {
		ok: undefined,
		busy: 'backOff',
		flaky: 'once',
		fatal: undefined,
	};
	const read = (outcome: Outcome): Reading<string> =>
		outcome === 'ok'
			? { value: 'done' }
			: { retry: KIND[outcome], error: (attempts) => new Error(`${outcome} after ${attempts}`) };
	const sequence = (...outcomes: Outcome[]) => {
		const sent: Outcome[] = [];
		return {
			sent,
			attempt: async () => {
				const next = outcomes[sent.length] ?? outcomes[outcomes.length - 1];
				sent.push(next);
				return read(next);
			},
		};
	};

	it("retries within each kind's allowance, then returns the answer", async () => {
		const s = sequence('busy', 'flaky', 'busy', 'ok');
		await expect(withRetries(s.attempt, table(1, 2))).resolves.toBe('done');
		expect(s.sent).toHaveLength(4);
	});

	it('throws the final error once an allowance is spent, counting every attempt', async () => {
		const s = sequence('flaky', 'busy', 'flaky');
		await expect(withRetries(s.attempt, table(1, 5))).rejects.toThrow('flaky after 3');
	});

	it('never retries a failure without a retry kind', async () => {
		const s = sequence('fatal', 'ok');
		await expect(withRetries(s.attempt, table(1, 5))).rejects.toThrow('fatal after 1');
		expect(s.sent).toEqual(['fatal']);
	});
});
