/**
 * An Atlas order as the order lookup returns it, without HTTP: the envelope read leniently (codes
 * come as strings or numbers), Atlas' codes given readable names, and the simplified view.
 */
import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import { toNumber } from './incidents';

/** Atlas' order codes and their meaning, as its order lookup reference lists them. */
export const ORDER_STATUS_NAMES: Readonly<Record<number, string>> = {
	0: 'Unpaid',
	1: 'Ticketing in Progress',
	2: 'Ticketed',
	[-3]: 'Cancelled',
};
export const TICKET_STATUS_NAMES: Readonly<Record<number, string>> = {
	0: 'Not Issued',
	1: 'Issued',
};
export const PASSENGER_TYPE_NAMES: Readonly<Record<number, string>> = {
	0: 'Adult',
	1: 'Child',
	2: 'Infant',
};
export const CABIN_CLASS_NAMES: Readonly<Record<number, string>> = {
	1: 'Economy',
	2: 'Business',
	3: 'First',
	4: 'Premium Economy',
};

/** The code as a number (Atlas sends "2" or 2) and its name; codes nobody documented say so. */
export function describeCode(
	value: unknown,
	names: Readonly<Record<number, string>>,
): { code: number | string | null; name: string | null } {
	if (value === undefined || value === null || value === '') return { code: null, name: null };
	const code = toNumber(value);
	if (code === undefined) return { code: String(value), name: `Unknown (${String(value)})` };
	return { code, name: names[code] ?? `Unknown (${code})` };
}

const idLike = z.union([z.string(), z.number()]);
const list = <T extends z.ZodTypeAny>(item: T) => z.array(item).nullish();

const segmentSchema = z
	.object({
		segmentIndex: idLike.nullish(),
		carrier: z.string().nullish(),
		flightNumber: idLike.nullish(),
		depAirport: z.string().nullish(),
		arrAirport: z.string().nullish(),
		depTime: idLike.nullish(),
		arrTime: idLike.nullish(),
		cabin: z.string().nullish(),
		cabinClass: idLike.nullish(),
	})
	.passthrough();

/**
 * What Simplify reads, and what makes an answer an order at all (`orderNo`, `orderStatus`). Every
 * other field may be absent or null; unknown fields pass through.
 */
export const orderSchema = z
	.object({
		orderNo: idLike,
		pnrCode: z.string().nullish(),
		orderStatus: idLike,
		ticketStatus: idLike.nullish(),
		paxTicketInfos: list(
			z
				.object({
					name: z.string().nullish(),
					passengerType: idLike.nullish(),
					ticketNos: list(idLike),
					airlinePNRs: list(idLike),
				})
				.passthrough(),
		),
		routing: z
			.object({ fromSegments: list(segmentSchema), retSegments: list(segmentSchema) })
			.passthrough()
			.nullish(),
		airlineBookings: list(
			z.object({ airlineCode: z.string().nullish(), airlinePnr: idLike.nullish() }).passthrough(),
		),
		totalPrice: z.union([z.number(), z.string()]).nullish(),
		currency: z.string().nullish(),
	})
	.passthrough();

export type AtlasOrder = z.infer<typeof orderSchema>;

export type OrderReading = { ok: true; order: AtlasOrder } | { ok: false; problem: string };

/** Reads a successful envelope; what is wrong with it, in a line, when it is not an order. */
export function readOrder(envelope: IDataObject): OrderReading {
	const parsed = orderSchema.safeParse(envelope);
	if (parsed.success) return { ok: true, order: parsed.data };
	const [issue] = parsed.error.issues;
	const path = issue.path.join('.') || 'the response';
	// zod calls a missing value of a union "Invalid input": say what it is.
	const value = issue.path.reduce<unknown>(
		(at, key) => (at as Record<string | number, unknown> | undefined)?.[key],
		envelope,
	);
	return {
		ok: false,
		problem: value === undefined ? `${path} is missing` : `${path}: ${issue.message}`,
	};
}

/** `202508181640` (Atlas' yyyyMMddHHmm, airport-local) as `2025-08-18 16:40`; else as sent. */
export function readableLocalTime(value: unknown): string | null {
	if (value === undefined || value === null || value === '') return null;
	const text = String(value).trim();
	const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
	return match ? `${match[1]}-${match[2]}-${match[3]} ${match[4]}:${match[5]}` : text;
}

const texts = (values: ReadonlyArray<unknown> | null | undefined): string[] =>
	(values ?? []).filter((v) => v !== null && v !== undefined && v !== '').map(String);

const unique = (values: string[]): string[] => [...new Set(values)];

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

type Segment = z.infer<typeof segmentSchema>;

function simplifySegment(segment: Segment, direction: 'outbound' | 'return'): IDataObject {
	const cabinClass = describeCode(segment.cabinClass, CABIN_CLASS_NAMES);
	return {
		direction,
		segmentIndex: orNull(toNumber(segment.segmentIndex)),
		carrier: segment.carrier ?? null,
		flightNumber: segment.flightNumber === undefined ? null : segment.flightNumber,
		from: segment.depAirport ?? null,
		to: segment.arrAirport ?? null,
		departure: readableLocalTime(segment.depTime),
		arrival: readableLocalTime(segment.arrTime),
		cabinClass: cabinClass.code,
		cabinClassName: cabinClass.name,
		bookingClass: segment.cabin || null,
	};
}

/** The amounts Atlas sends, in its settlement currency; absent ones are left out. */
const AMOUNT_FIELDS = ['totalPrice', 'totalTransactionFee', 'totalAncillaryPrice'] as const;

/**
 * What a person acts on: the two statuses with their names, the passengers with their tickets,
 * the flights, the airline PNRs with the Atlas PNR and order number, the amounts, and why ticketing
 * failed when it did.
 */
export function simplifyOrder(order: AtlasOrder): IDataObject {
	const orderStatus = describeCode(order.orderStatus, ORDER_STATUS_NAMES);
	const ticketStatus = describeCode(order.ticketStatus, TICKET_STATUS_NAMES);
	const passengers = (order.paxTicketInfos ?? []).map((pax) => {
		const type = describeCode(pax.passengerType, PASSENGER_TYPE_NAMES);
		return {
			name: pax.name ?? null,
			type: type.name,
			typeCode: type.code,
			ticketNumbers: texts(pax.ticketNos),
			airlinePnrs: texts(pax.airlinePNRs),
		};
	});
	const routing = order.routing ?? {};
	const segments = [
		...(routing.fromSegments ?? []).map((s) => simplifySegment(s, 'outbound')),
		...(routing.retSegments ?? []).map((s) => simplifySegment(s, 'return')),
	];
	const bookings = order.airlineBookings ?? [];
	const airlinePnrs = unique([
		...texts(bookings.map((b) => b.airlinePnr)),
		...passengers.flatMap((p) => p.airlinePnrs),
	]);
	const amounts = Object.fromEntries(
		AMOUNT_FIELDS.filter((f) => toNumber(order[f]) !== undefined).map((f) => [
			f,
			toNumber(order[f]),
		]),
	);
	const failure =
		order.errorCode !== undefined && order.errorCode !== null
			? { errorCode: order.errorCode, errorMessage: order.errorMessage ?? null }
			: {};
	return {
		orderNo: String(order.orderNo),
		atlasPnr: order.pnrCode ?? null,
		orderStatus: orderStatus.code,
		orderStatusName: orderStatus.name,
		ticketStatus: ticketStatus.code,
		ticketStatusName: ticketStatus.name,
		airlinePnrs,
		airlines: unique(texts(bookings.map((b) => b.airlineCode))),
		passengers,
		segments,
		...amounts,
		...(Object.keys(amounts).length > 0 ? { currency: order.currency ?? null } : {}),
		...failure,
	};
}
