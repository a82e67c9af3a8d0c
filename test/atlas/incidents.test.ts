import { DateTime } from 'luxon';
import type { IDataObject } from 'n8n-workflow';

import {
	normaliseIncident,
	readDateInput,
	readIncidentPage,
	toAtlasLocalTime,
	toAtlasTime,
	toNumber,
	type IncidentPage,
} from '../../nodes/Atlas/incidents';
import {
	collectRecords,
	describeDrift,
	mapInOrder,
	pagesNeeded,
	readListing,
	requestPageSize,
} from '../../nodes/Atlas/transport/paging';

describe('dates', () => {
	const atlasTime = (value: unknown, zone = 'Europe/Berlin') =>
		toAtlasTime(readDateInput(value, zone) as DateTime);
	const localTime = (value: unknown, zone = 'Europe/Berlin') =>
		toAtlasLocalTime(readDateInput(value, zone) as DateTime);

	it('converts a picker value (no offset) from the workflow time zone to UTC+08:00', () => {
		expect(atlasTime('2024-05-01T10:00:00')).toBe('2024-05-01 16:00:00');
		expect(atlasTime('2024-01-15T10:00:00')).toBe('2024-01-15 17:00:00');
		expect(atlasTime('2024-05-01T20:30:15', 'UTC')).toBe('2024-05-02 04:30:15');
	});

	it('respects an explicit offset or Z', () => {
		expect(atlasTime('2024-05-01T10:00:00Z')).toBe('2024-05-01 18:00:00');
		expect(atlasTime('2024-05-01T10:00:00-05:00')).toBe('2024-05-01 23:00:00');
		expect(atlasTime('2024-05-01T10:00:00.123+08:00')).toBe('2024-05-01 10:00:00');
	});

	it("accepts Atlas' own format, dates, Luxon DateTimes, JS Dates and epoch milliseconds", () => {
		expect(atlasTime('2024-05-01 10:00:00', 'Asia/Shanghai')).toBe('2024-05-01 10:00:00');
		expect(atlasTime('2024-05-01', 'UTC')).toBe('2024-05-01 08:00:00');
		expect(atlasTime(DateTime.fromISO('2024-05-01T00:00:00Z'))).toBe('2024-05-01 08:00:00');
		expect(atlasTime(new Date('2024-05-01T00:00:00Z'))).toBe('2024-05-01 08:00:00');
		expect(atlasTime(Date.UTC(2024, 4, 1))).toBe('2024-05-01 08:00:00');
	});

	it('keeps the wall clock for departure-local times', () => {
		expect(localTime('2024-05-01T10:00:00')).toBe('2024-05-01 10:00:00');
		expect(localTime('2024-05-01T10:00:00+02:00')).toBe('2024-05-01 10:00:00');
		expect(localTime('2024-05-01T23:59:59Z')).toBe('2024-05-01 23:59:59');
		expect(localTime('2024-05-01 07:05:00')).toBe('2024-05-01 07:05:00');
	});

	it('refuses what it cannot read', () => {
		for (const value of ['', 'tomorrow', '2024-13-01', {}, null, undefined, true]) {
			expect(readDateInput(value, 'UTC')).toBeUndefined();
		}
	});
});

describe('records', () => {
	it('reads numbers and numeric strings only', () => {
		expect(toNumber(3)).toBe(3);
		expect(toNumber('42')).toBe(42);
		expect(toNumber(' -1 ')).toBe(-1);
		expect(toNumber('1.5')).toBe(1.5);
		for (const value of ['', 'x', '1e3', null, undefined, NaN, Infinity, '12abc']) {
			expect(toNumber(value)).toBeUndefined();
		}
	});

	it('turns numeric-string statuses into numbers and keeps every other field as sent', () => {
		const record = {
			eventId: 'E1',
			orderNo: '000123',
			eventStatus: '1',
			notified: '0',
			pnr: 'ABC123',
			confirmedResult: null,
			somethingNew: { nested: true },
		};
		expect(normaliseIncident(record)).toEqual({
			...record,
			eventStatus: 1,
			notified: 0,
		});
	});

	it('leaves unreadable numbers alone rather than losing them', () => {
		expect(normaliseIncident({ eventStatus: 'n/a', notified: null })).toEqual({
			eventStatus: 'n/a',
			notified: null,
		});
	});
});

describe('readIncidentPage', () => {
	it('reads string or number paging fields', () => {
		const reading = readIncidentPage({
			status: 0,
			records: [{ eventId: 'E1', eventStatus: '0' }],
			pageIndex: '2',
			pageSize: '10',
			total: '11',
		});
		expect(reading).toEqual({
			ok: true,
			page: { records: [{ eventId: 'E1', eventStatus: 0 }], total: 11, pageIndex: 2, pageSize: 10 },
		});
	});

	it('accepts an empty listing without records', () => {
		expect(readIncidentPage({ status: 0, total: '0', records: null })).toMatchObject({
			ok: true,
			page: { records: [], total: 0 },
		});
	});

	it.each([
		[{ records: [] }, /"total"/],
		[{ records: [], total: 'many' }, /"total"/],
		[{ records: [], total: '2.5' }, /"total"/],
		[{ total: '3' }, /missing although "total" is 3/],
		[{ total: '3', records: 'x' }, /not a list/],
		[{ total: '3', records: [1, 2] }, /not a list of objects/],
	] as Array<[IDataObject, RegExp]>)('reports %p as a problem', (envelope, problem) => {
		const reading = readIncidentPage({ status: 0, ...envelope });
		expect(reading.ok).toBe(false);
		expect(!reading.ok && reading.problem).toMatch(problem);
	});
});

describe('paging arithmetic', () => {
	it('requests the limit as the page size when it is smaller', () => {
		expect(requestPageSize(100)).toBe(100);
		expect(requestPageSize(100, 10)).toBe(10);
		expect(requestPageSize(7, 10)).toBe(7);
	});

	it('needs ceil(total / pageSize) pages, fewer for a limit', () => {
		expect(pagesNeeded(300, 7)).toBe(43);
		expect(pagesNeeded(300, 100)).toBe(3);
		expect(pagesNeeded(0, 100)).toBe(0);
		expect(pagesNeeded(300, 7, 10)).toBe(2);
		expect(pagesNeeded(5, 7, 10)).toBe(1);
	});

	it('runs tasks with bounded concurrency and returns results in input order', async () => {
		let running = 0;
		let peak = 0;
		const results = await mapInOrder([5, 1, 4, 2, 3, 0], 3, async (n) => {
			running++;
			peak = Math.max(peak, running);
			for (let i = 0; i < n; i++) await Promise.resolve();
			running--;
			return n * 10;
		});
		expect(results).toEqual([50, 10, 40, 20, 30, 0]);
		expect(peak).toBe(3);
	});

	it('stops starting tasks after a failure and rejects with it', async () => {
		const started: number[] = [];
		const run = mapInOrder([1, 2, 3, 4, 5, 6], 2, async (n) => {
			started.push(n);
			await Promise.resolve();
			if (n === 2) throw new Error('page 2 failed');
			return n;
		});
		await expect(run).rejects.toThrow('page 2 failed');
		expect(started.length).toBeLessThan(6);
	});
});

/** A fake Atlas list: `total` records, optionally changing between calls. */
function fakeList(
	initial: IDataObject[],
	change?: (call: number, list: IDataObject[]) => IDataObject[],
) {
	let list = initial;
	const calls: Array<[number, number]> = [];
	const fetchPage = async (pageIndex: number, pageSize: number): Promise<IncidentPage> => {
		calls.push([pageIndex, pageSize]);
		if (change) list = change(calls.length, list);
		const start = (pageIndex - 1) * pageSize;
		return {
			records: list.slice(start, start + pageSize),
			total: list.length,
			pageIndex,
			pageSize,
		};
	};
	return { fetchPage, calls };
}

const incidents = (n: number, prefix = 'E') =>
	Array.from({ length: n }, (_, i) => ({ eventId: `${prefix}${i + 1}` }));

describe('readListing', () => {
	it.each([1, 7, 100])(
		'Return All with page size %d reads every record once, in order',
		async (size) => {
			const { fetchPage, calls } = fakeList(incidents(300));
			const listing = await readListing(fetchPage, { pageSize: size });
			expect(listing.records.map((r) => r.eventId)).toEqual(incidents(300).map((r) => r.eventId));
			expect(calls).toHaveLength(Math.ceil(300 / size));
			expect(listing.requests).toBe(Math.ceil(300 / size));
			expect(new Set(calls.map(([index]) => index)).size).toBe(calls.length);
			expect(listing.drift).toEqual([]);
		},
	);

	it('makes one request for an empty list', async () => {
		const { fetchPage, calls } = fakeList([]);
		expect((await readListing(fetchPage, { pageSize: 50 })).records).toEqual([]);
		expect(calls).toEqual([[1, 50]]);
	});

	it('fetches only the pages a limit needs', async () => {
		const small = fakeList(incidents(300));
		expect((await readListing(small.fetchPage, { pageSize: 100, limit: 10 })).records).toHaveLength(
			10,
		);
		expect(small.calls).toEqual([[1, 10]]);

		const split = fakeList(incidents(300));
		const listing = await readListing(split.fetchPage, { pageSize: 7, limit: 10 });
		expect(listing.records.map((r) => r.eventId)).toEqual(incidents(10).map((r) => r.eventId));
		expect(split.calls).toEqual([
			[1, 7],
			[2, 7],
		]);
	});

	it('follows a page size Atlas caps below the one requested', async () => {
		const list = incidents(30);
		const calls: number[][] = [];
		const listing = await readListing(
			async (pageIndex, pageSize) => {
				calls.push([pageIndex, pageSize]);
				const size = Math.min(pageSize, 10);
				const start = (pageIndex - 1) * size;
				return { records: list.slice(start, start + size), total: 30, pageSize: size };
			},
			{ pageSize: 100 },
		);
		expect(listing.records).toHaveLength(30);
		expect(calls).toEqual([
			[1, 100],
			[2, 10],
			[3, 10],
		]);
	});

	it('keeps to the plan and drops repeats when incidents arrive while paging', async () => {
		// Two new incidents appear at the top after page 1: page 2 repeats two of page 1.
		const { fetchPage, calls } = fakeList(incidents(20), (call, list) =>
			call === 2 ? [...incidents(2, 'NEW'), ...list] : list,
		);
		const listing = await readListing(fetchPage, { pageSize: 10, concurrency: 1 });
		expect(calls).toHaveLength(2);
		const ids = listing.records.map((r) => r.eventId);
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids).toHaveLength(18);
		expect(listing.drift.join(' ')).toMatch(/20, 22/);
	});

	it('reports short pages when incidents disappear while paging, without looping', async () => {
		const { fetchPage, calls } = fakeList(incidents(25), (call, list) =>
			call === 2 ? list.slice(10) : list,
		);
		const listing = await readListing(fetchPage, { pageSize: 10, concurrency: 1 });
		expect(calls).toHaveLength(3);
		expect(listing.drift.join(' ')).toMatch(/page 2 held 5 of 10/);
		expect(listing.drift.join(' ')).toMatch(/page 3 held 0 of 5/);
	});
});

describe('collectRecords / describeDrift', () => {
	it('keeps records without an eventId and cuts at the limit', () => {
		const pages = [
			{ records: [{ a: 1 }, { a: 1 }, { eventId: 'x' }], total: 5 },
			{ records: [{ eventId: 'x' }, { eventId: 'y' }], total: 5 },
		];
		expect(collectRecords(pages)).toEqual([{ a: 1 }, { a: 1 }, { eventId: 'x' }, { eventId: 'y' }]);
		expect(collectRecords(pages, 2)).toHaveLength(2);
	});

	it('is quiet when the pages add up', () => {
		const pages = [
			{ records: incidents(10), total: 15 },
			{ records: incidents(5), total: 15 },
		];
		expect(describeDrift(pages, 10)).toEqual([]);
	});
});
