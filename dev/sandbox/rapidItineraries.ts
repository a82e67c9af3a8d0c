/**
 * The bookings behind the notifications the fake Rapid pushes, served by Retrieve Booking
 * (GET /v3/itineraries/{itinerary_id}?email=). Shape from Rapid's OpenAPI (ExpediaGroup/
 * rapid-java-sdk, code/transformedSpecs.yaml: components.schemas.Itinerary, RoomItinerary,
 * RateItinerary, PricingInformation), values invented (docs/sandbox.md lists how).
 *
 * A booking comes into being with the first notification that names it (itinerary_id + email);
 * later ones change it: a cancellation cancels every room, a supplier confirmation sets the rooms'
 * confirmation IDs. Nothing un-cancels a room, so the order notifications arrive in does not matter.
 */
import type { Random } from './random';
import { DAY_MS } from './util';

/** Notification types after which every room of the booking reads as canceled. */
const CANCELLING = [
	'itinerary.agent.cancel',
	'itinerary.supplier.cancel',
	'itinerary.fraud.cancel',
];

const GIVEN_NAMES = ['Alex', 'Sam', 'Mia', 'Noah', 'Lena', 'Omar', 'Yuki', 'Ines'];
const FAMILY_NAMES = ['Nameo', 'Garcia', 'Okafor', 'Lindqvist', 'Tanaka', 'Moreau', 'Silva'];
const CURRENCIES = ['USD', 'EUR', 'GBP'];

type Json = Record<string, unknown>;

interface Confirmation {
	expedia?: string;
	property?: string;
}

interface Room {
	id: string;
	confirmation: Confirmation;
	givenName: string;
	familyName: string;
	adults: number;
	childAges: number[];
	canceled: boolean;
	/** Nightly base rates in cents. */
	nightsCents: number[];
}

interface Booking {
	itineraryId: string;
	email: string;
	propertyId: string;
	createdAt: number;
	checkin: number;
	currency: string;
	affiliateReferenceId?: string;
	rooms: Room[];
}

const isObject = (value: unknown): value is Json =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const money = (cents: number) => (cents / 100).toFixed(2);
const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();

/** The confirmation IDs a notification carries per room (supplier.confirm), by position. */
const notifiedConfirmations = (notification: Json): Confirmation[] =>
	(Array.isArray(notification.rooms) ? notification.rooms : []).map((room) => {
		const ids = isObject(room) && isObject(room.confirmation_id) ? room.confirmation_id : {};
		return {
			...(typeof ids.expedia === 'string' ? { expedia: ids.expedia } : {}),
			...(typeof ids.property === 'string' ? { property: ids.property } : {}),
		};
	});

function newBooking(notification: Json, rnd: Random, now: number): Booking {
	const email = String(notification.email);
	const local = email.split('@')[0].replace(/[^A-Za-z]/g, '');
	const confirmations = notifiedConfirmations(notification);
	const roomCount = confirmations.length || rnd.int(1, 2);
	const nights = rnd.int(1, 5);
	const createdAt = now - rnd.int(0, 30) * DAY_MS;
	const reference = notification.affiliate_reference_id;
	return {
		itineraryId: String(notification.itinerary_id),
		email,
		propertyId: rnd.digits(8).replace(/^0/, '1'),
		createdAt,
		checkin: createdAt + rnd.int(3, 60) * DAY_MS,
		currency: rnd.pick(CURRENCIES),
		affiliateReferenceId: typeof reference === 'string' && reference !== '' ? reference : undefined,
		rooms: Array.from({ length: roomCount }, (_, i) => ({
			id: rnd.digits(9),
			confirmation: confirmations[i] ?? { expedia: rnd.digits(10) },
			givenName: i === 0 && local ? capitalised(local) : rnd.pick(GIVEN_NAMES),
			familyName: rnd.pick(FAMILY_NAMES),
			adults: rnd.int(1, 2),
			childAges: rnd.chance(0.3) ? [rnd.int(1, 12)] : [],
			canceled: false,
			nightsCents: Array.from({ length: nights }, () => rnd.int(8000, 30000)),
		})),
	};
}

/** The sales tax the sandbox puts on each night: 10 % of the base rate, rounded to the cent. */
const taxCents = (baseCents: number) => Math.round(baseCents / 10);

function roomBody(booking: Booking, room: Room): Json {
	const amount = (cents: number) => ({ value: money(cents), currency: booking.currency });
	const base = room.nightsCents.reduce((a, b) => a + b, 0);
	const tax = room.nightsCents.reduce((a, b) => a + taxCents(b), 0);
	const checkout = booking.checkin + room.nightsCents.length * DAY_MS;
	return {
		id: room.id,
		confirmation_id: { ...room.confirmation },
		bed_group_id: `sandbox-bed-group-${room.id}`,
		checkin: day(booking.checkin),
		checkout: day(checkout),
		number_of_adults: room.adults,
		child_ages: [...room.childAges],
		given_name: room.givenName,
		family_name: room.familyName,
		status: room.canceled ? 'canceled' : 'booked',
		smoking: false,
		rate: {
			id: `sandbox-rate-${room.id}`,
			merchant_of_record: 'expedia',
			refundable: true,
			pricing: {
				nightly: room.nightsCents.map((cents) => [
					{ type: 'base_rate', ...amount(cents) },
					{ type: 'sales_tax', ...amount(taxCents(cents)) },
				]),
				totals: {
					inclusive: { billable_currency: amount(base + tax) },
					exclusive: { billable_currency: amount(base) },
				},
			},
		},
	};
}

/** The booking as Retrieve Booking returns it (no `links`: the sandbox serves no cancel or change). */
function itineraryBody(booking: Booking): Json {
	const holder = booking.rooms[0];
	return {
		itinerary_id: booking.itineraryId,
		property_id: booking.propertyId,
		email: booking.email,
		phone: { country_code: '1', area_code: '487', number: '5550077' },
		rooms: booking.rooms.map((room) => roomBody(booking, room)),
		billing_contact: {
			given_name: holder.givenName,
			family_name: holder.familyName,
			address: {
				line_1: '555 1st St',
				city: 'Seattle',
				state_province_code: 'WA',
				postal_code: '98121',
				country_code: 'US',
			},
		},
		creation_date_time: new Date(booking.createdAt).toISOString(),
		...(booking.affiliateReferenceId
			? { affiliate_reference_id: booking.affiliateReferenceId }
			: {}),
		travel_purpose: 'unspecified',
	};
}

export interface ItineraryStore {
	/** Applies a notification the sandbox hands out (pushed or queued); others are ignored. */
	record(notification: unknown): void;
	/** Retrieve Booking's 200 body, when `email` is the booking's (in any case). */
	find(itineraryId: string, email: string): Json | undefined;
	/** The booking's 200 body whatever the email; undefined when no notification named it. */
	get(itineraryId: string): Json | undefined;
}

export function createItineraryStore(rnd: Random, clock: () => number): ItineraryStore {
	const bookings = new Map<string, Booking>();

	const record = (notification: unknown) => {
		if (!isObject(notification)) return;
		const { itinerary_id: id, email, event_type: type } = notification;
		if (typeof id !== 'string' || id === '' || typeof email !== 'string' || !email.includes('@'))
			return;
		let booking = bookings.get(id);
		if (!booking) {
			booking = newBooking(notification, rnd, clock());
			bookings.set(id, booking);
		}
		if (typeof type === 'string' && CANCELLING.includes(type)) {
			for (const room of booking.rooms) room.canceled = true;
		}
		if (type === 'itinerary.supplier.confirm') {
			notifiedConfirmations(notification).forEach((ids, i) => {
				const room = booking.rooms[i];
				if (room) room.confirmation = { ...room.confirmation, ...ids };
			});
		}
	};

	const get = (itineraryId: string) => {
		const booking = bookings.get(itineraryId);
		return booking ? itineraryBody(booking) : undefined;
	};

	return {
		record,
		get,
		find: (itineraryId, email) => {
			const booking = bookings.get(itineraryId);
			return booking && booking.email.toLowerCase() === email.toLowerCase()
				? itineraryBody(booking)
				: undefined;
		},
	};
}
