/**
 * Deterministic Atlas incidents: the same seed, count and anchor always give the same records.
 * Times lie in the INCIDENT_HISTORY_DAYS before the anchor, so a sandbox started "now" has fresh
 * data while tests stay repeatable by computing expectations from the store itself.
 */
import { INCIDENT_HISTORY_DAYS } from './defaults';
import { createRandom, type Random } from './random';
import type { AtlasIncident } from './types';
import { DAY_MS, formatAtlasTime, formatWallClock, MINUTE_MS } from './util';

/** The incident types the incident list holds. */
export const ATLAS_INCIDENT_TYPES = [
	'order.schedulechange',
	'email.schedulechange',
	'abnormal.cancelled',
] as const;

/**
 * Types cycle through this pattern (5 : 3 : 2), so counts do not depend on the seed: structured
 * schedule changes are the common case, unaccounted cancellations the rare one. With 300
 * incidents only order.schedulechange needs more than one page of 100.
 */
const TYPE_PATTERN = [0, 1, 0, 2, 0, 1, 0, 1, 0, 2].map((i) => ATLAS_INCIDENT_TYPES[i]);

/** Airlines with their home UTC offset: departure times are local to the departure airport. */
export const AIRLINES: ReadonlyArray<{ code: string; offsetMinutes: number }> = [
	{ code: 'CA', offsetMinutes: 480 },
	{ code: 'MU', offsetMinutes: 480 },
	{ code: 'CZ', offsetMinutes: 480 },
	{ code: 'HU', offsetMinutes: 480 },
	{ code: 'CX', offsetMinutes: 480 },
	{ code: 'SQ', offsetMinutes: 480 },
	{ code: 'NH', offsetMinutes: 540 },
	{ code: 'KE', offsetMinutes: 540 },
	{ code: 'EK', offsetMinutes: 240 },
	{ code: 'QR', offsetMinutes: 180 },
	{ code: 'TK', offsetMinutes: 180 },
	{ code: 'LH', offsetMinutes: 60 },
	{ code: 'AF', offsetMinutes: 60 },
	{ code: 'BA', offsetMinutes: 0 },
	{ code: 'AA', offsetMinutes: -300 },
	{ code: 'UA', offsetMinutes: -360 },
];

export const SURNAMES = ['ZHANG', 'WANG', 'LI', 'LIU', 'CHEN', 'SMITH', 'GARCIA', 'MULLER'];
export const GIVEN_NAMES = ['SAN', 'WEI', 'FANG', 'JOHN', 'MARIA', 'HANS', 'YUKI', 'LUCA'];
const EMAIL_DOMAINS = ['example.com', 'example.net', 'mail.example.org'];
const PNR_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export const RESULTS: Record<string, string[]> = {
	'order.schedulechange': ['Schedule Change', 'Flight Cancelled'],
	'email.schedulechange': ['Time Change', 'Flight Number Change', 'Flight Cancelled'],
	'abnormal.cancelled': ['Cancelled by Airline', 'Cancelled by Passenger', 'No Action Required'],
};
const REMARKS = ['Passenger informed', 'Rebooked on next flight', 'Refund requested', 'Checked'];

/** Order of the incident list: newest eventTime first, then eventId, so paging is stable. */
export function compareIncidents(a: AtlasIncident, b: AtlasIncident): number {
	if (a.eventTime !== b.eventTime) return a.eventTime < b.eventTime ? 1 : -1;
	return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

interface Order {
	orderNo: string;
	pnr: string;
	airline: (typeof AIRLINES)[number];
	paxName: string;
	paxEmail: string;
}

function randomOrder(rnd: Random): Order {
	const pax = Array.from({ length: rnd.int(1, 2) }, () => ({
		surname: rnd.pick(SURNAMES),
		given: rnd.pick(GIVEN_NAMES),
	}));
	const [lead] = pax;
	return {
		orderNo: `TO${rnd.digits(10)}`,
		pnr: rnd.chars(6, PNR_ALPHABET),
		airline: rnd.pick(AIRLINES),
		paxName: pax.map((p) => `${p.surname}/${p.given}`).join(','),
		paxEmail: `${lead.given}.${lead.surname}@${rnd.pick(EMAIL_DOMAINS)}`.toLowerCase(),
	};
}

function generateIncident(rnd: Random, index: number, anchorMs: number, order: Order) {
	const eventType = TYPE_PATTERN[index % TYPE_PATTERN.length];
	const eventMs = anchorMs - rnd.int(0, INCIDENT_HISTORY_DAYS * 24 * 3600) * 1000;
	// Every time stays at or before the anchor: nothing happens in the future.
	const later = (fromMs: number, maxMs: number) =>
		fromMs + rnd.int(0, Math.min(maxMs, anchorMs - fromMs) / 1000) * 1000;
	const createMs = later(eventMs, 10 * MINUTE_MS);
	const confirmed = rnd.chance(0.45);
	const confirmMs = confirmed ? later(createMs, 3 * DAY_MS) : undefined;
	// Departures fall on 5-minute marks, between a day and three months after the event.
	const depMs = eventMs + rnd.int(1, 90) * DAY_MS + rnd.int(0, 287) * 5 * MINUTE_MS;
	const depMsRounded = depMs - (depMs % (5 * MINUTE_MS));

	const incident: AtlasIncident = {
		eventId: `EV${rnd.digits(7)}${String(index).padStart(5, '0')}`,
		orderNo: order.orderNo,
		eventType,
		eventStatus: confirmed ? 1 : 0,
		eventTime: formatAtlasTime(eventMs),
		confirmedResult: confirmed ? rnd.pick(RESULTS[eventType]) : null,
		confirmedRemark: confirmed && rnd.chance(0.5) ? rnd.pick(REMARKS) : null,
		createTime: formatAtlasTime(createMs),
		airline: order.airline.code,
		depTime: formatWallClock(depMsRounded, order.airline.offsetMinutes),
		confirmTime: confirmMs === undefined ? null : formatAtlasTime(confirmMs),
		notified: confirmed ? (rnd.chance(0.8) ? 1 : 0) : rnd.chance(0.3) ? null : 0,
		pnr: order.pnr,
		paxName: order.paxName,
		paxEmail: order.paxEmail,
		updateTime: formatAtlasTime(confirmMs ?? createMs),
	};
	// A field the documented list lacks, as newer API versions add: clients must keep it.
	if (rnd.chance(0.2)) incident.flightNumber = `${order.airline.code}${rnd.int(100, 9999)}`;
	return incident;
}

export interface IncidentGeneration {
	count: number;
	seed: number;
	/** Epoch milliseconds; generated times are whole seconds at or before it. */
	anchorMs: number;
}

/** `count` incidents in list order. About one in ten shares the previous incident's order. */
export function generateIncidents({ count, seed, anchorMs }: IncidentGeneration): AtlasIncident[] {
	const rnd = createRandom(seed);
	const anchor = anchorMs - (anchorMs % 1000);
	const incidents: AtlasIncident[] = [];
	let order = randomOrder(rnd);
	for (let i = 0; i < count; i++) {
		if (i > 0 && !rnd.chance(0.1)) order = randomOrder(rnd);
		incidents.push(generateIncident(rnd, i, anchor, order));
	}
	return incidents.sort(compareIncidents);
}
