/**
 * Duplicate suppression for webhook triggers, kept in the workflow's static data.
 *
 * Providers retry with the same event id (Rapid: after 5 min, 1 h, then every 12 h for 7 days), so
 * each trigger remembers the ids it emitted: a bounded list of short fingerprints (first 12 hex
 * characters of SHA-256, 48 bits: collisions are negligible at these sizes) with the second each was
 * seen. Entries older than `maxAgeSeconds` or beyond `maxEntries` are dropped, oldest first, so the
 * state stays small: about 25 bytes per entry once serialised (1,000 entries ≈ 25 KB).
 *
 * n8n loads a workflow's static data from the database for each webhook call and saves it after,
 * last writer wins: under concurrent calls most recorded ids are overwritten (measured: every
 * duplicate of 200 got through at 16 requests in flight). So the window also lives in this
 * process's memory, keyed by workflow and node, and each call merges both: within one n8n process
 * check-and-record is synchronous and exact. Static data is written whenever an id is added, to
 * carry the window across restarts and to other processes; but n8n 2.40.7 saves a webhook call's
 * static-data change only when the node's entry is first created (measured), so in practice the
 * window is per process. Across queue-mode webhook processors, claim the id in a database instead
 * (README, "Scaling"; example 05).
 */
import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

export interface DedupeOptions {
	maxEntries: number;
	maxAgeSeconds: number;
	/** Unix seconds; defaults to the clock. */
	now?: number;
	/** Names this window in the process-wide memory (workflow id + node id + key); none: static data only. */
	processKey?: string;
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

/** The newest entry of a window and its length: enough to recognise a snapshot we wrote. */
const signatureOf = (state: DedupeState) =>
	`${state.ids.length}:${state.ids[state.ids.length - 1] ?? ''}:${state.at[state.at.length - 1] ?? ''}`;

/** Both windows as one, oldest first, each fingerprint once (at its earliest time). */
function merge(a: DedupeState, b: DedupeState): DedupeState {
	if (a.ids.length === 0) return b;
	if (b.ids.length === 0 || a.ids === b.ids) return a;
	const merged: DedupeState = { ids: [], at: [] };
	const seen = new Set<string>();
	let i = 0;
	let j = 0;
	while (i < a.ids.length || j < b.ids.length) {
		const takeA = j >= b.ids.length || (i < a.ids.length && a.at[i] <= b.at[j]);
		const [id, at] = takeA ? [a.ids[i], a.at[i++]] : [b.ids[j], b.at[j++]];
		if (seen.has(id)) continue;
		seen.add(id);
		merged.ids.push(id);
		merged.at.push(at);
	}
	return merged;
}

/** Windows of this process, by workflow and node; bounded in number as each is in size. */
const processWindows = new Map<string, DedupeState>();
/** What each process window last wrote to static data. */
const lastPersistedSignature = new Map<string, string>();
const MAX_PROCESS_WINDOWS = 1000;

function rememberInProcess(processKey: string, state: DedupeState): void {
	processWindows.delete(processKey);
	processWindows.set(processKey, state);
	if (processWindows.size > MAX_PROCESS_WINDOWS) {
		const oldest = processWindows.keys().next().value as string;
		processWindows.delete(oldest);
		lastPersistedSignature.delete(oldest);
	}
}

/** The process-wide name of a trigger node's window. */
export const processKeyOf = (workflowId: string | undefined, nodeId: string, key: string): string =>
	`${workflowId ?? ''}:${nodeId}:${key}`;

/**
 * Returns true when `id` was already recorded within the window; otherwise records it and returns
 * false. Writes the new state back under `key` (a reassignment, so n8n notices and saves it), and
 * to the process-wide window when `processKey` is given.
 */
export function isDuplicateAndRecord(
	staticData: IDataObject,
	key: string,
	id: string,
	options: DedupeOptions,
): boolean {
	const now = options.now ?? Math.floor(Date.now() / 1000);
	const maxEntries = Math.max(1, Math.min(MAX_DEDUPE_MAX_ENTRIES, Math.floor(options.maxEntries)));
	const stored = readState(staticData[key]);
	const inProcess = options.processKey ? processWindows.get(options.processKey) : undefined;
	// Static data that is our own last snapshot adds nothing to the process window: skip the merge
	// (n8n hands over a fresh copy on every call, so compare content, not references).
	const ownSnapshot =
		options.processKey !== undefined &&
		lastPersistedSignature.get(options.processKey) === signatureOf(stored);
	const state = inProcess && !ownSnapshot ? merge(inProcess, stored) : (inProcess ?? stored);
	const oldestKept = now - options.maxAgeSeconds;

	let start = 0;
	while (start < state.at.length && state.at[start] < oldestKept) start++;
	const print = fingerprint(id);
	const duplicate = state.ids.indexOf(print, start) !== -1;
	if (!duplicate) start = Math.max(start, state.ids.length + 1 - maxEntries);
	const next: DedupeState =
		start === 0
			? { ids: state.ids.slice(), at: state.at.slice() }
			: { ids: state.ids.slice(start), at: state.at.slice(start) };
	if (!duplicate) {
		next.ids.push(print);
		next.at.push(now);
	}
	const changed = !duplicate || next.ids.length !== stored.ids.length;
	if (!options.processKey) {
		// Unchanged windows are not written back: n8n then skips saving static data.
		if (changed) staticData[key] = next;
		return duplicate;
	}
	rememberInProcess(options.processKey, next);
	// Every new id goes to static data at once: static data is how other processes and the next
	// start could learn of it. (Writing at most every 30 s would lose the last ids of every burst.)
	if (changed) {
		staticData[key] = next;
		lastPersistedSignature.set(options.processKey, signatureOf(next));
	}
	return duplicate;
}
