import { hash, timingSafeEqual } from 'crypto';

// A hex digest turned into bytes costs less than asking for the bytes.
const digest = (value: string) => Buffer.from(hash('sha256', value, 'hex'), 'latin1');

/** The expected side is the same secret call after call: its digest is kept (one entry). */
let expected: { value: string; digest: Buffer } | undefined;
function expectedDigest(value: string): Buffer {
	if (expected?.value !== value) expected = { value, digest: digest(value) };
	return expected.digest;
}

/**
 * Equal-time comparison of two secrets of any length: hashing first makes the buffers the same
 * length, so neither the content nor the expected length leaks through timing.
 */
export function constantTimeEqual(given: string, expectedValue: string): boolean {
	return (
		timingSafeEqual(digest(given), expectedDigest(expectedValue)) &&
		given.length === expectedValue.length
	);
}
