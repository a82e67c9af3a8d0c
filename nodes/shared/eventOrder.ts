/**
 * Out-of-order marks for webhook triggers. Rapid and Atlas may deliver an event after a newer one
 * for the same booking; each trigger remembers, per itinerary (Rapid) or order (Atlas), the newest
 * event time it has seen, and marks every emitted item with `newerEventSeen` and `newestEventTime`.
 * Nothing is dropped: a flow decides (skip, or re-read the booking).
 *
 * The memory is kept like the duplicate window (dedupe.ts) and with its settings: bounded by count
 * (least recently updated itineraries forgotten first) and by age (days since an itinerary's last
 * event), in this process's memory and in the workflow's static data. It is written only in a call
 * that has just recorded a new id in the duplicate window, so the window's re-marking of that
 * call's static data (dedupe.ts, "Marking a call's static data changed again") makes n8n save this
 * key with it: n8n saves the node's static data as a whole. Without the window (Drop Duplicates
 * off, an event with no id, the test URL) events are not compared.
 *
 * Records are fixed width (fingerprint of the itinerary, newest event time in microseconds, second
 * last updated), so a huge itinerary id costs what a short one does.
 */
import type { IDataObject } from 'n8n-workflow';

import { fingerprint, MAX_PROCESS_ENTRIES } from './dedupe';

/** What a trigger step reads from an event: whose it is and when it happened. */
export interface OrderFacts {
	/** The itinerary id or order number; null: none. */
	subject: string | null;
	/** The provider's event time as received (checked here). */
	time: unknown;
}

/** The fields added to each emitted item. */
export interface EventOrderMark extends IDataObject {
	/** True only when an event with a later time for the same itinerary or order came before. */
	newerEventSeen: boolean;
	/** The newest event time seen for it, this event included; null when not compared. */
	newestEventTime: string | null;
}

export const NOT_COMPARED: EventOrderMark = { newerEventSeen: false, newestEventTime: null };

/** A time this far ahead of our clock is not believed (Rapid allows 5 minutes of clock skew). */
export const FUTURE_TOLERANCE_SECONDS = 5 * 60;

const TIME_PATTERN =
	/^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Microseconds since 1970 of an ISO-8601 time (`2023-11-14T02:33:18.860105363Z`) or Atlas'
 * `YYYY-MM-DD HH:mm:ss`; without a zone it is UTC (both providers document UTC). Null for
 * anything else, an impossible date, or a time before 1970.
 */
export function parseEventTime(value: unknown): number | null {
	if (typeof value !== 'string' || value.length > 40) return null;
	const match = TIME_PATTERN.exec(value.trim());
	if (!match) return null;
	const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
	const ms = Date.UTC(year, month - 1, day, hour, minute, second);
	const date = new Date(ms);
	if (
		year < 1970 ||
		date.getUTCMonth() !== month - 1 ||
		date.getUTCDate() !== day ||
		hour > 23 ||
		minute > 59 ||
		second > 59
	) {
		return null;
	}
	const micros = Number((match[7] ?? '').padEnd(6, '0').slice(0, 6));
	const zone = (match[8] ?? 'Z').toUpperCase().replace(':', '');
	const offsetMinutes =
		zone === 'Z'
			? 0
			: (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
	const total = (ms - offsetMinutes * 60_000) * 1000 + micros;
	return total >= 0 ? total : null;
}

/** ISO-8601 in UTC; microseconds shown only when there are any. */
export function formatEventTime(micros: number): string {
	const iso = new Date(Math.floor(micros / 1000)).toISOString();
	const rest = micros % 1000;
	return rest === 0 ? iso : `${iso.slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

// ------------------------------------------------------------------------------------------------
// The memory

const PRINT_LENGTH = 12;
const MICROS_LENGTH = 11;
const SECOND_LENGTH = 7;
const RECORD_LENGTH = PRINT_LENGTH + MICROS_LENGTH + SECOND_LENGTH;
const RECORDS = /^(?:[0-9a-f]{12}[0-9a-z]{11}[0-9a-z]{7})*$/;
const STORED_VERSION = 1;

/** Tells this process's writes from those of another process (or of before a restart). */
const PROCESS_TAG = fingerprint(`${Date.now()}:${Math.random()}`);

interface Entry {
	micros: number;
	/** Unix second of the itinerary's last event. */
	seenAt: number;
}

/**
 * Itineraries least recently updated first: a Map (it keeps insertion order) for look-ups, and the
 * same entries as stored records. An update cuts one record out and appends one; dropping the
 * oldest slices the front: native string steps, so an event never rebuilds the records one by one.
 */
interface Memory {
	entries: Map<string, Entry>;
	records: string;
}

/** What static data holds under the trigger's key. */
interface StoredMemory {
	v: typeof STORED_VERSION;
	/** The process that wrote it. */
	by: string;
	records: string;
}

const recordOf = (print: string, { micros, seenAt }: Entry): string =>
	print +
	micros.toString(36).padStart(MICROS_LENGTH, '0') +
	Math.max(0, seenAt).toString(36).padStart(SECOND_LENGTH, '0');

/** The entries a stored value holds, least recently updated first; corrupt: none. */
function readStored(value: unknown): Array<[string, Entry]> {
	const records = (value as Partial<StoredMemory> | null)?.records;
	if (typeof records !== 'string' || records.length % RECORD_LENGTH !== 0) return [];
	if (!RECORDS.test(records)) return [];
	return Array.from({ length: records.length / RECORD_LENGTH }, (_, i) => {
		const at = i * RECORD_LENGTH;
		const micros = parseInt(
			records.slice(at + PRINT_LENGTH, at + PRINT_LENGTH + MICROS_LENGTH),
			36,
		);
		const seenAt = parseInt(
			records.slice(at + PRINT_LENGTH + MICROS_LENGTH, at + RECORD_LENGTH),
			36,
		);
		return [records.slice(at, at + PRINT_LENGTH), { micros, seenAt }];
	});
}

/** One memory from several: per itinerary the newest time and last update, oldest update first. */
function memoryFrom(sources: Array<Array<[string, Entry]>>): Memory {
	const merged = new Map<string, Entry>();
	for (const [print, entry] of sources.flat()) {
		const known = merged.get(print);
		merged.set(
			print,
			known
				? {
						micros: Math.max(known.micros, entry.micros),
						seenAt: Math.max(known.seenAt, entry.seenAt),
					}
				: entry,
		);
	}
	const entries = new Map([...merged].sort((a, b) => a[1].seenAt - b[1].seenAt));
	const records = Array.from(entries, ([print, entry]) => recordOf(print, entry)).join('');
	return { entries, records };
}

function forget(memory: Memory, print: string): void {
	memory.entries.delete(print);
	let at = memory.records.indexOf(print);
	// A fingerprint's characters may also occur inside another record: only a record start counts.
	while (at % RECORD_LENGTH !== 0) at = memory.records.indexOf(print, at + 1);
	memory.records = memory.records.slice(0, at) + memory.records.slice(at + RECORD_LENGTH);
}

/** Memories of this process, least recently used first, with all their entries counted together. */
const memories = new Map<string, Memory>();
let processEntries = 0;

function keepMemory(processKey: string, memory: Memory, countBefore: number): void {
	processEntries += memory.entries.size - countBefore;
	memories.delete(processKey);
	memories.set(processKey, memory);
	for (const [oldest, forgotten] of memories) {
		if (processEntries <= MAX_PROCESS_ENTRIES || oldest === processKey) break;
		processEntries -= forgotten.entries.size;
		memories.delete(oldest);
	}
}

export interface OrderMemoryOptions {
	maxEntries: number;
	maxAgeSeconds: number;
	/** Names this trigger node's memory in the process: the duplicate window's process key. */
	processKey: string;
	/** Unix milliseconds; defaults to the clock. */
	now?: number;
}

/**
 * Compares an event with the newest one seen for its itinerary or order and remembers it. An
 * event without a subject or a believable time is marked as not compared and changes nothing.
 * Equal times are not "newer".
 */
export function markEventOrder(
	staticData: IDataObject,
	key: string,
	facts: OrderFacts,
	options: OrderMemoryOptions,
): EventOrderMark {
	const nowMs = options.now ?? Date.now();
	const micros = parseEventTime(facts.time);
	if (facts.subject === null || facts.subject === '' || micros === null) return NOT_COMPARED;
	if (micros > (nowMs + FUTURE_TOLERANCE_SECONDS * 1000) * 1000) return NOT_COMPARED;

	const processKey = `${options.processKey}|${key}`;
	const stored = staticData[key] as Partial<StoredMemory> | undefined;
	let memory = memories.get(processKey);
	const countBefore = memory?.entries.size ?? 0;
	if (!memory) memory = memoryFrom([readStored(stored)]);
	// What another process (or this one before a restart) saved adds what it knows.
	else if (stored?.by !== undefined && stored.by !== PROCESS_TAG) {
		memory = memoryFrom([[...memory.entries], readStored(stored)]);
	}

	const now = Math.floor(nowMs / 1000);
	const oldestKept = now - options.maxAgeSeconds;
	for (const [print, entry] of memory.entries) {
		if (entry.seenAt >= oldestKept) break;
		forget(memory, print);
	}
	const print = fingerprint(facts.subject);
	const known = memory.entries.get(print);
	const newest = Math.max(known?.micros ?? micros, micros);
	if (known) forget(memory, print);
	for (const oldest of memory.entries.keys()) {
		if (memory.entries.size < Math.max(1, options.maxEntries)) break;
		forget(memory, oldest);
	}
	const entry = { micros: newest, seenAt: now };
	memory.entries.set(print, entry);
	memory.records += recordOf(print, entry);
	keepMemory(processKey, memory, countBefore);

	const update: StoredMemory = { v: STORED_VERSION, by: PROCESS_TAG, records: memory.records };
	staticData[key] = update as unknown as IDataObject;
	return { newerEventSeen: newest > micros, newestEventTime: formatEventTime(newest) };
}
