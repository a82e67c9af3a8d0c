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
 *   re-marks that call's static data a few times over the next 1.5 s (`MARK_AGAIN_AFTER_MS`).
 *   With "Remember Duplicates Across Restarts" off it does not.
 *
 * The stored form is fixed-width records in chunks of 128 (`{ v: 2, chunks }`), not two arrays:
 * n8n wraps, copies and serialises static data on every call, and a few strings cost it a few
 * steps where 2,000 array elements cost 2,000; and a new id changes only the newest chunk and the
 * front of the oldest, so recording one never copies the window. Windows stored by earlier
 * versions (`{ ids, at }`) still load.
 *
 * Guaranteed: a repeat reaching the same process; a repeat reaching any process after n8n saved
 * the first copy's call (with Remember Duplicates Across Restarts on).
 * Not guaranteed: copies arriving at the same moment on two processes both load the same static
 * data and both pass (claim ids in a database for that: example 05). n8n saves static data last
 * writer wins, so a concurrent call can overwrite a record there; the process that recorded it
 * still knows it and writes it back with its next new id. Two ids with the same fingerprint count
 * as one. Figures: docs/scaling.md.
 */
import { hash } from 'crypto';
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

/**
 * One record: 12 hex characters of fingerprint, then the second it was recorded in 7 base-36
 * digits (enough until the year 4000).
 */
const PRINT_LENGTH = 12;
const TIME_LENGTH = 7;
const RECORD_LENGTH = PRINT_LENGTH + TIME_LENGTH;
/** Records per stored chunk: an event changes only the newest chunk and the front of the oldest. */
const CHUNK_RECORDS = 128;
const CHUNK_LENGTH = CHUNK_RECORDS * RECORD_LENGTH;
const STORED_VERSION = 2;
const RECORDS = /^(?:[0-9a-f]{12}[0-9a-z]{7})*$/;

/** The stored form: records oldest first, times never decreasing, in chunks of whole records. */
interface StoredWindow {
	v: typeof STORED_VERSION;
	chunks: string[];
}

/**
 * A window in memory: its records as full chunks plus a growing last one, a set for O(1)
 * look-ups, and its newest record. Dropping the oldest record moves an offset into the first
 * chunk; appending adds to the last. Neither copies the window, so check-and-record stays O(1)
 * amortised whatever its size.
 */
interface Window {
	/** Chunks of exactly CHUNK_RECORDS records, oldest first. */
	full: string[];
	/** The records after the full chunks (fewer than CHUNK_RECORDS). */
	last: string;
	/** Records already dropped from the front of the first chunk (`full[0]`, else `last`). */
	dropped: number;
	count: number;
	index: Set<string>;
	/** The newest record ('' when empty): with the count, enough to recognise a stored state. */
	newest: string;
	/** Its size as counted in the process total. */
	counted: number;
}

export const fingerprint = (id: string): string => hash('sha256', id, 'hex').slice(0, PRINT_LENGTH);

/** The last encoded second: calls within one second share it. */
let encoded = { second: NaN, text: '' };
function encodeTime(second: number): string {
	if (encoded.second !== second) {
		encoded = { second, text: Math.max(0, second).toString(36).padStart(TIME_LENGTH, '0') };
	}
	return encoded.text;
}

/** Enough of a stored window to recognise one we wrote ourselves. */
const signatureOf = (count: number, newest: string) => `${count}:${newest}`;
/** The signature of an empty or absent window. */
const EMPTY_SIGNATURE = signatureOf(0, '');

/** The (fingerprint, second) pairs of a run of records. */
function decodeRecords(records: string): Array<[string, number]> {
	return Array.from({ length: records.length / RECORD_LENGTH }, (_, i) => {
		const at = i * RECORD_LENGTH;
		return [
			records.slice(at, at + PRINT_LENGTH),
			parseInt(records.slice(at + PRINT_LENGTH, at + RECORD_LENGTH), 36),
		];
	});
}

/** What a window stored in static data holds, as (fingerprint, second) pairs, oldest first. */
export function readStoredWindow(value: unknown): Array<[string, number]> {
	const state = value as Partial<StoredWindow> & { ids?: unknown; at?: unknown };
	if (state && Array.isArray(state.chunks)) {
		const chunks = state.chunks as unknown[];
		const valid = chunks.every((c) => typeof c === 'string' && RECORDS.test(c));
		return valid ? decodeRecords(chunks.join('')) : [];
	}
	// The form earlier versions stored: two arrays of the same length.
	if (state && Array.isArray(state.ids) && Array.isArray(state.at)) {
		const { ids, at } = state as { ids: unknown[]; at: unknown[] };
		if (ids.length !== at.length) return [];
		return ids.map((id, i) => [id as string, at[i] as number]);
	}
	return [];
}

/** Signatures of the stored forms this process created, so that reading one back costs nothing. */
const signatureOfStored = new WeakMap<object, string>();

/** A stored value's signature, without decoding its records (the common case: ours). */
function storedSignature(value: unknown): string {
	if (typeof value !== 'object' || value === null) return EMPTY_SIGNATURE;
	const known = signatureOfStored.get(value);
	if (known) return known;
	const { chunks } = value as Partial<StoredWindow>;
	if (Array.isArray(chunks) && chunks.every((c) => typeof c === 'string')) {
		const length = chunks.reduce((sum: number, c: string) => sum + c.length, 0);
		const newest = chunks.filter((c: string) => c.length > 0).pop() ?? '';
		return signatureOf(length / RECORD_LENGTH, newest.slice(newest.length - RECORD_LENGTH));
	}
	const pairs = readStoredWindow(value);
	return pairs.length === 0
		? EMPTY_SIGNATURE
		: `old:${pairs.length}:${pairs[pairs.length - 1].join(':')}`;
}

const emptyWindow = (): Window => ({
	full: [],
	last: '',
	dropped: 0,
	count: 0,
	index: new Set(),
	newest: '',
	counted: 0,
});

/** The chunk the oldest record is in. */
const firstChunk = (window: Window): string => window.full[0] ?? window.last;

/** The second the oldest record was recorded (the window is not empty). */
function oldestTime(window: Window): number {
	const at = window.dropped * RECORD_LENGTH + PRINT_LENGTH;
	return parseInt(firstChunk(window).slice(at, at + TIME_LENGTH), 36);
}

function append(window: Window, record: string): void {
	window.index.add(record.slice(0, PRINT_LENGTH));
	window.last += record;
	window.newest = record;
	window.count++;
	if (window.last.length === CHUNK_LENGTH) {
		window.full.push(window.last);
		window.last = '';
	}
}

function dropOldest(window: Window): void {
	const at = window.dropped * RECORD_LENGTH;
	window.index.delete(firstChunk(window).slice(at, at + PRINT_LENGTH));
	window.dropped++;
	window.count--;
	if (window.count === 0) {
		Object.assign(window, { full: [], last: '', dropped: 0, newest: '' });
	} else if (window.full.length > 0 && window.dropped === CHUNK_RECORDS) {
		window.full.shift();
		window.dropped = 0;
	}
}

/**
 * One window from several sources, oldest first, each fingerprint once (at its earliest time).
 * A time in the future (a clock that stepped back, or another machine's) counts as now, so it
 * cannot hold off the expiry of everything recorded after it.
 */
function windowFrom(sources: Array<Array<[string, number]>>, now: number): Window {
	const pairs: Array<[string, number]> = [];
	for (const source of sources) {
		for (const [id, at] of source) {
			if (typeof id === 'string' && /^[0-9a-f]{12}$/.test(id) && Number.isFinite(at)) {
				pairs.push([id, Math.min(at, now)]);
			}
		}
	}
	pairs.sort((a, b) => a[1] - b[1]);
	const window = emptyWindow();
	for (const [id, at] of pairs) {
		if (!window.index.has(id)) append(window, id + encodeTime(at));
	}
	return window;
}

/** The records still in the window, as stored: the first chunk from its first kept record. */
function chunksOf(window: Window): string[] {
	const chunks = [...window.full, window.last];
	chunks[0] = chunks[0].slice(window.dropped * RECORD_LENGTH);
	return chunks.filter((c) => c.length > 0);
}

const pairsOf = (window: Window): Array<[string, number]> =>
	decodeRecords(chunksOf(window).join(''));

/** The window as static data holds it, and that value's signature. */
function storedFormOf(window: Window): { value: IDataObject; signature: string } {
	const value: StoredWindow = { v: STORED_VERSION, chunks: chunksOf(window) };
	const signature = signatureOf(window.count, window.newest);
	signatureOfStored.set(value, signature);
	return { value: value as unknown as IDataObject, signature };
}

// ------------------------------------------------------------------------------------------------
// Marking a call's static data changed again

/** When to mark a call's static data changed again: spans n8n's time from preparing to recording. */
const MARK_AGAIN_AFTER_MS = [2, 10, 30, 80, 250, 600, 1500];

/** A call whose static data is to be marked again. */
interface PendingMark {
	staticData: IDataObject;
	key: string;
	processKey: string;
	/** When the call recorded its id (monotonic ms). */
	since: number;
	/** What this call's static data holds now: our last write to it. */
	signature: string;
}

/** First in, first out; taking from the front costs O(1) (the array is compacted now and then). */
interface MarkQueue {
	items: PendingMark[];
	head: number;
}

function takeFirst(queue: MarkQueue): PendingMark {
	const first = queue.items[queue.head++];
	if (queue.head > 1024 && queue.head * 2 > queue.items.length) {
		queue.items = queue.items.slice(queue.head);
		queue.head = 0;
	}
	return first;
}

const firstDue = (queue: MarkQueue, stage: number): number =>
	queue.head < queue.items.length
		? queue.items[queue.head].since + MARK_AGAIN_AFTER_MS[stage]
		: Infinity;

/**
 * Calls waiting for their next mark, one queue per moment of `MARK_AGAIN_AFTER_MS`, each in the
 * order the calls came. One shared schedule, so a busy trigger costs a few array steps per event
 * and not seven timers; a sleeper is added only when a mark falls due before every pending one
 * wakes, so a call arriving while the schedule waits for a later moment is still marked in time.
 */
const waitingMarks: MarkQueue[] = MARK_AGAIN_AFTER_MS.map(() => ({ items: [], head: 0 }));
/** When the pending sleepers wake (monotonic ms). */
const sleepersWakeAt: number[] = [];

let markSequences = 0;
/** How many times a window has asked to be saved again (for tests). */
export const markAgainCount = (): number => markSequences;

function wakeAt(due: number): void {
	if (sleepersWakeAt.some((at) => at <= due)) return;
	sleepersWakeAt.push(due);
	void sleep(Math.max(0, due - performance.now()))
		.then(() => {
			sleepersWakeAt.splice(sleepersWakeAt.indexOf(due), 1);
			markDueCalls();
		})
		.catch(() => undefined);
}

/**
 * Reassigns the process window to each call's static data whose moment has come. n8n clears the
 * change mark of the call's static data when it prepares the execution and saves marked data
 * after recording it; a reassignment in between marks it again, so the save includes the window.
 * Reassigning after the save is harmless: that copy of static data is then discarded. A call's
 * static data that no longer holds what this process last put there is left alone.
 */
function markDueCalls(): void {
	const now = performance.now();
	let next = Infinity;
	for (const [stage, queue] of waitingMarks.entries()) {
		while (firstDue(queue, stage) <= now) {
			const mark = takeFirst(queue);
			const window = processWindows.get(mark.processKey);
			if (!window || storedSignature(mark.staticData[mark.key]) !== mark.signature) continue;
			const stored = storedFormOf(window);
			mark.staticData[mark.key] = stored.value;
			mark.signature = stored.signature;
			waitingMarks[stage + 1]?.items.push(mark);
		}
		next = Math.min(next, firstDue(queue, stage));
	}
	if (next < Infinity) wakeAt(next);
}

function markAgainLater(
	staticData: IDataObject,
	key: string,
	processKey: string,
	signature: string,
) {
	markSequences++;
	const since = performance.now();
	waitingMarks[0].items.push({ staticData, key, processKey, since, signature });
	wakeAt(since + MARK_AGAIN_AFTER_MS[0]);
}

// ------------------------------------------------------------------------------------------------
// Process windows

/** Windows of this process, least recently used first. */
const processWindows = new Map<string, Window>();
/**
 * What each process window wrote to static data lately: its last state, and the ones before it
 * (a ring of `RECENT_STATES`). Concurrent calls each load the static data saved last, which is
 * usually a slightly older state of our own: everything in it is already in the process window
 * (or was dropped from it on purpose), so it is not merged again.
 */
interface Written {
	last: string;
	recent: string[];
	next: number;
}
const writtenBy = new Map<string, Written>();
const RECENT_STATES = 64;
/** The window used last: it is already the most recent in `processWindows`. */
let newestProcessKey: string | undefined;
let processEntries = 0;
let merges = 0;
/** How many times static data from elsewhere was merged into a process window (for tests). */
export const mergeCount = (): number => merges;

function forgetWindow(processKey: string): void {
	processEntries -= processWindows.get(processKey)?.counted ?? 0;
	processWindows.delete(processKey);
	writtenBy.delete(processKey);
}

function rememberWritten(processKey: string, signature: string): void {
	let written = writtenBy.get(processKey);
	if (!written) writtenBy.set(processKey, (written = { last: '', recent: [], next: 0 }));
	written.last = signature;
	written.recent[written.next] = signature;
	written.next = (written.next + 1) % RECENT_STATES;
}

/** Keeps `window` as the most recently used, within the total bound (oldest windows go first). */
function keepWindow(processKey: string, window: Window): void {
	const previous = processWindows.get(processKey);
	processEntries += window.count - (previous?.counted ?? 0);
	window.counted = window.count;
	if (previous !== window || newestProcessKey !== processKey) {
		processWindows.delete(processKey);
		processWindows.set(processKey, window);
		newestProcessKey = processKey;
	}
	if (processEntries <= MAX_PROCESS_ENTRIES) return;
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
	const loaded = staticData[key];
	const signature = storedSignature(loaded);
	const written = writtenBy.get(processKey);
	const storedIsOurs = written?.last === signature;

	let window = processWindows.get(processKey);
	if (!window) window = windowFrom([readStoredWindow(loaded)], now);
	// Static data written by another process (or before a restart) adds what it knows.
	else if (!storedIsOurs && signature !== EMPTY_SIGNATURE && !written?.recent.includes(signature)) {
		merges++;
		window = windowFrom([pairsOf(window), readStoredWindow(loaded)], now);
	}
	// The clock stepped back behind the newest entry: re-date what now lies in the future.
	if (window.newest !== '' && parseInt(window.newest.slice(PRINT_LENGTH), 36) > now) {
		window = windowFrom([pairsOf(window)], now);
	}

	const countBefore = window.count;
	const oldestKept = now - options.maxAgeSeconds;
	while (window.count > 0 && oldestTime(window) < oldestKept) dropOldest(window);
	const print = fingerprint(id);
	const duplicate = window.index.has(print);
	if (!duplicate) {
		while (window.count >= maxEntries) dropOldest(window);
		append(window, print + encodeTime(now));
	}

	keepWindow(processKey, window);
	// Unchanged windows are not written back: n8n then skips saving static data.
	if (duplicate && window.count === countBefore && storedIsOurs) return duplicate;
	const update = storedFormOf(window);
	staticData[key] = update.value;
	rememberWritten(processKey, update.signature);
	if (!duplicate && options.keepAcrossRestarts !== false) {
		markAgainLater(staticData, key, processKey, update.signature);
	}
	return duplicate;
}
