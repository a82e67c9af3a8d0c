/** Small pure helpers shared by the sandbox modules. */
import { createHash, timingSafeEqual } from 'crypto';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Equal-time comparison of two secrets of any length (hashed first, so lengths do not leak). */
export const constantTimeEqual = (given: string, expected: string): boolean =>
	timingSafeEqual(sha256(given), sha256(expected));

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `base` with `overrides` applied: nested objects merge (so `{ data: { orderNo: 'X' } }` changes
 * one field of `data`), anything else replaces, and `undefined` removes the field.
 */
export function withOverrides<T extends Record<string, unknown>>(base: T, overrides?: object): T {
	if (!overrides) return base;
	const result: Record<string, unknown> = { ...base };
	for (const [key, value] of Object.entries(overrides)) {
		if (value === undefined) delete result[key];
		else if (isPlainObject(value) && isPlainObject(result[key])) {
			result[key] = withOverrides(result[key] as Record<string, unknown>, value);
		} else result[key] = value;
	}
	return result as T;
}

/** `yyyy-MM-dd HH:mm:ss` wall-clock time of the instant `ms` at a fixed UTC offset. */
export function formatWallClock(ms: number, offsetMinutes: number): string {
	return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Atlas' own times (event, create, update, confirm) are Beijing time, UTC+08:00. */
export const ATLAS_OFFSET_MINUTES = 8 * 60;
export const formatAtlasTime = (ms: number): string => formatWallClock(ms, ATLAS_OFFSET_MINUTES);

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
