/**
 * The incident list, without HTTP: request dates in Atlas' format, page envelopes read leniently,
 * records normalised (the paging plan is in transport/paging.ts).
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

/** The fields Simplify keeps: what a person acts on. */
export const SIMPLIFIED_FIELDS = [
	'eventId',
	'orderNo',
	'eventType',
	'eventStatus',
	'airline',
	'pnr',
	'depTime',
	'eventTime',
	'updateTime',
	'confirmedResult',
] as const;

export const simplifyIncident = (incident: IDataObject): IDataObject =>
	Object.fromEntries(
		SIMPLIFIED_FIELDS.filter((field) => field in incident).map((field) => [field, incident[field]]),
	);
