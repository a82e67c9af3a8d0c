/* eslint-disable @n8n/community-nodes/require-node-api-error -- development tooling: never shipped, runs under plain Node.js */
/**
 * event/getPageList.do without HTTP: read the request body, filter, order and page the incidents.
 *
 * Filter semantics (Atlas does not document them; these are the sandbox's choices):
 * - eventId, orderNo, eventType: exact match, case-sensitive.
 * - pnr, airline: exact match, case-insensitive (codes are upper-case, people type lower-case).
 * - paxName, paxEmail: case-insensitive "contains" (paxName lists every passenger: "LI/WEI,WANG/FANG").
 * - eventStatus: array of 0 and/or 1 (a bare number is accepted); an empty array filters nothing.
 * - eventTimeStart/End, depTimeStart/End: inclusive bounds; updateTimeStart: inclusive lower bound.
 *   They take `yyyy-MM-dd HH:mm:ss` (also `yyyy-MM-dd HH:mm`, a `T` separator, or a bare date,
 *   which means the start of that day for a start bound and its last second for an end bound) and
 *   compare as wall-clock text in the record's own frame: UTC+08:00 for event/update times,
 *   departure-local for depTime, exactly as the API documents its inputs.
 * - An empty string or null filter is ignored; numbers are accepted where strings are expected.
 * - Unknown body fields are ignored.
 */
import { ATLAS_MAX_PAGE_SIZE } from './defaults';
import { compareIncidents } from './atlasData';
import type { AtlasIncident } from './types';

type Predicate = (incident: AtlasIncident) => boolean;

export interface IncidentQuery {
	pageIndex: number;
	pageSize: number;
	predicates: Predicate[];
}

/** `missing`: a required field is absent (Atlas' status 100); otherwise the data is illegal (901). */
export type ParsedQuery =
	| { ok: true; query: IncidentQuery }
	| { ok: false; missing: boolean; msg: string };

export interface IncidentPage {
	records: AtlasIncident[];
	pageIndex: number;
	pageSize: number;
	total: number;
}

class QueryError extends Error {
	constructor(
		message: string,
		readonly missing = false,
	) {
		super(message);
	}
}

const isBlank = (value: unknown) => value === undefined || value === null || value === '';

function readInteger(body: Record<string, unknown>, field: string): number | undefined {
	const value = body[field];
	if (isBlank(value)) return undefined;
	const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number)) {
		throw new QueryError(`${field} must be an integer`);
	}
	return number;
}

function readText(body: Record<string, unknown>, field: string): string | undefined {
	const value = body[field];
	if (isBlank(value)) return undefined;
	if (typeof value !== 'string' && typeof value !== 'number') {
		throw new QueryError(`${field} must be a string`);
	}
	const text = String(value).trim();
	return text === '' ? undefined : text;
}

const TIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** A bound in the canonical `yyyy-MM-dd HH:mm:ss` form, which orders correctly as text. */
function readTime(body: Record<string, unknown>, field: string, end: boolean): string | undefined {
	const text = readText(body, field);
	if (text === undefined) return undefined;
	const match = TIME.exec(text);
	if (!match) throw new QueryError(`${field} must look like yyyy-MM-dd HH:mm:ss`);
	const [, date, hours, minutes, seconds] = match;
	if (hours === undefined) return `${date} ${end ? '23:59:59' : '00:00:00'}`;
	return `${date} ${hours}:${minutes}:${seconds ?? (end ? '59' : '00')}`;
}

function readStatuses(body: Record<string, unknown>): number[] | undefined {
	const value = body.eventStatus;
	if (isBlank(value)) return undefined;
	const list = Array.isArray(value) ? value : [value];
	const statuses = list.map((item) => (typeof item === 'string' ? Number(item) : item));
	if (!statuses.every((status) => status === 0 || status === 1)) {
		throw new QueryError('eventStatus must be a list of 0 (unconfirmed) and 1 (confirmed)');
	}
	return statuses.length > 0 ? (statuses as number[]) : undefined;
}

type Field = keyof AtlasIncident & string;

const exact =
	(field: Field, wanted: string): Predicate =>
	(i) =>
		String(i[field]) === wanted;
const exactIgnoreCase =
	(field: Field, wanted: string): Predicate =>
	(i) =>
		String(i[field]).toLowerCase() === wanted.toLowerCase();
const contains =
	(field: Field, wanted: string): Predicate =>
	(i) =>
		String(i[field]).toLowerCase().includes(wanted.toLowerCase());
const atLeast =
	(field: Field, bound: string): Predicate =>
	(i) =>
		String(i[field]) >= bound;
const atMost =
	(field: Field, bound: string): Predicate =>
	(i) =>
		String(i[field]) <= bound;

type Reader = (body: Record<string, unknown>, param: string) => string | undefined;
const text: Reader = readText;
const startBound: Reader = (body, param) => readTime(body, param, false);
const endBound: Reader = (body, param) => readTime(body, param, true);

/** Request parameter → record field, how the parameter reads, how it matches. */
const FILTERS: Array<{
	param: string;
	field: Field;
	read: Reader;
	match: (field: Field, value: string) => Predicate;
}> = [
	{ param: 'eventId', field: 'eventId', read: text, match: exact },
	{ param: 'orderNo', field: 'orderNo', read: text, match: exact },
	{ param: 'eventType', field: 'eventType', read: text, match: exact },
	{ param: 'pnr', field: 'pnr', read: text, match: exactIgnoreCase },
	{ param: 'airline', field: 'airline', read: text, match: exactIgnoreCase },
	{ param: 'paxName', field: 'paxName', read: text, match: contains },
	{ param: 'paxEmail', field: 'paxEmail', read: text, match: contains },
	{ param: 'eventTimeStart', field: 'eventTime', read: startBound, match: atLeast },
	{ param: 'eventTimeEnd', field: 'eventTime', read: endBound, match: atMost },
	{ param: 'depTimeStart', field: 'depTime', read: startBound, match: atLeast },
	{ param: 'depTimeEnd', field: 'depTime', read: endBound, match: atMost },
	{ param: 'updateTimeStart', field: 'updateTime', read: startBound, match: atLeast },
];

function readQuery(body: Record<string, unknown>): IncidentQuery {
	const pageSize = readInteger(body, 'pageSize');
	if (pageSize === undefined) throw new QueryError('pageSize is required', true);
	if (pageSize < 1 || pageSize > ATLAS_MAX_PAGE_SIZE) {
		throw new QueryError(`pageSize must be between 1 and ${ATLAS_MAX_PAGE_SIZE}`);
	}
	const pageIndex = readInteger(body, 'pageIndex') ?? 1;
	if (pageIndex < 1) throw new QueryError('pageIndex must be 1 or more');

	const predicates: Predicate[] = [];
	for (const { param, field, read, match } of FILTERS) {
		const value = read(body, param);
		if (value !== undefined) predicates.push(match(field, value));
	}
	const statuses = readStatuses(body);
	if (statuses) predicates.push((i) => statuses.includes(Number(i.eventStatus)));
	return { pageIndex, pageSize, predicates };
}

export function parseIncidentQuery(body: unknown): ParsedQuery {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		return { ok: false, missing: false, msg: 'The request body must be a JSON object' };
	}
	try {
		return { ok: true, query: readQuery(body as Record<string, unknown>) };
	} catch (error) {
		if (error instanceof QueryError) {
			return { ok: false, missing: error.missing, msg: error.message };
		}
		throw error;
	}
}

/** One page of the matching incidents; a page past the end is empty, `total` still counts all. */
export function runIncidentQuery(incidents: AtlasIncident[], query: IncidentQuery): IncidentPage {
	const matching = incidents
		.filter((incident) => query.predicates.every((matches) => matches(incident)))
		.sort(compareIncidents);
	const start = (query.pageIndex - 1) * query.pageSize;
	return {
		records: matching.slice(start, start + query.pageSize),
		pageIndex: query.pageIndex,
		pageSize: query.pageSize,
		total: matching.length,
	};
}
