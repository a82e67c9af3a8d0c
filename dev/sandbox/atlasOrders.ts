/**
 * The fake Atlas' orders, as `queryOrderDetails.do` returns them, kept consistent with the
 * incidents and the callbacks the sandbox sends. Shape and codes from atlas-doc/atlas-api-docs,
 * `Atlas API_shopping and ticketing.md`, section "POST Retrieve Booking" (the response example and
 * table): orderStatus "0" unpaid, "1" ticketing, "2" ticketed, "-3" cancelled; ticketStatus "0"
 * not issued, "1" issued, both strings; segment times `yyyyMMddHHmm` at the airport. Error codes
 * from the same section (800, 701 to 705) and troubleshooting-and-support/errors-handing/
 * refund-query-and-post-booking-errors.md ("Query order": 703 no order found, 705 timeout).
 */
import type { SampleOrder } from './atlasEvents';
import { createRandom } from './random';
import type { AtlasIncident } from './types';
import { formatAtlasTime, HOUR_MS } from './util';

/** One order: the success envelope of the lookup without `status` and `msg`. */
export type AtlasOrderRecord = Record<string, unknown> & { orderNo: string };

/** The lookup's own codes (the sandbox's list, not the node's). */
export const ORDER_LOOKUP_STATUS = {
	orderNotExists: 800,
	multipleOrders: 701,
	lookupDataMissing: 702,
	noOrderFound: 703,
	parametersMismatch: 704,
	timeout: 705,
} as const;

/** The documented response `msg` texts of the lookup's codes (the status table's wording). */
export const ORDER_LOOKUP_MESSAGES: Record<number, string> = {
	800: 'Order not exists',
	701: 'Multi-order are identified, please request again with extra parameters added',
	702: 'airlinePNR and carrier are mandatory to fill in for order retrieval, please check and request again',
	703: 'No order found, please check the parameter',
	704: "Parameters don't match, please check and retry",
	705: 'Timeout',
};

const PNR_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const AIRPORTS = ['PEK', 'PVG', 'CAN', 'HKG', 'SIN', 'NRT', 'ICN', 'DXB', 'FRA', 'LHR'];

/** The same order number always gives the same invented details. */
function seedOf(text: string): number {
	let hash = 2166136261;
	for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
	return hash >>> 0;
}

/** `2024-06-01 08:00:00` (the callbacks' and incident list's form) as `202406010800`. */
export const toSegmentTime = (wallClock: string): string =>
	wallClock.replace(/\D/g, '').slice(0, 12);

/** `202406010800` as `2024-06-01 08:00:00`. */
export const fromSegmentTime = (time: string): string =>
	`${time.slice(0, 4)}-${time.slice(4, 6)}-${time.slice(6, 8)} ${time.slice(8, 10)}:${time.slice(10, 12)}:00`;

const addHours = (wallClock: string, hours: number): string =>
	new Date(Date.parse(`${wallClock.replace(' ', 'T')}Z`) + hours * HOUR_MS)
		.toISOString()
		.slice(0, 19)
		.replace('T', ' ');

/** A fare's composition as the documented example itemises it: base and tax. */
const priceItems = (amount: number) => [
	{ code: 'farePrice', type: 'base', amount, description: '' },
	{ code: 'tax', type: 'tax', amount: 0, description: '' },
];

/** What an order is built from: the sample order of a callback, or an incident. */
export type OrderBasis = SampleOrder & { depTime?: string; flightNumber?: unknown };

/** A ticketed order in the documented shape, from the facts an incident or callback gives. */
export function buildOrder(basis: OrderBasis, now: number): AtlasOrderRecord {
	const rnd = createRandom(seedOf(basis.orderNo));
	const depTime = basis.depTime ?? addHours(formatAtlasTime(now), 24 * rnd.int(3, 60));
	const depAirport = rnd.pick(AIRPORTS);
	const arrAirport = rnd.pick(AIRPORTS.filter((a) => a !== depAirport));
	const flightNumber =
		typeof basis.flightNumber === 'string'
			? basis.flightNumber
			: `${basis.airline}${rnd.int(100, 9999)}`;
	const names = basis.paxName.split(',');
	const fare = rnd.int(120, 1400) + rnd.int(0, 99) / 100;
	const fee = 2;
	const segment = {
		segmentIndex: 1,
		carrier: basis.airline,
		flightNumber,
		depAirport,
		depTime: toSegmentTime(depTime),
		arrAirport,
		arrTime: '',
		stopCities: null,
		duration: 0,
		codeShare: false,
		cabin: rnd.pick(['Y', 'B', 'M']),
		cabinClass: 1,
		seatCount: 9,
		aircraftCode: '',
		depTerminal: '',
		arrTerminal: '',
		operatingCarrier: '',
		operatingFlightnumber: '',
		fareFamily: 'Standard',
	};
	const hours = rnd.int(2, 12);
	segment.arrTime = toSegmentTime(addHours(depTime, hours));
	segment.duration = hours * 60;
	return {
		orderNo: basis.orderNo,
		pnrCode: rnd.chars(6, PNR_ALPHABET),
		orderStatus: '2',
		ticketStatus: '1',
		paxTicketInfos: names.map((name) => ({
			name,
			passengerType: 0,
			birthday: `19${rnd.int(50, 99)}0${rnd.int(1, 9)}1${rnd.int(0, 9)}`,
			gender: rnd.pick(['F', 'M']),
			cardNum: rnd.digits(9),
			cardType: 'PP',
			cardIssuePlace: 'CN',
			cardExpired: `20${rnd.int(30, 39)}0101`,
			nationality: 'CN',
			ticketNos: [`${rnd.digits(3)}-${rnd.digits(10)}`],
			airlinePNRs: [basis.pnr],
			contactEmails: [basis.paxEmail],
			contactPhones: ['0086-13900000000'],
			ancillaries: [],
		})),
		totalPrice: Math.round((fare + fee) * names.length * 100) / 100,
		currency: 'USD',
		tktLimitTime: formatAtlasTime(now),
		vendorTotalPrice: null,
		vendorCost: null,
		vendorTotalAncillaryPrice: null,
		vendorCurrency: null,
		adultTotalFare: Math.round(fare * names.length * 100) / 100,
		childTotalFare: 0,
		infantTotalFare: 0,
		totalAncillaryPrice: 0,
		totalTransactionFee: fee * names.length,
		supportPaymentMethod: 1,
		supportPaymentMethods: [1],
		paymentMethod: 1,
		routing: {
			routingIdentifier: rnd.chars(40, 'abcdefghijklmnopqrstuvwxyz0123456789'),
			supportCreditTransPayment: '0',
			supportPaymentMethods: [1],
			currency: 'USD',
			adultPrice: fare,
			adultTax: 0,
			adultDetails: priceItems(fare),
			childPrice: 0,
			childTax: 0,
			childDetails: priceItems(0),
			infantPrice: 0,
			infantTax: 0,
			infantDetails: priceItems(0),
			infantAllowed: true,
			childMandatorySeatingFee: null,
			transactionFeePerPax: fee,
			transactionFee: fee,
			transactionFeeMode: 'PER_PAX',
			fromSegments: [segment],
			retSegments: [],
			rule: {
				hasBaggage: 0,
				baggageElements: [],
				refundRules: [],
				changesRules: [],
				serviceElements: [],
			},
			ancillaryProductElements: [],
			vendorFare: null,
			links: [],
			separateBookings: false,
			refreshTime: null,
			expireTime: null,
			ancillarySupported: [],
			cardChargeList: null,
		},
		airlineBookings: [
			{
				airlineCode: basis.airline,
				airlineName: null,
				airlinePnr: basis.pnr,
				airlineWebSiteAddress: null,
				mmbEmail: basis.paxEmail,
				tailDigitsOfPaymentCard: null,
			},
		],
		itineraryDownload: `https://sandbox.invalid/itineraryDownload.do?orderNo=${basis.orderNo}`,
		contact: {
			name: names[0],
			address: null,
			postcode: null,
			email: basis.paxEmail,
			mobile: '0086-13900000000',
		},
		errorCode: null,
		errorMessage: null,
		airlineMessage: null,
		locale: '',
		refundRules: [],
		ifSeatOccupied: null,
		paymentOptions: null,
		payment: null,
		paymentAttempted: null,
	};
}

/** An order from the incident about it: an unaccounted cancellation reads as cancelled. */
export function orderFromIncident(incident: AtlasIncident, now: number): AtlasOrderRecord {
	const order = buildOrder(incident, now);
	return incident.eventType === 'abnormal.cancelled' ? { ...order, orderStatus: '-3' } : order;
}

type Segment = Record<string, unknown>;

/** The order's flights with their direction (schedule-change-notification.md: 1 out, 2 return). */
function segmentsOf(order: AtlasOrderRecord): Array<[Segment, 1 | 2]> {
	const routing = (order.routing ?? {}) as { fromSegments?: Segment[]; retSegments?: Segment[] };
	return [
		...(routing.fromSegments ?? []).map((s): [Segment, 1 | 2] => [s, 1]),
		...(routing.retSegments ?? []).map((s): [Segment, 1 | 2] => [s, 2]),
	];
}

/** The order's flights as a schedule-change callback lists them. */
export function callbackSegments(order: AtlasOrderRecord): Segment[] {
	return segmentsOf(order).map(([s, direction]) => ({
		depAirport: s.depAirport,
		arrAirport: s.arrAirport,
		depTime: fromSegmentTime(String(s.depTime)),
		arrTime: fromSegmentTime(String(s.arrTime)),
		carrier: s.carrier,
		flightNumber: s.flightNumber,
		codeShare: s.codeShare ?? false,
		depTerminal: s.depTerminal ?? '',
		arrTerminal: s.arrTerminal ?? '',
		direction,
	}));
}

/** A schedule change of the order's flights: every flight 95 minutes later. */
export function scheduleChangeOf(order: AtlasOrderRecord): Record<string, unknown> {
	const original = callbackSegments(order);
	const later = (time: unknown) => addHours(String(time), 95 / 60);
	return {
		originalSegs: original,
		previousSegs: original,
		revisedSegs: original.map((s) => ({
			...s,
			depTime: later(s.depTime),
			arrTime: later(s.arrTime),
		})),
	};
}

/** The revised flights of a schedule change, in the order's segment form and direction. */
function reviseSegments(order: AtlasOrderRecord, revised: Segment[]): void {
	const old = segmentsOf(order).map(([s]) => s);
	const segments = revised.map((seg, index) => ({
		...(old[index] ?? {}),
		segmentIndex: index + 1,
		carrier: seg.carrier ?? old[index]?.carrier,
		flightNumber: seg.flightNumber ?? old[index]?.flightNumber,
		depAirport: seg.depAirport,
		arrAirport: seg.arrAirport,
		depTime: toSegmentTime(String(seg.depTime ?? '')),
		arrTime: toSegmentTime(String(seg.arrTime ?? '')),
	}));
	const isReturn = (index: number) => Number(revised[index].direction) === 2;
	order.routing = {
		...((order.routing ?? {}) as Segment),
		fromSegments: segments.filter((_, i) => !isReturn(i)),
		retSegments: segments.filter((_, i) => isReturn(i)),
	};
}

/** Void statuses after which the ticket is gone (void-notification.md: 2 voided, 5 completed). */
const VOIDED = [2, 5];

/**
 * What a callback the sandbox sends does to the order it is about, so that a lookup afterwards
 * reads accordingly. Types that change nothing Atlas' lookup shows are left alone.
 */
export function applyCallback(
	order: AtlasOrderRecord,
	type: string,
	data: Record<string, unknown>,
) {
	switch (type) {
		case 'order.ticketed': {
			if (data.orderStatus !== undefined) order.orderStatus = String(data.orderStatus);
			if (order.orderStatus === '2') order.ticketStatus = '1';
			if (Array.isArray(data.paxTicketInfos)) order.paxTicketInfos = data.paxTicketInfos;
			break;
		}
		case 'order.void':
			if (VOIDED.includes(Number(data.voidStatus))) {
				order.orderStatus = '-3';
				order.ticketStatus = '0';
			}
			break;
		case 'order.cancelled':
			order.orderStatus = '-3';
			order.ticketStatus = '0';
			order.errorCode = data.errorCode ?? null;
			order.errorMessage = data.errorMessage ?? null;
			break;
		case 'order.schedulechange':
			if (Array.isArray(data.revisedSegs) && data.revisedSegs.length > 0) {
				reviseSegments(order, data.revisedSegs as Segment[]);
			}
			break;
		case 'abnormal.cancelled':
			order.orderStatus = '-3';
			break;
		default:
			break;
	}
}

export type LookupResult =
	| { ok: true; order: AtlasOrderRecord }
	| { ok: false; status: number; msg: string };

const failure = (status: number, msg = ORDER_LOOKUP_MESSAGES[status]): LookupResult => ({
	ok: false,
	status,
	msg,
});

const text = (value: unknown): string | undefined =>
	typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/**
 * Reads the lookup body and finds the order: by `orderNo`, by the Atlas PNR (`pnrCode`), or by
 * both (they must agree: 704). Neither: 702; not found: 703. Wrong types: 901 (common errors page).
 */
export function lookUpOrder(
	body: unknown,
	find: (orderNo: string) => AtlasOrderRecord | undefined,
	byPnr: (pnrCode: string) => AtlasOrderRecord[],
): LookupResult {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		return failure(901, 'The request body must be a JSON object');
	}
	const { orderNo, pnrCode } = body as Record<string, unknown>;
	for (const [name, value] of Object.entries({ orderNo, pnrCode })) {
		if (value !== undefined && value !== null && typeof value !== 'string') {
			return failure(901, `${name} must be a string`);
		}
	}
	const number = text(orderNo);
	const pnr = text(pnrCode);
	if (number === undefined && pnr === undefined)
		return failure(ORDER_LOOKUP_STATUS.lookupDataMissing);
	const candidates = number === undefined ? byPnr(pnr as string) : [find(number)].filter(Boolean);
	const [order] = candidates as AtlasOrderRecord[];
	if (!order) return failure(ORDER_LOOKUP_STATUS.noOrderFound);
	if (candidates.length > 1) return failure(ORDER_LOOKUP_STATUS.multipleOrders);
	if (pnr !== undefined && order.pnrCode !== pnr)
		return failure(ORDER_LOOKUP_STATUS.parametersMismatch);
	return { ok: true, order };
}
