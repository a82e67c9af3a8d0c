import type { IDataObject } from 'n8n-workflow';

import { MAX_PROCESS_ENTRIES, processKeyOf } from '../../nodes/shared/dedupe';
import {
	formatEventTime,
	FUTURE_TOLERANCE_SECONDS,
	markEventOrder,
	NOT_COMPARED,
	parseEventTime,
} from '../../nodes/shared/eventOrder';

const KEY = 'newest';
let scope = 0;
/** A trigger node in a process of its own: what a restart or another webhook processor is. */
const freshProcessKey = () => processKeyOf(`order-wf-${++scope}`, 'node', 'seen');
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const opts = (processKey: string, extra: object = {}) => ({
	maxEntries: 1000,
	maxAgeSeconds: 8 * 86400,
	now: NOW,
	processKey,
	...extra,
});
/** One event of `subject` at 10:00:`second` on the test day, through the memory of `processKey`. */
const markAt = (data: IDataObject, processKey: string, subject: string, second: number) =>
	markEventOrder(
		data,
		KEY,
		{ subject, time: `2026-11-22T10:00:${String(second).padStart(2, '0')}Z` },
		opts(processKey),
	);
/** What n8n saved and a later call loads: a copy, not the same object. */
const saved = (data: IDataObject): IDataObject => JSON.parse(JSON.stringify(data)) as IDataObject;

describe('event time', () => {
	it.each([
		// Rapid's documented samples (seed 001): milliseconds, and nanoseconds.
		['2017-08-09T16:47:32.039Z', Date.UTC(2017, 7, 9, 16, 47, 32, 39) * 1000],
		['2023-11-14T02:33:18.860105363Z', Date.UTC(2023, 10, 14, 2, 33, 18, 860) * 1000 + 105],
		// Atlas' email.all emailReceivingDate: UTC, no zone written.
		['2024-01-05 10:54:21', Date.UTC(2024, 0, 5, 10, 54, 21) * 1000],
		['2024-01-05T18:54:21+08:00', Date.UTC(2024, 0, 5, 10, 54, 21) * 1000],
		['2024-01-05T05:24:21-0530', Date.UTC(2024, 0, 5, 10, 54, 21) * 1000],
	])('reads %s', (text, micros) => {
		expect(parseEventTime(text)).toBe(micros);
	});

	it.each([
		[undefined],
		[null],
		[''],
		['yesterday'],
		[1700000000],
		['2026-02-30T10:00:00Z'],
		['2026-11-22T24:00:00Z'],
		['1969-12-31T23:59:59Z'],
		['2026-11-22T10:00:00.123Z' + ' '.repeat(50)],
		[{ time: '2026-11-22T10:00:00Z' }],
	])('refuses %p', (value) => {
		expect(parseEventTime(value)).toBeNull();
	});

	it('writes microseconds only when there are any', () => {
		expect(formatEventTime(Date.UTC(2017, 7, 9, 16, 47, 32, 39) * 1000)).toBe(
			'2017-08-09T16:47:32.039Z',
		);
		expect(formatEventTime(parseEventTime('2023-11-14T02:33:18.860105363Z') as number)).toBe(
			'2023-11-14T02:33:18.860105Z',
		);
	});
});

describe('out-of-order memory', () => {
	it('marks an event older than one already seen for the same itinerary, and only that', () => {
		const data: IDataObject = {};
		const key = freshProcessKey();
		const mark = (subject: string, time: string) =>
			markEventOrder(data, KEY, { subject, time }, opts(key));
		expect(mark('A', '2026-11-22T10:00:05Z')).toEqual({
			newerEventSeen: false,
			newestEventTime: '2026-11-22T10:00:05.000Z',
		});
		expect(mark('A', '2026-11-22T10:00:01Z')).toEqual({
			newerEventSeen: true,
			newestEventTime: '2026-11-22T10:00:05.000Z',
		});
		// Another itinerary is not affected; the same time twice is not "newer".
		expect(mark('B', '2026-11-22T10:00:01Z').newerEventSeen).toBe(false);
		expect(mark('A', '2026-11-22T10:00:05Z').newerEventSeen).toBe(false);
		expect(mark('A', '2026-11-22T10:00:05.000001Z')).toEqual({
			newerEventSeen: false,
			newestEventTime: '2026-11-22T10:00:05.000001Z',
		});
		expect(mark('A', '2026-11-22T10:00:05Z').newerEventSeen).toBe(true);
	});

	it('matches a simple oracle over many shuffles of events for a few itineraries', () => {
		const events: Array<[string, string]> = [];
		for (const subject of ['A', 'B', 'C']) {
			for (const second of [1, 2, 2, 3, 7, 9]) {
				events.push([subject, `2026-11-22T10:00:0${second}Z`]);
			}
		}
		let seed = 24;
		const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		for (let run = 0; run < 300; run++) {
			const order = [...events].sort(() => random() - 0.5);
			const data: IDataObject = {};
			const key = freshProcessKey();
			const newest = new Map<string, string>();
			for (const [subject, time] of order) {
				const mark = markEventOrder(data, KEY, { subject, time }, opts(key));
				const before = newest.get(subject);
				expect(mark.newerEventSeen).toBe(before !== undefined && before > time);
				if (before === undefined || time > before) newest.set(subject, time);
				expect(mark.newestEventTime).toBe(newest.get(subject)?.replace('Z', '.000Z'));
			}
		}
	});

	it('compares nothing and remembers nothing without a believable time or a subject', () => {
		const data: IDataObject = {};
		const key = freshProcessKey();
		const future = new Date(NOW + (FUTURE_TOLERANCE_SECONDS + 60) * 1000).toISOString();
		for (const facts of [
			{ subject: 'A', time: undefined },
			{ subject: 'A', time: 'not a time' },
			{ subject: 'A', time: '2999-01-01T00:00:00Z' },
			{ subject: 'A', time: future },
			{ subject: null, time: '2026-11-22T10:00:00Z' },
			{ subject: '', time: '2026-11-22T10:00:00Z' },
		]) {
			expect(markEventOrder(data, KEY, facts, opts(key))).toEqual(NOT_COMPARED);
		}
		expect(data).toEqual({});
		// A forged far-future time therefore cannot make every later genuine event look stale.
		const slightlyAhead = new Date(NOW + 60_000).toISOString();
		expect(markEventOrder(data, KEY, { subject: 'A', time: slightlyAhead }, opts(key))).toEqual({
			newerEventSeen: false,
			newestEventTime: slightlyAhead,
		});
	});

	it('costs the same for a huge itinerary id as for a short one', () => {
		const data: IDataObject = {};
		const key = freshProcessKey();
		const huge = 'x'.repeat(1_000_000);
		markEventOrder(data, KEY, { subject: huge, time: '2026-11-22T10:00:02Z' }, opts(key));
		expect(JSON.stringify(data).length).toBeLessThan(200);
		const other = huge.slice(1) + 'y';
		expect(
			markEventOrder(data, KEY, { subject: other, time: '2026-11-22T10:00:01Z' }, opts(key))
				.newerEventSeen,
		).toBe(false);
		expect(
			markEventOrder(data, KEY, { subject: huge, time: '2026-11-22T10:00:01Z' }, opts(key))
				.newerEventSeen,
		).toBe(true);
	});

	it('forgets the least recently updated itineraries beyond its size, and those older than its age', () => {
		const data: IDataObject = {};
		const key = freshProcessKey();
		const mark = (subject: string, extra: object = {}) =>
			markEventOrder(data, KEY, { subject, time: '2026-11-22T10:00:05Z' }, opts(key, extra));
		for (const subject of ['A', 'B', 'C']) mark(subject, { maxEntries: 3 });
		mark('A', { maxEntries: 3 }); // A is now the most recently updated
		mark('D', { maxEntries: 3 }); // B goes
		const stale = (subject: string, extra: object = {}) =>
			markEventOrder(data, KEY, { subject, time: '2026-11-22T10:00:01Z' }, opts(key, extra))
				.newerEventSeen;
		expect(stale('B', { maxEntries: 3 })).toBe(false); // forgotten: compared with nothing
		expect(stale('D', { maxEntries: 3 })).toBe(true);
		expect((data[KEY] as { records: string }).records).toHaveLength(3 * 30);
		// Nine days later everything is older than the window.
		expect(stale('D', { now: NOW + 9 * 86400_000 })).toBe(false);
		expect((data[KEY] as { records: string }).records).toHaveLength(30);
	});

	it('survives a restart: a new process reads what static data saved', () => {
		const data: IDataObject = {};
		markAt(data, freshProcessKey(), 'A', 5);
		expect(markAt(saved(data), freshProcessKey(), 'A', 1)).toEqual({
			newerEventSeen: true,
			newestEventTime: '2026-11-22T10:00:05.000Z',
		});
	});

	it('keeps what concurrent calls of one process learnt, whatever static data they loaded', () => {
		const key = freshProcessKey();
		// Two calls load the same (empty) static data; n8n keeps the last writer's copy.
		markAt({}, key, 'A', 5);
		markAt({}, key, 'B', 5);
		const data: IDataObject = {};
		expect(markAt(data, key, 'A', 1).newerEventSeen).toBe(true);
		expect((data[KEY] as { records: string }).records).toHaveLength(2 * 30);
	});

	it('merges what another process saved, keeping the newest time of each itinerary', () => {
		const elsewhere: IDataObject = {};
		markAt(elsewhere, freshProcessKey(), 'A', 9);
		const key = freshProcessKey();
		markAt({}, key, 'A', 5);
		// This process's next call loads the other process's save (from a different process tag).
		const loaded = saved(elsewhere);
		(loaded[KEY] as IDataObject).by = 'another-process';
		expect(markAt(loaded, key, 'A', 7)).toEqual({
			newerEventSeen: true,
			newestEventTime: '2026-11-22T10:00:09.000Z',
		});
	});

	it('reads a corrupt stored state as empty rather than failing', () => {
		for (const corrupt of [
			'text',
			42,
			[],
			{ records: 7 },
			{ records: 'abc' },
			{ records: 'g'.repeat(30) },
			{ by: 'x', records: 'z'.repeat(30) },
		]) {
			const data: IDataObject = { [KEY]: corrupt as IDataObject };
			expect(
				markEventOrder(
					data,
					KEY,
					{ subject: 'A', time: '2026-11-22T10:00:01Z' },
					opts(freshProcessKey()),
				),
			).toEqual({ newerEventSeen: false, newestEventTime: '2026-11-22T10:00:01.000Z' });
		}
	});

	it('all process memories together stay within a total bound', () => {
		const size = 10_000;
		const keys: string[] = [];
		const event = (key: string, subject: string, second: number) =>
			markEventOrder(
				{},
				KEY,
				{ subject, time: `2026-11-22T10:00:0${second}Z` },
				opts(key, { maxEntries: size }),
			);
		for (let n = 0; n * size <= MAX_PROCESS_ENTRIES + size; n++) {
			keys.push(freshProcessKey());
			for (let i = 0; i < size; i++) event(keys[n], `i-${i}`, 1);
		}
		// Which memories still know i-0's newer event from memory alone (empty static data), newest
		// first. A memory is kept or forgotten whole, least recently used first; a probe of a kept
		// memory adds no entry, so it pushes no other memory out. Stop at the first forgotten one.
		let kept = 0;
		const knows = (key: string) => event(key, 'i-0', 0).newerEventSeen;
		while (kept < keys.length && knows(keys[keys.length - 1 - kept])) kept++;
		expect(kept).toBeGreaterThan(0);
		expect(kept).toBeLessThan(keys.length);
		expect(kept * size).toBeLessThanOrEqual(MAX_PROCESS_ENTRIES);
		// The oldest memory's itineraries are new to a call that has only memory to go by.
		expect(knows(keys[0])).toBe(false);
	});
});
