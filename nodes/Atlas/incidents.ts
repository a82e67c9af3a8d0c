/**
 * The incident list, without HTTP: request dates in Atlas' format, page envelopes read leniently,
 * records normalised, and the paging plan (how many pages, which ones, in what order).
 */
import { DateTime } from 'luxon';
import type { IDataObject } from 'n8n-workflow';

// ---------------------------------------------------------------------------------------------
// Dates

/** Atlas' request format. Event, create and update times are in UTC+08:00 (Beijing time). */
export const ATLAS_DATE_FORMAT = 'yyyy-MM-dd HH:mm:ss';
export const ATLAS_ZONE = 'UTC+8';

/**
 * Reads a date the way n8n hands it over: an ISO string from the date picker (no offset: the
 * workflow's time zone applies), an ISO string with an offset, Atlas' own `yyyy-MM-dd HH:mm:ss`,
 * a JS Date, a Luxon DateTime or epoch milliseconds. The result keeps the offset it was given.
 */
export function readDateInput(value: unknown, zone: string): DateTime | undefined {
	if (DateTime.isDateTime(value)) return value;
	if (value instanceof Date) return DateTime.fromJSDate(value, { zone });
	if (typeof value === 'number') return DateTime.fromMillis(value, { zone });
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	const text = value.trim();
	const options = { zone, setZone: true };
	for (const parse of [DateTime.fromISO, DateTime.fromSQL]) {
		const date = parse(text, options);
		if (date.isValid) return date;
	}
	// Atlas' published incident-list example writes its times like `Apr 1, 2023 12:36:44 AM`.
	const date = DateTime.fromFormat(text, EXAMPLE_TIME_FORMAT, { ...options, locale: 'en-US' });
	return date.isValid ? date : undefined;
}

const EXAMPLE_TIME_FORMAT = 'MMM d, yyyy h:mm:ss a';

/** An instant as Atlas expects event/update times: wall clock in UTC+08:00. */
export function toAtlasTime(date: DateTime): string {
	return date.setZone(ATLAS_ZONE).toFormat(ATLAS_DATE_FORMAT);
}

/**
 * A departure time as Atlas expects it: the departure airport's wall clock, so no zone conversion.
 * `2024-05-01T10:00` and `2024-05-01T10:00+02:00` both mean 10:00 at the airport.
 */
export function toAtlasLocalTime(date: DateTime): string {
	return date.toFormat(ATLAS_DATE_FORMAT);
}

// ---------------------------------------------------------------------------------------------
// Records

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** A number, or a string holding one; undefined otherwise. */
export function toNumber(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
	return undefined;
}

/** Record fields Atlas documents as integers (sent as strings at times). */
const INTEGER_FIELDS = ['eventStatus', 'notified'];

/** One incident with numeric strings turned into numbers; every other field is kept as sent. */
export function normaliseIncident(record: IDataObject): IDataObject {
	const result: IDataObject = { ...record };
	for (const field of INTEGER_FIELDS) {
		const number = toNumber(record[field]);
		if (number !== undefined) result[field] = number;
	}
	return result;
}

export interface IncidentPage {
	records: IDataObject[];
	total: number;
	pageIndex?: number;
	pageSize?: number;
}

export type PageReading = { ok: true; page: IncidentPage } | { ok: false; problem: string };

const isRecord = (value: unknown): value is IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const pagePosition = (envelope: IDataObject) => ({
	pageIndex: toNumber(envelope.pageIndex),
	pageSize: toNumber(envelope.pageSize),
});

/**
 * The values of `total` on which readIncidentPage refuses a page whatever its records: all of this
 * reading that a check comparing one field with one value can apply (the credential test does).
 * `records` alone tells nothing: it is null or absent in a valid empty page.
 */
export const UNREADABLE_TOTALS: readonly unknown[] = [undefined, null, ''];

/**
 * Reads a successful envelope of event/getPageList. A missing or unreadable `total`, or records
 * that are not a list while `total` says there are some, are errors: never a silent empty list.
 */
export function readIncidentPage(envelope: IDataObject): PageReading {
	const total = toNumber(envelope.total);
	if (total === undefined || total < 0 || !Number.isInteger(total)) {
		return {
			ok: false,
			problem: `"total" is missing or not a whole number (${JSON.stringify(envelope.total)})`,
		};
	}
	const { records } = envelope;
	if (records === undefined || records === null) {
		if (total > 0)
			return { ok: false, problem: `"records" is missing although "total" is ${total}` };
		return { ok: true, page: { records: [], total, ...pagePosition(envelope) } };
	}
	if (!Array.isArray(records) || !records.every(isRecord)) {
		return { ok: false, problem: '"records" is not a list of objects' };
	}
	return {
		ok: true,
		page: {
			records: (records as IDataObject[]).map(normaliseIncident),
			total,
			...pagePosition(envelope),
		},
	};
}

// ---------------------------------------------------------------------------------------------
// Paging

/** Requests in flight at once after the first page (Atlas rate-limits with status 110). */
export const PAGE_CONCURRENCY = 3;

/**
 * Page size to request: with a limit below the chosen size, the limit itself, so that Limit 10
 * transfers 10 records rather than a page of 100.
 */
export function requestPageSize(pageSize: number, limit?: number): number {
	return limit === undefined ? pageSize : Math.max(1, Math.min(pageSize, limit));
}

/** How many pages hold `wanted` of `total` records. */
export function pagesNeeded(total: number, pageSize: number, limit?: number): number {
	const wanted = limit === undefined ? total : Math.min(total, limit);
	return Math.ceil(wanted / pageSize);
}

/**
 * Runs `task` for each input with at most `concurrency` in flight and returns the results in input
 * order. After a failure, or a result for which `isLast` holds, no new task starts; the ones in
 * flight are awaited (so no request outlives the node's run). A failure is then thrown; otherwise
 * the results of the tasks that ran come back, in input order.
 */
export async function mapInOrder<T, R>(
	inputs: readonly T[],
	concurrency: number,
	task: (input: T) => Promise<R>,
	isLast: (result: R) => boolean = () => false,
): Promise<R[]> {
	const results = new Array<R | undefined>(inputs.length);
	let next = 0;
	let stop = false;
	let failure: { error: unknown } | undefined;
	const worker = async () => {
		while (!failure && !stop && next < inputs.length) {
			const index = next++;
			await task(inputs[index]).then(
				(result) => {
					results[index] = result;
					if (isLast(result)) stop = true;
				},
				(error: unknown) => (failure = failure ?? { error }),
			);
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
	if (failure) throw failure.error;
	return results.filter((result, index) => index < next && result !== undefined) as R[];
}

/** Requests one listing may make; beyond it the filters are too wide or the server is wrong. */
export const MAX_LISTING_REQUESTS = 1000;

/** A first page whose numbers cannot be right, or would take an unreasonable number of requests. */
export class ListingPlanError extends Error {}

export interface ListingOptions {
	pageSize: number;
	/** Undefined: every record (Return All). */
	limit?: number;
	concurrency?: number;
}

export interface Listing {
	records: IDataObject[];
	/** Requests made. */
	requests: number;
	/** What moved while we read (for an execution hint); empty when the list held still. */
	drift: string[];
}

export type FetchPage = (pageIndex: number, pageSize: number) => Promise<IncidentPage>;

/**
 * Reads an incident listing. Page 1 tells the total; the remaining pages the limit needs
 * (ceil(total / pageSize) for Return All) are fetched with bounded concurrency and emitted in page
 * order. The plan is fixed once page 1 has answered, so a list that grows or shrinks while we read
 * cannot cause extra requests or a loop; records are de-duplicated by `eventId` in case an
 * insertion pushed one across a page boundary, and the drift is reported.
 */
export async function readListing(fetchPage: FetchPage, options: ListingOptions): Promise<Listing> {
	const requested = requestPageSize(options.pageSize, options.limit);
	const first = await fetchPage(1, requested);
	// Atlas may cap the page size: page numbers then count in its unit, not ours.
	const pageSize =
		first.pageSize !== undefined && first.pageSize > 0 && first.pageSize < requested
			? first.pageSize
			: requested;
	const pageCount = pagesNeeded(first.total, pageSize, options.limit);
	if (pageCount > MAX_LISTING_REQUESTS) {
		throw new ListingPlanError(
			`Atlas reports ${first.total} incidents in pages of ${pageSize}: reading them would take ${pageCount} requests, more than the ${MAX_LISTING_REQUESTS} one listing may make`,
		);
	}
	const rest = Array.from({ length: Math.max(0, pageCount - 1) }, (_, i) => i + 2);
	// An empty page ends the listing: a total that overstates the list cannot cause more requests.
	const pages = [
		first,
		...(await mapInOrder(
			rest,
			options.concurrency ?? PAGE_CONCURRENCY,
			async (index) => await fetchPage(index, pageSize),
			(page) => page.records.length === 0,
		)),
	];
	const records = collectRecords(pages, options.limit);
	const drift = describeDrift(pages, pageSize);
	// Pages that repeat one another (a server that ignores pageIndex) add up but hold too little.
	const wanted = Math.min(first.total, options.limit ?? Infinity, pageCount * pageSize);
	if (drift.length === 0 && records.length < wanted) {
		drift.push(`Atlas returned ${records.length} different incidents of the ${wanted} it listed`);
	}
	pages.forEach((page, i) => {
		if (page.pageIndex !== undefined && page.pageIndex !== i + 1) {
			drift.push(`Atlas answered page ${page.pageIndex} when asked for page ${i + 1}`);
		}
	});
	return { records, requests: pages.length, drift };
}

/** Records of all pages in order, each `eventId` once, cut at `limit`. */
export function collectRecords(pages: IncidentPage[], limit?: number): IDataObject[] {
	const seen = new Set<string>();
	const records: IDataObject[] = [];
	for (const record of pages.flatMap((page) => page.records)) {
		if (limit !== undefined && records.length >= limit) break;
		const id = record.eventId;
		if (typeof id === 'string' || typeof id === 'number') {
			if (seen.has(String(id))) continue;
			seen.add(String(id));
		}
		records.push(record);
	}
	return records;
}

/** Why the pages do not add up, if they do not: a changed total or a page short of its share. */
export function describeDrift(pages: IncidentPage[], pageSize: number): string[] {
	const notes: string[] = [];
	const firstTotal = pages[0]?.total ?? 0;
	const totals = new Set(pages.map((page) => page.total));
	if (totals.size > 1) {
		notes.push(`Atlas reported ${[...totals].join(', ')} incidents on different pages`);
	}
	pages.forEach((page, i) => {
		const expected = Math.min(pageSize, Math.max(0, firstTotal - i * pageSize));
		if (page.records.length < expected) {
			notes.push(`page ${i + 1} held ${page.records.length} of ${expected} expected records`);
		}
	});
	return notes;
}
