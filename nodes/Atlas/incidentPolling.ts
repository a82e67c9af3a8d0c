/**
 * What the Atlas Incident Trigger remembers between polls, and which incidents of a poll are new
 * or changed. Pure: the node reads the listing and hands it here.
 *
 * Each poll asks for incidents updated since the start of the last successful poll, minus an
 * overlap (clocks differ, Atlas writes some incidents late), so consecutive polls read some
 * incidents twice. A bounded memory of each incident's last seen state (ID → fingerprint of the
 * fields that make a change) keeps the overlap from emitting anything twice.
 */
import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

/** Read this far back before the last poll's start. */
export const OVERLAP_MS = 10 * 60_000;
/** Incidents remembered; the oldest seen go first. */
export const MAX_REMEMBERED = 10_000;

export type EmitMode = 'new' | 'newAndChanged';
export type Change = 'new' | 'changed';

export interface PollMemory {
	/** Start of the last successful poll (epoch ms); undefined before the first. */
	polledAt?: number;
	/** [incident ID, fingerprint of its state], least recently seen first. */
	seen: Array<[string, string]>;
}

export function readMemory(value: unknown): PollMemory {
	const memory = value as Partial<PollMemory> | undefined;
	const polledAt = Number.isFinite(memory?.polledAt) ? memory?.polledAt : undefined;
	const seen = Array.isArray(memory?.seen)
		? memory.seen.filter(
				(pair): pair is [string, string] =>
					Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string',
			)
		: [];
	return { polledAt, seen };
}

/** The fields whose change is news: confirmed or not, the result, the remark. */
export function stateFingerprint(incident: IDataObject): string {
	const state = [incident.eventStatus, incident.confirmedResult, incident.confirmedRemark];
	return createHash('sha256').update(JSON.stringify(state)).digest('hex').slice(0, 12);
}

/** Where the next listing starts: the last poll's start minus the overlap, or now for the first. */
export const listSince = (memory: PollMemory, now: number): number =>
	(memory.polledAt ?? now) - OVERLAP_MS;

export interface PollResult {
	changes: Array<{ incident: IDataObject; change: Change }>;
	memory: PollMemory;
}

/**
 * Compares a poll's listing with what was seen before. The first poll only learns (it emits
 * nothing that existed before the trigger was activated). Incidents without an ID cannot be
 * recognised again and are emitted each time a listing holds them.
 */
export function comparePoll(
	incidents: IDataObject[],
	memory: PollMemory,
	emit: EmitMode,
	polledAt: number,
): PollResult {
	const first = memory.polledAt === undefined;
	const seen = new Map(memory.seen);
	const changes: PollResult['changes'] = [];
	for (const incident of incidents) {
		const id = incident.eventId;
		if (typeof id !== 'string' && typeof id !== 'number') {
			if (!first) changes.push({ incident, change: 'new' });
			continue;
		}
		const key = String(id);
		const print = stateFingerprint(incident);
		const before = seen.get(key);
		if (!first && before === undefined) changes.push({ incident, change: 'new' });
		else if (!first && before !== print && emit === 'newAndChanged') {
			changes.push({ incident, change: 'changed' });
		}
		seen.delete(key);
		seen.set(key, print);
	}
	for (const oldest of seen.keys()) {
		if (seen.size <= MAX_REMEMBERED) break;
		seen.delete(oldest);
	}
	return { changes, memory: { polledAt, seen: [...seen] } };
}
