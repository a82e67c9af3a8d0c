/**
 * What Atlas sends: the callback event types (with labels for the UI), the incident types the
 * incident list knows, and zod schemas of the callbacks. The schemas describe the documented shape
 * only to flag departures from it: every event is emitted whatever its shape, unknown fields kept.
 * Also how long an event's email link lasts.
 */
import type { IDataObject, INodePropertyOptions } from 'n8n-workflow';
import { z, type ZodTypeAny } from 'zod';

/** A union whose issues read "Required" or "Expected …" rather than zod's "Invalid input". */
const either = <T extends [ZodTypeAny, ZodTypeAny]>(options: T, expected: string) =>
	z.union(options, {
		errorMap: (_issue, ctx) => ({
			message: ctx.data === undefined ? 'Required' : `Expected ${expected}`,
		}),
	});

/** Atlas sends ids and codes as strings in some samples and numbers in others. */
const idLike = either([z.string(), z.number()], 'a string or a number');
const intLike = either(
	[z.number().int(), z.string().regex(/^-?\d+$/, 'Expected an integer')],
	'an integer',
);
const oneOf = (...values: number[]) =>
	intLike.refine((v) => values.includes(Number(v)), {
		message: `Expected one of ${values.join(', ')}`,
	});

const segment = z
	.object({
		depAirport: z.string(),
		arrAirport: z.string(),
		depTime: z.string(),
		arrTime: z.string(),
		carrier: z.string(),
		flightNumber: idLike,
	})
	.partial()
	.passthrough();

const withOrderNo = <T extends z.ZodRawShape>(shape: T) =>
	z.object({ orderNo: idLike }).extend(shape).passthrough();

const dataSchemas = {
	'order.ticketed': withOrderNo({
		orderStatus: oneOf(0, 1, 2, -3).optional(),
		paxTicketInfos: z
			.array(
				z
					.object({ ticketNos: z.array(idLike), airlinePNRs: z.array(idLike) })
					.partial()
					.passthrough(),
			)
			.optional(),
	}),
	'order.void': withOrderNo({
		voidCode: idLike.optional(),
		voidStatus: oneOf(0, 1, 2, 3, 4, 5, 6).optional(),
		message: z.string().nullish(),
	}),
	'order.cancelled': withOrderNo({
		errorCode: idLike.nullish(),
		errorMessage: z.string().nullish(),
	}),
	'order.schedulechange': withOrderNo({
		scheduleChangeType: oneOf(1, 2).optional(),
		originalSegs: z.array(segment).nullish(),
		previousSegs: z.array(segment).nullish(),
		revisedSegs: z.array(segment).nullish(),
	}),
	'email.schedulechange': withOrderNo({
		emailSubject: z.string().nullish(),
		emailLink: z.string().nullish(),
	}),
	'abnormal.cancelled': withOrderNo({ vendorRefundInformation: z.string().nullish() }),
	'airline.status': z
		.object({
			airline: z.array(z.string()),
			airlineStatus: z.enum(['Active', 'Maintenance', 'Inactive']),
		})
		.passthrough(),
	'email.all': withOrderNo({
		emailReceivingDate: z.string().nullish(),
		uniqueCode: idLike.nullish(),
		emailCategory: z.string().nullish(),
		from: z.string().nullish(),
		to: z.string().nullish(),
		emailSubject: z.string().nullish(),
		emailLink: z.string().nullish(),
		createTime: z.string().nullish(),
	}),
	'order.addonComplete': withOrderNo({}),
	'order.refundComplete': withOrderNo({}),
} satisfies Record<string, ZodTypeAny>;

export type AtlasEventType = keyof typeof dataSchemas;

interface EventInfo {
	name: string;
	description: string;
}

/** Every callback type Atlas documents, and two from older Atlas notes, for the trigger's event filter. */
export const ATLAS_EVENTS: Record<AtlasEventType, EventInfo> = {
	'abnormal.cancelled': {
		name: 'Unaccounted Cancellation',
		description:
			'The booking was cancelled outside Atlas (by the airline, the traveler or your team), not through an Atlas request',
	},
	'airline.status': {
		name: 'Airline Status',
		description: 'An airline became active, went into maintenance or inactive',
	},
	'email.all': {
		name: 'Airline Email',
		description: 'Any email received from an airline about an order',
	},
	'email.schedulechange': {
		name: 'Schedule Change (Email)',
		description: 'A schedule change found in an airline email',
	},
	'order.addonComplete': {
		name: 'Add-on Complete',
		description: 'An add-on purchase (bags, seats) completed',
	},
	'order.cancelled': {
		name: 'Ticketing Failed (Order Cancelled)',
		description: 'Ticketing failed and the order was cancelled',
	},
	'order.refundComplete': {
		name: 'Refund Complete',
		description: 'A refund completed',
	},
	'order.schedulechange': {
		name: 'Schedule Change',
		description: 'A structured schedule change or flight cancellation',
	},
	'order.ticketed': {
		name: 'Order Ticketed',
		description: 'Ticketing finished or the order status changed',
	},
	'order.void': {
		name: 'Order Voided',
		description: 'A void request progressed',
	},
};

export const ATLAS_EVENT_TYPES = Object.keys(ATLAS_EVENTS) as AtlasEventType[];

/**
 * Other spellings of a type, mapped to the current one. A Map: provider text such as "__proto__"
 * or "constructor" must never resolve through an object's prototype.
 */
const TYPE_ALIASES = new Map<string, AtlasEventType>([
	['order.scheduleChange', 'order.schedulechange'],
]);

/** The incident statuses the incident list filters on (`eventStatus`). */
export const INCIDENT_STATUS_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Confirmed', value: 1 },
	{ name: 'Unconfirmed', value: 0 },
];

/** The incident types the incident list filters on (a subset of the callback types). */
export const INCIDENT_TYPES: readonly AtlasEventType[] = [
	'abnormal.cancelled',
	'email.schedulechange',
	'order.schedulechange',
];

export const toOptions = (types: readonly AtlasEventType[]): INodePropertyOptions[] =>
	types.map((type) => ({
		name: ATLAS_EVENTS[type].name,
		value: type,
		description: ATLAS_EVENTS[type].description,
	}));

/** The current spelling of a type; unknown types come back unchanged. */
export function canonicalEventType(type: string): string {
	return TYPE_ALIASES.get(type) ?? type;
}

const callbackSchema = z
	.object({
		cid: idLike.optional(),
		type: z.string().min(1),
		notificationId: idLike.optional(),
		status: intLike.optional(),
		data: z.object({}).passthrough(),
	})
	.passthrough();

/** The full schema of each known type, built once. */
const schemaByType = new Map<string, ZodTypeAny>(
	(Object.keys(dataSchemas) as AtlasEventType[]).map((type) => {
		const schema = callbackSchema.extend({ data: dataSchemas[type] });
		return [
			type,
			type === 'order.schedulechange' ? schema.extend({ status: oneOf(0, 1) }) : schema,
		];
	}),
);

/** The documented shape of a callback of `type`; unknown types get the common envelope only. */
export function callbackSchemaFor(type: string): ZodTypeAny {
	return schemaByType.get(canonicalEventType(type)) ?? callbackSchema;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const asText = (value: unknown): string | null =>
	typeof value === 'string' || typeof value === 'number' ? String(value) : null;

export interface CallbackSummary {
	/** Canonical type, or null when the payload has none. */
	eventType: string | null;
	orderNo: string | null;
	notificationId: string | null;
	cid: string | null;
}

/** The fields a trigger item puts on top, read leniently from any JSON value. */
export function summariseCallback(payload: unknown): CallbackSummary {
	const root = isRecord(payload) ? payload : {};
	const data = isRecord(root.data) ? root.data : {};
	const type = asText(root.type);
	return {
		eventType: type === null ? null : canonicalEventType(type),
		orderNo: asText(data.orderNo),
		notificationId: asText(root.notificationId),
		cid: asText(root.cid),
	};
}

/** Atlas' email links stop working about 10 minutes after the event. */
export const EMAIL_LINK_LIFETIME_MS = 10 * 60 * 1000;

/** The `Expires` (Unix seconds) a signed storage link carries, if it has a readable one. */
function linkExpiresParam(link: string): number | undefined {
	const match = /[?&]Expires=(\d{9,11})(?:&|#|$)/.exec(link);
	return match ? Number(match[1]) * 1000 : undefined;
}

/**
 * When the event's `data.emailLink`, if it has one, expires at the latest: 10 minutes after the
 * event, or earlier when the link itself says so (`Expires=` on signed storage links).
 */
export function emailLinkExpiry(payload: unknown, receivedAt: Date): IDataObject {
	const link = (payload as { data?: { emailLink?: unknown } } | null)?.data?.emailLink;
	if (typeof link !== 'string' || link === '') return {};
	const byLifetime = receivedAt.getTime() + EMAIL_LINK_LIFETIME_MS;
	const byLink = linkExpiresParam(link) ?? byLifetime;
	return { emailLinkExpiresAt: new Date(Math.min(byLifetime, byLink)).toISOString() };
}
