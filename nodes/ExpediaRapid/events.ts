/**
 * What Rapid pushes: the notification event types (with labels for the UI) and a zod schema of a
 * notification. The schema only flags departures from the
 * documented shape: every notification is emitted whatever its shape, unknown fields kept.
 */
import type { INodePropertyOptions } from 'n8n-workflow';
import { z } from 'zod';

interface EventInfo {
	name: string;
	description: string;
}

export const RAPID_EVENTS = {
	'itinerary.agent.create': {
		name: 'Agent Created Booking',
		description: 'A Rapid support agent or Affiliate Voyager created a booking',
	},
	'itinerary.agent.change': {
		name: 'Agent Changed Booking',
		description: 'A Rapid support agent or Affiliate Voyager changed a booking',
	},
	'itinerary.agent.cancel': {
		name: 'Agent Cancelled Booking',
		description: 'A Rapid support agent or Affiliate Voyager cancelled a booking',
	},
	'itinerary.supplier.cancel': {
		name: 'Hotel Cancelled Booking',
		description: 'The hotel cancelled a booking; the traveler should contact your support',
	},
	'itinerary.supplier.confirm': {
		name: 'Hotel Confirmed Rooms',
		description: 'The hotel set its confirmation number for one or more rooms',
	},
	'itinerary.supplier.change': {
		name: 'Hotel Changed Booking',
		description: 'The hotel changed a booking after a late check-in or early check-out',
	},
	'itinerary.supplier.refund': {
		name: 'Hotel Refunded Traveler',
		description:
			'The hotel refunded the traveler on request (bookings Expedia collects payment for)',
	},
	'itinerary.fraud.cancel': {
		name: 'Expedia Cancelled Booking (Fraud)',
		description:
			'Expedia cancelled a booking that did not meet the terms of the sale (suspected fraud)',
	},
	'itinerary.message.received': {
		name: 'Hotel Message Received',
		description: 'The hotel sent a message about a booking',
	},
	'itinerary.traveler.noshow': {
		name: 'Traveler No-Show',
		description: 'The traveler did not arrive and the hotel marked the booking a no-show',
	},
	'itinerary.payment_verification.failure': {
		name: 'Payment Verification Failed',
		description: "Verification of the traveler's payment failed",
	},
} as const satisfies Record<string, EventInfo>;

export type RapidEventType = keyof typeof RAPID_EVENTS;

export const RAPID_EVENT_TYPES = Object.keys(RAPID_EVENTS) as RapidEventType[];

/** Options for the UI, by label. */
export const rapidEventOptions = (): INodePropertyOptions[] =>
	RAPID_EVENT_TYPES.map((type) => ({
		name: RAPID_EVENTS[type].name,
		value: type,
		description: RAPID_EVENTS[type].description,
	})).sort((a, b) => a.name.localeCompare(b.name));

/** A notification as documented; extra fields (rooms, topic_tags, whatever comes) are kept. */
export const rapidNotificationSchema = z
	.object({
		event_id: z.string().min(1),
		event_type: z.string().min(1),
		event_time: z.string(),
		itinerary_id: z.string(),
		email: z.string().optional(),
		message: z.string().optional(),
		affiliate_reference_id: z.string().optional(),
		rooms: z
			.array(
				z
					.object({
						confirmation_id: z
							.object({ expedia: z.string(), property: z.string() })
							.partial()
							.passthrough(),
					})
					.partial()
					.passthrough(),
			)
			.optional(),
	})
	.passthrough();

export type RapidNotification = z.infer<typeof rapidNotificationSchema>;

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

export interface NotificationSummary {
	eventId: string | null;
	eventType: string | null;
}

/** A string or number field as text; null when absent, empty or of another type. */
const textOf = (value: unknown): string | null =>
	typeof value === 'string' && value !== ''
		? value
		: typeof value === 'number'
			? String(value)
			: null;

/** The event id and type of any body, read leniently (a body of the wrong shape has neither). */
export function summariseNotification(body: unknown): NotificationSummary {
	if (!isObject(body)) return { eventId: null, eventType: null };
	return { eventId: textOf(body.event_id), eventType: textOf(body.event_type) };
}
