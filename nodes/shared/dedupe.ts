/**
 * The webhook triggers' duplicate window: the ids a trigger node emitted (first 12 hex characters
 * of their SHA-256) with the second each was recorded, dropped by age and count, oldest first.
 * Kept in this process's memory per workflow, node and key (check and record are one synchronous
 * step, so a repeat reaching the same process is always caught; all windows share
 * MAX_PROCESS_ENTRIES, least recently used dropped first) and in the workflow's static data,
 * written on every new id and merged in when another process (or this one before a restart) wrote
 * it: fixed-width records in chunks of 128 (`{ v: 2, chunks }`; the earlier `{ ids, at }` loads).
 * Not guaranteed: copies arriving at once on two processes both pass (example 05 claims ids in a
 * database); n8n saves last writer wins (the process writes a lost record back with its next id).
 *
 * n8n dependency (n8n 2.40.7): `LiveWebhooks.executeWebhook` (n8n/dist/webhooks/live-webhooks.js)
 * saves static data in the webhook's response callback (`WorkflowStaticDataService.saveStaticData`,
 * workflows/workflow-static-data.service.js) only when its `__dataChanged` mark is set. That
 * callback runs after `WorkflowRunner.run` (`executeWebhook` in webhooks/webhook-helpers.js), whose
 * `establishContextForPersistence` (workflow-runner.js) builds a `new Workflow` over the same
 * static data: `ObservableObject.create` (n8n-workflow) clears the mark our write set. So the
 * call's static data is marked again at MARK_AGAIN_AFTER_MS (up to 1.5 s). n8n 1.123 answers and
 * saves before `WorkflowRunner.run`: the marks change nothing there. Guarded by the e2e test "a
 * Rapid retry and an Atlas resend after a restart start no second execution". See docs/scaling.md.
 */
import { hash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

/** A trigger's window; `keepAcrossRestarts` (default true): n8n saves it after every new id. */
export interface DuplicateWindowSettings {
	maxEntries: number;
	maxAgeSeconds: number;
	keepAcrossRestarts?: boolean;
}

/** `now`: Unix seconds (default: the clock); `processKey`: `processKeyOf(workflow, node, key)`. */
type DedupeOptions = DuplicateWindowSettings & { now?: number; processKey: string };

export const DEFAULT_DEDUPE_MAX_ENTRIES = 1000;
export const MAX_DEDUPE_MAX_ENTRIES = 10000;
/** Eight days: longer than Rapid's seven days of retries. */
export const DEFAULT_DEDUPE_MAX_AGE_SECONDS = 8 * 24 * 3600;
/** All process windows together, whatever the number of workflows. */
export const MAX_PROCESS_ENTRIES = 200_000;

/** A record: 12 hex characters of fingerprint, then its second in 7 base-36 digits. */
const PRINT_LENGTH = 12;
const RECORD_LENGTH = PRINT_LENGTH + 7;
const CHUNK_LENGTH = 128 * RECORD_LENGTH;
const RECORDS = /^(?:[0-9a-f]{12}[0-9a-z]{7})*$/;
const ONE_RECORD = /.{19}/g;

type Pair = [print: string, second: number];

/**
 * A window in memory: its records in chunks of at most 128, oldest first (dropping the
 * oldest slices the first chunk, appending extends the last: neither copies the window); its
 * newest record ('' when empty: with the count, it recognises a stored state); its size as counted
 * in the process total; its stored form, built once per change and shared until the next.
 */
interface Window {
	chunks: string[];
	count: number;
	index: Set<string>;
	newest: string;
	counted: number;
	stored?: { value: IDataObject; signature: string };
}

export const fingerprint = (id: string): string => hash('sha256', id, 'hex').slice(0, PRINT_LENGTH);

const signatureOf = (count: number, newest: string) => `${count}:${newest}`;
const EMPTY_SIGNATURE = signatureOf(0, '');

const secondOf = (record: string) => parseInt(record.slice(PRINT_LENGTH, RECORD_LENGTH), 36);
const decodeRecords = (records: string): Pair[] =>
	(records.match(ONE_RECORD) ?? []).map((r) => [r.slice(0, PRINT_LENGTH), secondOf(r)]);

/** What a window stored in static data holds, oldest first; a corrupt one holds nothing. */
export function readStoredWindow(value: unknown): Pair[] {
	const { chunks, ids, at } = (value ?? {}) as { chunks?: unknown; ids?: unknown; at?: unknown };
	if (Array.isArray(chunks)) {
		const valid = chunks.every((c) => typeof c === 'string' && RECORDS.test(c));
		return valid ? decodeRecords(chunks.join('')) : [];
	}
	// The form earlier versions stored: two arrays of the same length.
	if (!Array.isArray(ids) || !Array.isArray(at) || ids.length !== at.length) return [];
	return ids.map((id, i) => [id as string, at[i] as number]);
}

/** Enough of a stored window to recognise a state we wrote, without decoding its records. */
function storedSignature(value: unknown): string {
	const { chunks } = (value ?? {}) as { chunks?: unknown };
	if (!Array.isArray(chunks) || !chunks.every((c) => typeof c === 'string')) {
		return readStoredWindow(value).length === 0 ? EMPTY_SIGNATURE : 'earlier form';
	}
	const length = (chunks as string[]).reduce((sum, c) => sum + c.length, 0);
	const newest = String(chunks[chunks.length - 1] ?? '');
	return signatureOf(length / RECORD_LENGTH, newest.slice(newest.length - RECORD_LENGTH));
}

function append(window: Window, print: string, second: number): void {
	const { chunks } = window;
	const record = print + Math.max(0, second).toString(36).padStart(7, '0');
	if (chunks.length === 0 || chunks[chunks.length - 1].length === CHUNK_LENGTH) chunks.push('');
	chunks[chunks.length - 1] += record;
	window.index.add(print);
	window.newest = record;
	window.count++;
	window.stored = undefined;
}

function dropOldest(window: Window): void {
	const { chunks } = window;
	window.index.delete(chunks[0].slice(0, PRINT_LENGTH));
	chunks[0] = chunks[0].slice(RECORD_LENGTH);
	if (chunks[0] === '') chunks.shift();
	if (--window.count === 0) window.newest = '';
	window.stored = undefined;
}

/**
 * One window from several sources, oldest first, each fingerprint once (at its earliest time). A
 * time in the future (a clock stepped back) counts as now: it cannot hold off later expiries.
 */
function windowFrom(sources: Pair[][], now: number): Window {
	const valid = ([print, at]: Pair) =>
		typeof print === 'string' && /^[0-9a-f]{12}$/.test(print) && Number.isFinite(at);
	const pairs = sources.flat().filter(valid);
	pairs.sort((a, b) => Math.min(a[1], now) - Math.min(b[1], now));
	const window: Window = { chunks: [], count: 0, index: new Set(), newest: '', counted: 0 };
	for (const [print, at] of pairs) {
		if (!window.index.has(print)) append(window, print, Math.min(at, now));
	}
	return window;
}

const pairsOf = (window: Window): Pair[] => decodeRecords(window.chunks.join(''));

function storedFormOf(window: Window): { value: IDataObject; signature: string } {
	const signature = signatureOf(window.count, window.newest);
	window.stored ??= { value: { v: 2, chunks: [...window.chunks] }, signature };
	return window.stored;
}

// Marking a call's static data changed again (see "n8n dependency" above).
const MARK_AGAIN_AFTER_MS = [2, 10, 30, 80, 250, 600, 1500];

/** For a value a call writes outside the window, once in a while: marked again at the same moments. */
export function markForSave(staticData: IDataObject, key: string): void {
	for (const ms of MARK_AGAIN_AFTER_MS) {
		void sleep(ms).then(() => {
			const value = staticData[key];
			if (value !== undefined) staticData[key] = value;
		});
	}
}

/** `since`: when the call recorded its id (ms); `signature`: our last write ('' once another's). */
type PendingMark = { staticData: IDataObject; key: string; processKey: string } & {
	since: number;
	signature: string;
};

/**
 * Calls to mark, in arrival order, and per moment the next call it marks: a busy trigger costs a
 * few array steps per event, not seven timers. A sleeper is added only for a mark due before all.
 */
let pendingMarks: PendingMark[] = [];
let nextToMark = MARK_AGAIN_AFTER_MS.map(() => 0);
const sleepersWakeAt: number[] = [];

const dueAt = (stage: number): number =>
	(pendingMarks[nextToMark[stage]]?.since ?? Infinity) + MARK_AGAIN_AFTER_MS[stage];

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
 * Marks a call's static data changed. Unchanged since our last write to it: the same value is
 * assigned again (one step). Changed: the window's current stored form, so whichever call n8n
 * saves last holds every id. Static data that no longer holds our last write is left alone.
 */
function markAgain(mark: PendingMark): void {
	const window = processWindows.get(mark.processKey);
	const held = mark.staticData[mark.key];
	if (!window || mark.signature === '' || storedSignature(held) !== mark.signature) {
		mark.signature = '';
		return;
	}
	const stored = storedFormOf(window);
	mark.staticData[mark.key] = stored.signature === mark.signature ? held : stored.value;
	mark.signature = stored.signature;
}

function markDueCalls(): void {
	const now = performance.now();
	for (const stage of MARK_AGAIN_AFTER_MS.keys()) {
		while (dueAt(stage) <= now) markAgain(pendingMarks[nextToMark[stage]++]);
	}
	// Calls past their last moment are dropped, in batches (each drop copies the rest).
	const done = nextToMark[nextToMark.length - 1];
	if (done === pendingMarks.length || (done > 1024 && done * 2 > pendingMarks.length)) {
		pendingMarks = pendingMarks.slice(done);
		nextToMark = nextToMark.map((index) => index - done);
	}
	const next = Math.min(...MARK_AGAIN_AFTER_MS.map((_, stage) => dueAt(stage)));
	if (next < Infinity) wakeAt(next);
}

/** Windows of this process, least recently used first, and the entries of all of them. */
const processWindows = new Map<string, Window>();
let processEntries = 0;
/** Each window's last writes to static data: a slightly older state of ours has nothing new. */
const writtenBy = new Map<string, { last: string; recent: string[]; next: number }>();
const RECENT_STATES = 64;

function rememberWritten(processKey: string, signature: string): void {
	const written = writtenBy.get(processKey) ?? { last: '', recent: [], next: 0 };
	written.recent[written.next] = written.last = signature;
	written.next = (written.next + 1) % RECENT_STATES;
	writtenBy.set(processKey, written);
}

/** Keeps `window` as the most recently used, within the total bound (oldest windows go first). */
function keepWindow(processKey: string, window: Window): void {
	processEntries += window.count - window.counted;
	window.counted = window.count;
	processWindows.delete(processKey);
	processWindows.set(processKey, window);
	for (const [oldest, forgotten] of processWindows) {
		if (processEntries <= MAX_PROCESS_ENTRIES || oldest === processKey) break;
		processEntries -= forgotten.counted;
		processWindows.delete(oldest);
		writtenBy.delete(oldest);
	}
}

/** The process-wide name of a trigger node's window. */
export const processKeyOf = (workflowId: string | undefined, nodeId: string, key: string): string =>
	`${workflowId ?? ''}:${nodeId}:${key}`;

/**
 * True when `id` was already recorded within the window; otherwise records it (false). A changed
 * window is reassigned to static data under `key`, so n8n notices and saves it.
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
	const counted = window?.counted ?? 0;
	if (!window) window = windowFrom([readStoredWindow(loaded)], now);
	// Static data written by another process (or before a restart) adds what it knows.
	else if (!storedIsOurs && signature !== EMPTY_SIGNATURE && !written?.recent.includes(signature)) {
		window = windowFrom([pairsOf(window), readStoredWindow(loaded)], now);
	}
	// The clock stepped back behind the newest entry: re-date what now lies in the future.
	if (secondOf(window.newest) > now) window = windowFrom([pairsOf(window)], now);
	window.counted = counted;

	const countBefore = window.count;
	while (window.count > 0 && secondOf(window.chunks[0]) < now - options.maxAgeSeconds) {
		dropOldest(window);
	}
	const print = fingerprint(id);
	const duplicate = window.index.has(print);
	if (!duplicate) {
		while (window.count >= maxEntries) dropOldest(window);
		append(window, print, now);
	}
	keepWindow(processKey, window);
	// Unchanged windows are not written back: n8n then skips saving static data.
	if (duplicate && window.count === countBefore && storedIsOurs) return true;
	const update = storedFormOf(window);
	staticData[key] = update.value;
	rememberWritten(processKey, update.signature);
	if (!duplicate && options.keepAcrossRestarts !== false) {
		const since = performance.now();
		pendingMarks.push({ staticData, key, processKey, since, signature: update.signature });
		wakeAt(since + MARK_AGAIN_AFTER_MS[0]);
	}
	return duplicate;
}
