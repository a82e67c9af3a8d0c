/**
 * Duplicate suppression for webhook triggers: each trigger node remembers the ids it emitted
 * (fingerprints: the first 12 hex characters of their SHA-256) with the second each was recorded,
 * dropped by age and by count, oldest first. The window is kept in two places:
 *
 * - **This process's memory**, keyed by workflow, node and key (`processKeyOf`). Check and record
 *   are one synchronous step, so within one process a repeat is always caught, however many calls
 *   run at once. All windows of a process share one bound (`MAX_PROCESS_ENTRIES`); the least
 *   recently used go first and then know only what static data holds.
 * - **The workflow's static data**, written on every new id. Each call merges what static data
 *   holds from elsewhere (another process, or before a restart) into the process window first.
 *   n8n saves static data after a call that starts an execution is recorded, but it clears the
 *   "changed" mark while preparing that execution; so after recording a new id the window
 *   re-marks that call's static data a few times over the next 1.5 s (`MARK_AGAIN_AFTER_MS`),
 *   never over a newer window. With "Remember Duplicates Across Restarts" off it does not.
 *
 * Guaranteed: a repeat reaching the same process; a repeat reaching any process after n8n saved
 * the first copy's call (with Remember Duplicates Across Restarts on).
 * Not guaranteed: copies arriving at the same moment on two processes both load the same static
 * data and both pass (claim ids in a database for that: example 05). n8n saves static data last
 * writer wins, so a concurrent call can overwrite a record there; the process that recorded it
 * still knows it and writes it back with its next new id. Two ids with the same fingerprint count
 * as one. Figures: docs/scaling.md.
 */
import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

/** What a trigger's settings say about its window. */
export interface DuplicateWindowSettings {
	maxEntries: number;
	maxAgeSeconds: number;
	/**
	 * Whether n8n should save the window after every call that starts an execution, so that it
	 * survives restarts and reaches other webhook processes (one more database write per event).
	 * Default true.
	 */
	keepAcrossRestarts?: boolean;
}

interface DedupeOptions extends DuplicateWindowSettings {
	/** Unix seconds; defaults to the clock. */
	now?: number;
	/** Names this window in the process-wide memory: `processKeyOf(workflow, node, key)`. */
	processKey: string;
}

export const DEFAULT_DEDUPE_MAX_ENTRIES = 1000;
export const MAX_DEDUPE_MAX_ENTRIES = 10000;
/** Eight days: longer than Rapid's seven days of retries. */
export const DEFAULT_DEDUPE_MAX_AGE_SECONDS = 8 * 24 * 3600;
/** All process windows together, whatever the number of workflows. */
export const MAX_PROCESS_ENTRIES = 200_000;

/** The stored form: fingerprints oldest first, and the second each was recorded. */
interface StoredWindow {
	ids: string[];
	at: number[];
}

/**
 * A window in memory: the stored form itself (oldest first, times never decreasing), which is
 * what goes back into static data, plus a set for O(1) look-ups.
 */
interface Window extends StoredWindow {
	index: Set<string>;
	/** Its size as counted in the process total. */
	counted: number;
}

export const fingerprint = (id: string): string =>
	createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 12);

function readStored(value: unknown): StoredWindow {
	const state = value as Partial<StoredWindow> | undefined;
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

/** Enough of a stored window to recognise one we wrote ourselves. */
const signatureOf = (ids: readonly string[], at: readonly number[]) =>
	`${ids.length}:${ids[ids.length - 1] ?? ''}:${at[at.length - 1] ?? ''}`;

/**
 * One window from several sources, oldest first, each fingerprint once (at its earliest time).
 * A time in the future (a clock that stepped back, or another machine's) counts as now, so it
 * cannot hold off the expiry of everything recorded after it.
 */
function windowFrom(sources: Array<Iterable<[string, number]>>, now: number): Window {
	const entries: Array<[string, number]> = [];
	for (const source of sources) {
		for (const [id, at] of source) {
			if (typeof id === 'string' && Number.isFinite(at)) entries.push([id, Math.min(at, now)]);
		}
	}
	entries.sort((a, b) => a[1] - b[1]);
	const window: Window = { ids: [], at: [], index: new Set(), counted: 0 };
	for (const [id, at] of entries) {
		if (window.index.has(id)) continue;
		window.index.add(id);
		window.ids.push(id);
		window.at.push(at);
	}
	return window;
}

const entriesOf = (stored: StoredWindow): Array<[string, number]> =>
	stored.ids.map((id, i) => [id, stored.at[i]]);

/** Drops the oldest entry. */
function dropOldest(window: Window): void {
	window.index.delete(window.ids.shift() as string);
	window.at.shift();
}

/** When to mark a call's static data changed again: spans n8n's time from preparing to recording. */
const MARK_AGAIN_AFTER_MS = [2, 10, 30, 80, 250, 600, 1500];

let markSequences = 0;
/** How many times a window has asked to be saved again (for tests). */
export const markAgainCount = (): number => markSequences;

/**
 * Reassigns the window in `staticData` at a few moments after this call returns. n8n clears the
 * change mark of the call's static data when it prepares the execution and saves marked data
 * after recording it; a reassignment in between marks it again, so the save includes the window.
 * Reassigning after the save is harmless: that copy of static data is then discarded. Each call
 * keeps its own schedule (one pending wait at a time, 1.5 s in all): a shared loop would sleep
 * through the first moments of a call that arrives while it waits for a later one.
 */
function markAgainLater(
	staticData: IDataObject,
	key: string,
	window: StoredWindow,
	processKey: string,
): void {
	markSequences++;
	const mark = async () => {
		let waited = 0;
		for (const at of MARK_AGAIN_AFTER_MS) {
			await sleep(at - waited);
			waited = at;
			// Only what this window wrote last: never over a newer state written since.
			const current = readStored(staticData[key]);
			if (signatureOf(current.ids, current.at) !== lastWritten.get(processKey)) return;
			staticData[key] = { ids: window.ids, at: window.at };
		}
	};
	void mark().catch(() => undefined);
}

/** Windows of this process, least recently used first. */
const processWindows = new Map<string, Window>();
/** What each process window last wrote to static data. */
const lastWritten = new Map<string, string>();
/**
 * What each process window wrote lately, oldest first. Concurrent calls each load the static data
 * saved last, which is usually a slightly older state of our own: everything in it is already in
 * the process window (or was dropped from it on purpose), so it is not merged again.
 */
const recentlyWritten = new Map<string, Set<string>>();
const RECENT_STATES = 64;
let processEntries = 0;
let merges = 0;
/** How many times static data from elsewhere was merged into a process window (for tests). */
export const mergeCount = (): number => merges;

function forgetWindow(processKey: string): void {
	processEntries -= processWindows.get(processKey)?.counted ?? 0;
	processWindows.delete(processKey);
	lastWritten.delete(processKey);
	recentlyWritten.delete(processKey);
}

function rememberWritten(processKey: string, signature: string): void {
	lastWritten.set(processKey, signature);
	let recent = recentlyWritten.get(processKey);
	if (!recent) recentlyWritten.set(processKey, (recent = new Set()));
	recent.delete(signature);
	recent.add(signature);
	if (recent.size > RECENT_STATES) recent.delete(recent.values().next().value as string);
}

/** Keeps `window` as the most recently used, within the total bound (oldest windows go first). */
function keepWindow(processKey: string, window: Window): void {
	processEntries -= processWindows.get(processKey)?.counted ?? 0;
	processWindows.delete(processKey);
	processWindows.set(processKey, window);
	window.counted = window.ids.length;
	processEntries += window.counted;
	for (const oldest of processWindows.keys()) {
		if (processEntries <= MAX_PROCESS_ENTRIES || oldest === processKey) break;
		forgetWindow(oldest);
	}
}

/** Entries of all process windows (for tests of the bound). */
export const processWindowEntries = (): number => processEntries;

/** The process-wide name of a trigger node's window. */
export const processKeyOf = (workflowId: string | undefined, nodeId: string, key: string): string =>
	`${workflowId ?? ''}:${nodeId}:${key}`;

/**
 * Returns true when `id` was already recorded within the window; otherwise records it and returns
 * false. Check and record cost O(1) amortised; a changed window is written back to static data
 * under `key` (a reassignment, so n8n notices and saves it).
 */
export function isDuplicateAndRecord(
	staticData: IDataObject,
	key: string,
	id: string,
	options: DedupeOptions,
): boolean {
	const now = options.now ?? Math.floor(Date.now() / 1000);
	const maxEntries = Math.max(1, Math.min(MAX_DEDUPE_MAX_ENTRIES, Math.floor(options.maxEntries)));
	const { processKey } = options;
	const stored = readStored(staticData[key]);

	let window = processWindows.get(processKey);
	const storedSignature = signatureOf(stored.ids, stored.at);
	const storedIsOurs = lastWritten.get(processKey) === storedSignature;
	if (!window) window = windowFrom([entriesOf(stored)], now);
	// Static data written by another process (or before a restart) adds what it knows.
	else if (stored.ids.length > 0 && !recentlyWritten.get(processKey)?.has(storedSignature)) {
		merges++;
		window = windowFrom([entriesOf(window), entriesOf(stored)], now);
	}
	// The clock stepped back behind the newest entry: re-date what now lies in the future.
	if ((window.at[window.at.length - 1] ?? -Infinity) > now) {
		window = windowFrom([entriesOf(window)], now);
	}

	const sizeBefore = window.ids.length;
	const oldestKept = now - options.maxAgeSeconds;
	while (window.at.length > 0 && window.at[0] < oldestKept) dropOldest(window);
	const print = fingerprint(id);
	const duplicate = window.index.has(print);
	if (!duplicate) {
		window.index.add(print);
		window.ids.push(print);
		window.at.push(now);
		while (window.ids.length > maxEntries) dropOldest(window);
	}

	keepWindow(processKey, window);
	// Unchanged windows are not written back: n8n then skips saving static data.
	if (duplicate && window.ids.length === sizeBefore && storedIsOurs) return duplicate;
	const { ids, at } = window;
	staticData[key] = { ids, at };
	rememberWritten(processKey, signatureOf(ids, at));
	if (!duplicate && options.keepAcrossRestarts !== false) {
		markAgainLater(staticData, key, window, processKey);
	}
	return duplicate;
}
