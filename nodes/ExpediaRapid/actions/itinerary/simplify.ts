/**
 * Rapid's `Itinerary` (Retrieve Booking) as far as Simplify reads it, and the simplified item: the
 * fields an ops user acts on, under Rapid's own names so that switching Simplify off finds them
 * again. Everything is optional in Rapid's schema; what is missing stays out of the item.
 */
import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

/** A field of the wrong type is dropped (`catch`), not fatal: Simplify shows what it can read. */
const lenient = <T extends z.ZodTypeAny>(schema: T) => schema.optional().catch(undefined);

const amountSchema = z.object({ value: z.string(), currency: z.string() }).passthrough();

const roomSchema = z
	.object({
		id: lenient(z.string()),
		confirmation_id: lenient(
			z.object({ expedia: lenient(z.string()), property: lenient(z.string()) }).passthrough(),
		),
		checkin: lenient(z.string()),
		checkout: lenient(z.string()),
		number_of_adults: lenient(z.number()),
		child_ages: lenient(z.array(z.number())),
		given_name: lenient(z.string()),
		family_name: lenient(z.string()),
		status: lenient(z.string()),
		rate: lenient(
			z
				.object({
					pricing: z.object({
						totals: z.object({
							inclusive: z.object({ billable_currency: amountSchema }).passthrough(),
						}),
					}),
				})
				.passthrough(),
		),
	})
	.passthrough();

const itinerarySchema = z
	.object({
		itinerary_id: lenient(z.string()),
		property_id: lenient(z.string()),
		email: lenient(z.string()),
		creation_date_time: lenient(z.string()),
		affiliate_reference_id: lenient(z.string()),
		rooms: lenient(z.array(z.unknown())),
		impacted_fields: lenient(z.array(z.string())),
	})
	.passthrough();

type Itinerary = z.infer<typeof itinerarySchema>;
type Room = z.infer<typeof roomSchema>;
type Amount = z.infer<typeof amountSchema>;

const defined = (entries: Record<string, unknown>): IDataObject =>
	Object.fromEntries(
		Object.entries(entries).filter(([, value]) => value !== undefined && value !== ''),
	) as IDataObject;

/** Rooms Rapid sent in a shape Simplify can read; others are skipped. */
const readRooms = (itinerary: Itinerary): Room[] =>
	(itinerary.rooms ?? []).flatMap((room) => {
		const parsed = roomSchema.safeParse(room);
		return parsed.success ? [parsed.data] : [];
	});

const roomTotal = (room: Room): Amount | undefined =>
	room.rate?.pricing.totals.inclusive.billable_currency;

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * The sum of decimal strings in one currency, exact (in units of the finest precision given), or
 * undefined when any amount is missing, unreadable or in another currency.
 */
export function sumAmounts(amounts: Array<Amount | undefined>): Amount | undefined {
	if (amounts.length === 0 || amounts.some((a) => !a || !DECIMAL.test(a.value))) return undefined;
	const all = amounts as Amount[];
	const currency = all[0].currency;
	if (all.some((a) => a.currency !== currency)) return undefined;
	const scale = Math.max(...all.map((a) => a.value.split('.')[1]?.length ?? 0));
	const units = all.reduce((sum, { value }) => {
		const [whole, fraction = ''] = value.replace('-', '').split('.');
		const magnitude = BigInt(whole + fraction.padEnd(scale, '0'));
		return sum + (value.startsWith('-') ? -magnitude : magnitude);
	}, BigInt(0));
	const negative = units < BigInt(0);
	const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
	const value =
		scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(digits.length - scale)}`;
	return { value: `${negative ? '-' : ''}${value}`, currency };
}

/** The rooms' common status, "mixed" when they differ (e.g. one room of two canceled). */
function overallStatus(rooms: Room[]): string | undefined {
	const statuses = [...new Set(rooms.map((room) => room.status).filter(Boolean))];
	if (statuses.length === 0) return undefined;
	return statuses.length === 1 ? statuses[0] : 'mixed';
}

const guestName = (room: Room) =>
	[room.given_name, room.family_name].filter(Boolean).join(' ') || undefined;

/** ISO dates (yyyy-mm-dd) compare as text: the first check-in and the last check-out. */
const earliest = (dates: Array<string | undefined>) =>
	dates.filter((d): d is string => Boolean(d)).sort()[0];
const latest = (dates: Array<string | undefined>) =>
	dates
		.filter((d): d is string => Boolean(d))
		.sort()
		.reverse()[0];

/**
 * Rapid answers only `itinerary_id` and `creation_date_time` while a new booking is still being
 * prepared (its Retrieve Booking documentation): then the details are to be read again later.
 */
export const isIncomplete = (body: IDataObject): boolean =>
	Object.keys(body).every((key) => ['itinerary_id', 'creation_date_time'].includes(key));

/** `body`: Rapid's 200 answer, already known to be a JSON object. */
export function simplifyItinerary(body: IDataObject): IDataObject {
	const itinerary = itinerarySchema.parse(body);
	const rooms = readRooms(itinerary);
	const guests = [...new Set(rooms.map(guestName).filter((n): n is string => Boolean(n)))];
	return defined({
		itinerary_id: itinerary.itinerary_id,
		property_id: itinerary.property_id,
		status: overallStatus(rooms),
		checkin: earliest(rooms.map((room) => room.checkin)),
		checkout: latest(rooms.map((room) => room.checkout)),
		guest_names: guests.length > 0 ? guests : undefined,
		total: rooms.length > 0 ? sumAmounts(rooms.map(roomTotal)) : undefined,
		rooms:
			itinerary.rooms?.length === undefined
				? undefined
				: rooms.map((room) =>
						defined({
							id: room.id,
							status: room.status,
							confirmation_id: room.confirmation_id
								? defined({
										expedia: room.confirmation_id.expedia,
										property: room.confirmation_id.property,
									})
								: undefined,
							given_name: room.given_name,
							family_name: room.family_name,
							checkin: room.checkin,
							checkout: room.checkout,
							number_of_adults: room.number_of_adults,
							child_ages: room.child_ages,
							total: roomTotal(room),
						}),
					),
		email: itinerary.email,
		affiliate_reference_id: itinerary.affiliate_reference_id,
		creation_date_time: itinerary.creation_date_time,
		complete: !isIncomplete(body),
		missing_fields: itinerary.impacted_fields?.length ? itinerary.impacted_fields : undefined,
	});
}
