/**
 * Sample Rapid notifications: event_id, event_type, event_time, itinerary_id, email,
 * message, affiliate_reference_id, plus per-type extras. Every sample has a fresh event_id.
 */
import { randomUUID } from 'node:crypto';

import type { Random } from './random';
import { withOverrides } from './util';

/** Rapid's notification types, payment_verification.failure included. */
const MESSAGES: Record<string, string> = {
	'itinerary.agent.create': 'An agent created a new itinerary.',
	'itinerary.agent.change': 'An agent changed this itinerary.',
	'itinerary.agent.cancel': 'An agent canceled one or more rooms on this itinerary.',
	'itinerary.supplier.cancel': 'The property canceled one or more rooms on this itinerary.',
	'itinerary.supplier.confirm': 'The supplier confirmed one or more rooms on this itinerary.',
	'itinerary.supplier.change':
		'The property changed this itinerary after a late check-in or an early check-out.',
	'itinerary.supplier.refund': 'The property issued a refund the traveler asked for.',
	'itinerary.fraud.cancel':
		'Expedia canceled this itinerary because it did not meet the terms of the transaction.',
	'itinerary.message.received':
		'We accept your request for river view room. Looking forward to your visit',
	'itinerary.traveler.noshow':
		'The traveler did not arrive; the property marked the booking as a no-show.',
	'itinerary.payment_verification.failure': 'Payment verification failed for this itinerary.',
};

export const RAPID_EVENT_TYPES = Object.keys(MESSAGES);

const NAMES = ['alice', 'bob', 'carol', 'dmitri', 'emma', 'farid', 'grace', 'hiro'];
const DOMAINS = ['example.com', 'sample.net', 'example.org'];

/** `event_time` in UTC ISO-8601; message.received uses nanoseconds, as in Rapid's sample. */
function eventTime(type: string, now: number, rnd: Random): string {
	const iso = new Date(now).toISOString();
	return type === 'itinerary.message.received' ? iso.replace('Z', `${rnd.digits(6)}Z`) : iso;
}

function affiliateReference(rnd: Random): string {
	const kind = rnd.int(0, 2);
	if (kind === 0) return randomUUID();
	return kind === 1 ? `R${rnd.digits(9)}` : '';
}

/** One or two rooms, the second without a property confirmation yet (as in Rapid's sample). */
function rooms(rnd: Random) {
	const first = {
		confirmation_id: { expedia: rnd.digits(9), property: rnd.chars(10, 'ABCDEF0123456789') },
	};
	return rnd.chance(0.5) ? [first] : [first, { confirmation_id: { expedia: rnd.digits(9) } }];
}

export function sampleRapidNotification(
	type: string,
	ctx: { now: number; rnd: Random },
	overrides?: object,
): Record<string, unknown> {
	const { rnd, now } = ctx;
	const notification: Record<string, unknown> = {
		event_id: randomUUID(),
		event_type: type,
		event_time: eventTime(type, now, rnd),
		itinerary_id: `8${rnd.digits(12)}`,
		email: `${rnd.pick(NAMES)}@${rnd.pick(DOMAINS)}`,
		message: MESSAGES[type] ?? `A ${type} event happened on this itinerary.`,
		affiliate_reference_id: affiliateReference(rnd),
		...(type === 'itinerary.supplier.confirm' ? { rooms: rooms(rnd) } : {}),
	};
	return withOverrides(notification, overrides);
}
