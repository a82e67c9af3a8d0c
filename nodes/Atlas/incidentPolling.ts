/**
 * What the Atlas Incident Trigger remembers between polls, and which incidents of a poll are new
 * or changed. Pure: the node reads the listing and hands it here.
 *
 * Built on documented fields only: each poll lists the incidents Atlas received (`eventTime`)
 * within a look-back window ending at the poll's start, so the list cannot grow while it is paged
 * and a poll costs ceil(incidents in the window / page size) requests, whatever the account's
 * history. Re-listing the window is how changes (confirmation, result, remark) are seen. A bounded
 * memory of each incident's last seen state keeps repeated listings from emitting anything twice.
 */
import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import { ATLAS_ZONE, readDateInput } from './incidents';

/** Read this far back before the last complete poll's start: clocks differ, Atlas lists late. */
export const OVERLAP_MS = 10 * 60_000;
export const DEFAULT_LOOK_BACK_DAYS = 3;
/** Incidents remembered; those Atlas received longest ago go first. */
export const MAX_REMEMBERED = 10_000;
/** Characters of a result or remark kept to show as the old value of a change. */
export const MAX_REMEMBERED_TEXT = 100;
const DAY_MS = 24 * 3600_000;

/** The fields whose change is news, in the order a changed item lists them. */
export const WATCHED_FIELDS = ['eventStatus', 'confirmedResult', 'confirmedRemark'] as const;
type WatchedField = (typeof WATCHED_FIELDS)[number];

export type EmitMode = 'new' | 'newAndChanged';

export interface Change {
	incident: IDataObject;
	change: 'new' | 'changed';
	/** For 'changed': the watched fields that differ from the last poll. */
	changedFields?: WatchedField[];
	/** For 'changed': their values at the last poll, where remembered (texts cut). */
	previous?: IDataObject;
}

/** An incident as remembered: key, when Atlas received it (ms), fingerprint, watched values. */
type Remembered = [key: string, receivedAt: number, print: string, ...values: unknown[]];

export interface PollMemory {
	/** First poll attempt (ms): incidents Atlas received since then are new, even if that poll failed. */
	startedAt?: number;
	/** Start of the last poll that read its whole window; undefined until one did. */
	since?: number;
	/** Start of the newest poll merged here: an older poll finishing later is discarded. */
	listedAt?: number;
	/** Incidents received before this (ms) may have been forgotten: unseen ones are not new. */
	horizon?: number;
	/** The event types and statuses watched: incidents of a type added later are not all new. */
	filter?: string;
	incidents: Remembered[];
}

const finite = (value: unknown): number | undefined =>
	typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** Reads the stored memory; a damaged one reads as empty, one of version 0.2 is carried over. */
export function readMemory(value: unknown): PollMemory {
	const stored = (typeof value === 'object' && value !== null ? value : {}) as IDataObject;
	if (Array.isArray(stored.seen)) {
		// 0.2 kept [ID, fingerprint] pairs and the last poll's start: same fingerprints, no values.
		const polledAt = finite(stored.polledAt);
		return {
			startedAt: polledAt,
			since: polledAt,
			listedAt: polledAt,
			incidents: stored.seen
				.filter((pair) => Array.isArray(pair) && pair.every((part) => typeof part === 'string'))
				.map(([key, print]: string[]) => [key, polledAt ?? 0, print]),
		};
	}
	const incidents = Array.isArray(stored.incidents)
		? (stored.incidents as unknown[]).filter(
				(entry): entry is Remembered =>
					Array.isArray(entry) &&
					typeof entry[0] === 'string' &&
					finite(entry[1]) !== undefined &&
					typeof entry[2] === 'string',
			)
		: [];
	return {
		startedAt: finite(stored.startedAt),
		since: finite(stored.since),
		listedAt: finite(stored.listedAt),
		horizon: finite(stored.horizon),
		filter: typeof stored.filter === 'string' ? stored.filter : undefined,
		incidents,
	};
}

/** The fingerprint of the watched fields (unchanged since 0.2, so its memory carries over). */
export function stateFingerprint(incident: IDataObject): string {
	const state = WATCHED_FIELDS.map((field) => incident[field]);
	return createHash('sha256').update(JSON.stringify(state)).digest('hex').slice(0, 12);
}

/** The incident's ID, or for a record without one a digest of the fields that name it. */
export function incidentKey(incident: IDataObject): string {
	const id = incident.eventId;
	if ((typeof id === 'string' && id !== '') || typeof id === 'number') return String(id);
	const names = ['orderNo', 'eventType', 'eventTime', 'createTime', 'pnr'].map((f) => incident[f]);
	return `#${createHash('sha256').update(JSON.stringify(names)).digest('hex').slice(0, 16)}`;
}

/** When Atlas received the incident (its UTC+08:00 `eventTime`), in ms; undefined if unreadable. */
export function receivedAt(incident: IDataObject): number | undefined {
	const { eventTime } = incident;
	// A number this small is epoch seconds, not milliseconds.
	const time = typeof eventTime === 'number' && eventTime < 1e11 ? eventTime * 1000 : eventTime;
	const date = readDateInput(time, ATLAS_ZONE);
	return date?.isValid ? date.toMillis() : undefined;
}

const MINUTE_MS = 60_000;
const POLL_GAPS: Record<string, number> = {
	everyMinute: MINUTE_MS,
	everyHour: 60 * MINUTE_MS,
	everyDay: DAY_MS,
	everyWeek: 7 * DAY_MS,
	everyMonth: 31 * DAY_MS,
};

/**
 * The longest time between two polls n8n's Poll Times allow (each entry alone polls at least this
 * often; a custom cron counts as a week).
 */
export function longestPollGap(pollTimes: unknown): number {
	const items = ((pollTimes as { item?: IDataObject[] } | undefined)?.item ?? []).map((item) =>
		item.mode === 'everyX'
			? Number(item.value) * (item.unit === 'hours' ? 60 : 1) * MINUTE_MS
			: (POLL_GAPS[String(item.mode)] ?? 7 * DAY_MS),
	);
	const gaps = items.filter((gap) => Number.isFinite(gap) && gap > 0);
	return gaps.length > 0 ? Math.min(...gaps) : DAY_MS;
}

/**
 * The memory to store as a poll starts, before it lists: the watch starts at the first attempt
 * (`watchBackMs` earlier), and watching other types or statuses starts a new watch from the last
 * poll, so that the incidents of an added type are not all taken for new.
 */
export function beginPoll(
	memory: PollMemory,
	polledAt: number,
	filter: string,
	watchBackMs: number,
): PollMemory {
	if (memory.startedAt === undefined) {
		return { ...memory, startedAt: polledAt - watchBackMs, filter };
	}
	if (memory.filter !== undefined && memory.filter !== filter) {
		return { ...memory, since: undefined, startedAt: memory.listedAt ?? polledAt, filter };
	}
	return { ...memory, filter };
}

/** The memory as stored in the workflow's static data. */
export const writeMemory = (memory: PollMemory): IDataObject => ({ v: 2, ...memory });

export interface ListingWindow {
	start: number;
	end: number;
}

/**
 * The `eventTime` span a poll starting at `now` lists: back to the look-back, or further to the
 * last complete poll (minus the overlap) after a long pause, so nothing received meanwhile is
 * skipped. It ends at the poll's start, so incidents arriving while it pages do not move the list.
 */
export function listingWindow(
	memory: PollMemory,
	now: number,
	lookBackDays: number,
): ListingWindow {
	const lastComplete = memory.since ?? memory.startedAt ?? now;
	const lookBack = Math.max(0, lookBackDays) * DAY_MS;
	return { start: Math.min(lastComplete - OVERLAP_MS, now - lookBack), end: now };
}

/**
 * A text as remembered: itself, or past the limit its start and a digest that tells any change
 * apart (so a remembered long text is the only kind longer than the limit).
 */
const cut = (value: unknown) =>
	typeof value === 'string' && value.length > MAX_REMEMBERED_TEXT
		? `${value.slice(0, MAX_REMEMBERED_TEXT)}…${digest(value)}`
		: value;
const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);
/** A remembered value as shown: a long text's start, without its digest. */
const shown = (value: unknown) =>
	typeof value === 'string' && value.length > MAX_REMEMBERED_TEXT
		? value.slice(0, MAX_REMEMBERED_TEXT + 1)
		: value;

export interface PollListing {
	incidents: IDataObject[];
	/** Whether every planned page was read and the pages added up. */
	complete: boolean;
	/** The poll's start (ms). */
	polledAt: number;
	window: ListingWindow;
}

export interface PollResult {
	changes: Change[];
	memory: PollMemory;
	/** An older poll that finished after a newer one: nothing emitted, memory untouched. */
	stale: boolean;
}

/**
 * Compares a poll's listing with the memory as it is when the poll ends (a poll that overlapped
 * this one may have merged meanwhile), and returns what to emit and the memory to store.
 *
 * Until one poll has read its whole window the trigger is learning: the first attempt emits nothing,
 * a later one only what Atlas received since the first attempt (less the overlap). Afterwards every unseen incident is new, except
 * those received before the horizon, which the memory may have let go.
 */
export function mergePoll(memory: PollMemory, listing: PollListing, emit: EmitMode): PollResult {
	const { polledAt, window } = listing;
	if (memory.listedAt !== undefined && polledAt < memory.listedAt) {
		return { changes: [], memory, stale: true };
	}
	const startedAt = memory.startedAt ?? polledAt;
	const learning = memory.since === undefined;
	// After a failed first attempt, clocks may differ as on any poll: the overlap counts as watched.
	const watchFrom = startedAt - OVERLAP_MS;
	const known = new Map(memory.incidents.map((entry) => [entry[0], entry]));
	const changes: Change[] = [];

	for (const incident of listing.incidents) {
		const key = incidentKey(incident);
		const received = receivedAt(incident);
		const before = known.get(key);
		const print = stateFingerprint(incident);
		if (before === undefined) {
			const isNew = learning
				? polledAt !== startedAt && received !== undefined && received >= watchFrom
				: received === undefined || received >= (memory.horizon ?? -Infinity);
			if (isNew) changes.push({ incident, change: 'new' });
		} else if (before[2] !== print && emit === 'newAndChanged') {
			changes.push({ incident, change: 'changed', ...describeChange(before, incident) });
		}
		const recency = received ?? before?.[1] ?? polledAt;
		known.set(key, [key, recency, print, ...WATCHED_FIELDS.map((field) => cut(incident[field]))]);
	}

	const { incidents, horizon } = bound([...known.values()], window.start, memory.horizon);
	return {
		changes,
		stale: false,
		memory: {
			startedAt,
			filter: memory.filter,
			since: listing.complete ? Math.max(memory.since ?? polledAt, polledAt) : memory.since,
			listedAt: polledAt,
			horizon,
			incidents,
		},
	};
}

function describeChange(before: Remembered, incident: IDataObject) {
	const old = before.slice(3);
	// Memory carried over from 0.2 holds no values: every watched field may have changed.
	if (old.length !== WATCHED_FIELDS.length) return { changedFields: [...WATCHED_FIELDS] };
	const changedFields = WATCHED_FIELDS.filter((field, i) => cut(incident[field]) !== old[i]);
	const previous = Object.fromEntries(
		changedFields.map((field) => [field, shown(old[WATCHED_FIELDS.indexOf(field)])]),
	) as IDataObject;
	return { changedFields, previous };
}

/**
 * Lets go of incidents received before the window (no poll lists them again) and, above the bound,
 * of those received longest ago; the horizon records how far the memory is no longer complete.
 */
function bound(entries: Remembered[], windowStart: number, horizon?: number) {
	let kept = entries.filter((entry) => entry[1] >= windowStart);
	let next = Math.max(horizon ?? -Infinity, windowStart);
	if (kept.length > MAX_REMEMBERED) {
		kept.sort((a, b) => b[1] - a[1]);
		next = Math.max(next, kept[MAX_REMEMBERED][1] + 1);
		kept = kept.slice(0, MAX_REMEMBERED);
	}
	return { incidents: kept, horizon: Number.isFinite(next) ? next : undefined };
}
