import {
	backoffDelayMs,
	isBrokenResponseError,
	isRetryableHttpStatus,
	isTransientNetworkError,
	retryAfterMs,
} from '../../nodes/shared/retry';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('retry classification', () => {
	it.each([
		['ECONNRESET', true, false],
		['ETIMEDOUT', true, false],
		['ECONNABORTED', true, false],
		['Z_BUF_ERROR', true, true],
		['Z_DATA_ERROR', true, true],
		['ENOTFOUND', false, false],
		['ERR_TLS_CERT_ALTNAME_INVALID', false, false],
	])('%s: transient %s, broken body %s', (code, transient, broken) => {
		expect(isTransientNetworkError(withCode(code))).toBe(transient);
		expect(isBrokenResponseError(withCode(code))).toBe(broken);
	});

	it('finds the code on a wrapped cause and reads "unexpected end of file" as a broken body', () => {
		const wrapped = Object.assign(new Error('request failed'), { cause: withCode('Z_BUF_ERROR') });
		expect(isBrokenResponseError(wrapped)).toBe(true);
		expect(isBrokenResponseError(new Error('unexpected end of file'))).toBe(true);
		expect(isBrokenResponseError(new Error('socket hang up'))).toBe(false);
		expect(isTransientNetworkError(new Error('socket hang up'))).toBe(true);
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
});
