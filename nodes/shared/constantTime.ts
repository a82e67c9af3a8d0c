import { hash, timingSafeEqual } from 'crypto';

// A hex digest turned into bytes costs less than asking for the bytes.
const digest = (value: string) => Buffer.from(hash('sha256', value, 'hex'), 'latin1');

/**
 * Equal-time comparison of two secrets of any length: hashing first makes the buffers the same
 * length, so neither the content nor the expected length leaks through timing.
 */
export function constantTimeEqual(given: string, expectedValue: string): boolean {
	return (
		timingSafeEqual(digest(given), digest(expectedValue)) && given.length === expectedValue.length
	);
}
