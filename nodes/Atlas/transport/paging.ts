/**
 * The paging plan of a listing, without HTTP: how many pages, which ones, in what order, and what
 * to make of pages that do not add up. transport/index.ts fetches the pages.
 */
import type { IDataObject } from 'n8n-workflow';

import type { IncidentPage } from '../incidents';

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
