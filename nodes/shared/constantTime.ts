import { createHash, timingSafeEqual } from 'crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Equal-time comparison of two secrets of any length: hashing first makes the buffers the same
 * length, so neither the content nor the expected length leaks through timing.
 */
export function constantTimeEqual(a: string, b: string): boolean {
	return timingSafeEqual(digest(a), digest(b)) && a.length === b.length;
}
