/**
 * Sample Atlas webhook callbacks, one per documented type:
 * `{ cid?, type, notificationId?, status?, data }`. Older spellings and unknown types get the common
 * shape, because Atlas sends types nobody documented and receivers must pass them through.
 */
import { AIRLINES } from './atlasData';
import type { Random } from './random';
import type { AtlasIncident } from './types';
import { formatAtlasTime, formatWallClock, HOUR_MS, MINUTE_MS, withOverrides } from './util';

/** Current spellings only: the aliases in older docs are not separate events. */
export const ATLAS_EVENT_TYPES = [
	'order.ticketed',
	'order.void',
	'order.cancelled',
	'order.schedulechange',
	'email.schedulechange',
	'abnormal.cancelled',
	'airline.status',
	'email.all',
];

/** Email and incident events carry a notificationId; the others do not. */
const WITH_NOTIFICATION_ID = [
	'order.schedulechange',
	'email.schedulechange',
	'abnormal.cancelled',
	'email.all',
];
/**
 * `cid` and `status` as each type's published sample shows them (atlas-doc/atlas-api-docs):
 * no cid on airline.status (integration-guides/webhook-overview/airline-status-update-notification.md)
 * nor on order.cancelled, which also shows no status (readme/booking-overview/payment-and-ticketing/
 * hybrid-payment-guide.md); status -1 on order.ticketed (webhook-overview/
 * ticketing-complete-notification.md), order.void (readme/webhook-overview/void-notification.md),
 * airline.status and email.all (webhook-overview/email-notification.md); 0 on the schedule-change
 * and incident samples (webhook-overview/schedule-change-notification.md, incident-notification.md).
 */
const WITHOUT_CID = ['airline.status', 'order.cancelled'];
const DOCUMENTED_STATUS: Record<string, number | undefined> = {
	'order.ticketed': -1,
	'order.void': -1,
	'order.cancelled': undefined,
	'order.schedulechange': 0,
	'email.schedulechange': 0,
	'abnormal.cancelled': 0,
	'airline.status': -1,
	'email.all': -1,
};

const AIRPORTS = [
	'PEK',
	'PVG',
	'CAN',
	'HKG',
	'SIN',
	'NRT',
	'ICN',
	'DXB',
	'FRA',
	'LHR',
	'JFK',
	'SFO',
];
/** The `emailCategory` values Atlas documents (webhook-overview/email-notification.md). */
const ATLAS_EMAIL_CATEGORIES = [
	'Schedule change',
	'Receipt',
	'Payment Success',
	'Verification',
	'Trip Reminder',
	'Promo code',
	'Travel Itinerary',
	'Advertisement',
	'PNR Cancellation Success',
	'Payment Due',
	'Unidentified',
	'Duplicated Schedule Change',
	'Unaccounted Cancellation',
];

/** The order a sample is about: taken from the incident store when it has one. */
export type SampleOrder = Pick<
	AtlasIncident,
	'orderNo' | 'pnr' | 'airline' | 'paxName' | 'paxEmail'
>;

export interface SampleContext {
	cid: string;
	now: number;
	rnd: Random;
	order: SampleOrder;
}

/** Segment times are shown in UTC+08:00 for simplicity (Atlas shows airport-local times). */
const time = formatAtlasTime;

function segment(ctx: SampleContext, depMs: number) {
	const [depAirport, arrAirport] = [ctx.rnd.pick(AIRPORTS), ctx.rnd.pick(AIRPORTS.slice(0, 6))];
	return {
		depAirport,
		arrAirport: arrAirport === depAirport ? 'BKK' : arrAirport,
		depTime: time(depMs),
		arrTime: time(depMs + ctx.rnd.int(2, 13) * HOUR_MS),
		carrier: ctx.order.airline,
		flightNumber: String(ctx.rnd.int(100, 9999)),
		codeShare: false,
		depTerminal: `T${ctx.rnd.int(1, 3)}`,
		arrTerminal: String(ctx.rnd.int(1, 3)),
		direction: 1,
	};
}

function emailLink(ctx: SampleContext) {
	return `https://mail.sandbox.invalid/view/${ctx.rnd.chars(24, 'abcdef0123456789')}`;
}

type DataBuilder = (ctx: SampleContext) => { data: Record<string, unknown> };

const BUILDERS: Record<string, DataBuilder> = {
	'order.ticketed': (ctx) => ({
		data: {
			orderNo: ctx.order.orderNo,
			orderStatus: 2,
			// The fields of the documented three-passenger sample; passengerType 0 is an adult there.
			paxTicketInfos: ctx.order.paxName.split(',').map((name) => ({
				name,
				passengerType: 0,
				gender: ctx.rnd.pick(['F', 'M']),
				birthday: `19${ctx.rnd.int(50, 99)}0${ctx.rnd.int(1, 9)}1${ctx.rnd.int(0, 9)}`,
				nationality: 'CN',
				cardType: 'PP',
				cardNum: ctx.rnd.digits(9),
				cardExpired: `20${ctx.rnd.int(30, 39)}0101`,
				cardIssuePlace: 'CN',
				ticketNos: [`${ctx.rnd.digits(3)}-${ctx.rnd.digits(10)}`],
				airlinePNRs: [ctx.order.pnr],
				ancillaries: [],
			})),
		},
	}),
	'order.void': (ctx) => ({
		data: {
			orderNo: ctx.order.orderNo,
			// As void-notification.md shows it: year and month, a dash, four digits ("202505-0012").
			voidCode: `${formatAtlasTime(ctx.now).slice(0, 7).replace('-', '')}-${ctx.rnd.digits(4)}`,
			voidStatus: 2,
			message: 'Void succeeded',
		},
	}),
	'order.cancelled': (ctx) => ({
		data: {
			orderNo: ctx.order.orderNo,
			// A numeric code, as the hybrid payment guide's sample shows ("604").
			errorCode: String(ctx.rnd.int(600, 699)),
			errorMessage: 'Ticketing failed: the fare is no longer available',
		},
	}),
	'order.schedulechange': (ctx) => {
		const depMs = ctx.now + ctx.rnd.int(3, 60) * 24 * HOUR_MS;
		const original = segment(ctx, depMs);
		const revised = {
			...original,
			depTime: time(depMs + 95 * MINUTE_MS),
			arrTime: time(depMs + 95 * MINUTE_MS + 3 * HOUR_MS),
		};
		return {
			data: {
				orderNo: ctx.order.orderNo,
				scheduleChangeType: 1,
				originalSegs: [original],
				previousSegs: [original],
				revisedSegs: [revised],
			},
		};
	},
	'email.schedulechange': (ctx) => ({
		data: {
			orderNo: ctx.order.orderNo,
			emailSubject: `Schedule change for booking ${ctx.order.pnr}`,
			emailLink: emailLink(ctx),
		},
	}),
	'abnormal.cancelled': (ctx) => ({
		data: {
			orderNo: ctx.order.orderNo,
			vendorRefundInformation: 'FULLY',
		},
	}),
	'airline.status': (ctx) => ({
		data: {
			airline: [ctx.rnd.pick(AIRLINES).code],
			airlineStatus: ctx.rnd.pick(['Active', 'Maintenance', 'Inactive']),
		},
	}),
	'email.all': (ctx) => ({
		data: {
			orderNo: ctx.order.orderNo,
			emailReceivingDate: formatWallClock(ctx.now, 0),
			uniqueCode: ctx.rnd.chars(32, 'abcdef0123456789'),
			emailCategory: ctx.rnd.pick(ATLAS_EMAIL_CATEGORIES),
			from: `noreply@${ctx.order.airline.toLowerCase()}.airline.invalid`,
			to: ctx.order.paxEmail,
			emailSubject: `Your booking ${ctx.order.pnr}`,
			emailLink: emailLink(ctx),
			createTime: time(ctx.now),
		},
	}),
};

const generic: DataBuilder = (ctx) => ({ data: { orderNo: ctx.order.orderNo } });

export function sampleAtlasEvent(
	type: string,
	ctx: SampleContext,
	overrides?: object,
): Record<string, unknown> {
	const { data } = (BUILDERS[type] ?? generic)(ctx);
	// Types nobody documented get status 0, the envelope's success code.
	const status = type in DOCUMENTED_STATUS ? DOCUMENTED_STATUS[type] : 0;
	const event: Record<string, unknown> = {
		...(WITHOUT_CID.includes(type) ? {} : { cid: ctx.cid }),
		type,
		...(WITH_NOTIFICATION_ID.includes(type) || !BUILDERS[type]
			? { notificationId: ctx.rnd.digits(16) }
			: {}),
		...(status === undefined ? {} : { status }),
		data,
	};
	return withOverrides(event, overrides);
}
