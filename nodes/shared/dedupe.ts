/**
 * Duplicate suppression for webhook triggers, kept in the workflow's static data.
 *
 * Providers retry with the same event id (Rapid: after 5 min, 1 h, then every 12 h for 7 days), so
 * each trigger remembers the ids it emitted: a bounded list of short fingerprints (first 12 hex
 * characters of SHA-256, 48 bits: collisions are negligible at these sizes) with the second each was
 * seen. Entries older than `maxAgeSeconds` or beyond `maxEntries` are dropped, oldest first, so the
 * state stays small: about 25 bytes per entry once serialised (1,000 entries ≈ 25 KB).
 *
 * Check and record happen synchronously, so within one n8n process two deliveries of the same id
 * cannot both pass. Separate processes (queue mode webhook processors) each hold their own copy of
 * static data and save it last-writer-wins: there this is best effort (see README, "Scaling").
 */
import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

export interface DedupeOptions {
	maxEntries: number;
	maxAgeSeconds: number;
	/** Unix seconds; defaults to the clock. */
	now?: number;
}

export const DEFAULT_DEDUPE_MAX_ENTRIES = 1000;
export const MAX_DEDUPE_MAX_ENTRIES = 10000;
/** Eight days: longer than Rapid's seven days of retries. */
export const DEFAULT_DEDUPE_MAX_AGE_SECONDS = 8 * 24 * 3600;

interface DedupeState {
	/** Fingerprints, oldest first. */
	ids: string[];
	/** Unix seconds each fingerprint was recorded, parallel to `ids`. */
	at: number[];
}

export const fingerprint = (id: string): string =>
	createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 12);

function readState(value: unknown): DedupeState {
	const state = value as Partial<DedupeState> | undefined;
	if (
		!state ||
		!Array.isArray(state.ids) ||
		!Array.isArray(state.at) ||
		state.ids.length !== state.at.length
	) {
		return { ids: [], at: [] };
	}
	return { ids: state.ids, at: state.at };
}

/**
 * Returns true when `id` was already recorded within the window; otherwise records it and returns
 * false. Writes the new state back under `key` (a reassignment, so n8n notices and saves it).
 */
export function isDuplicateAndRecord(
	staticData: IDataObject,
	key: string,
	id: string,
	options: DedupeOptions,
): boolean {
	const now = options.now ?? Math.floor(Date.now() / 1000);
	const maxEntries = Math.max(1, Math.min(MAX_DEDUPE_MAX_ENTRIES, Math.floor(options.maxEntries)));
	const state = readState(staticData[key]);
	const oldestKept = now - options.maxAgeSeconds;

	let start = 0;
	while (start < state.at.length && state.at[start] < oldestKept) start++;
	const print = fingerprint(id);
	if (state.ids.indexOf(print, start) !== -1) {
		if (start > 0) staticData[key] = { ids: state.ids.slice(start), at: state.at.slice(start) };
		return true;
	}

	start = Math.max(start, state.ids.length + 1 - maxEntries);
	staticData[key] = {
		ids: [...state.ids.slice(start), print],
		at: [...state.at.slice(start), now],
	};
	return false;
}
