/**
 * Contract: Atlas' documented order lookup (atlas-doc/atlas-api-docs, `Atlas API_shopping and
 * ticketing.md`, "POST Retrieve Booking"; fixtures in documentedOrders.ts) run through the node as
 * Atlas prints it, and the sandbox checked against the same documents. Then what a hostile or
 * wrong server answers instead.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	startSandbox,
	type Sandbox,
} from '../../dev/sandbox';
import { Atlas } from '../../nodes/Atlas/Atlas.node';
import {
	type AnsweringServer,
	htmlAnswer,
	jsonAnswer,
	startAnsweringServer,
} from '../helpers/answeringServer';
import { executeNode } from '../helpers/n8n';
import {
	DOCUMENTED_ORDER_FIELDS,
	DOCUMENTED_ORDER_REQUEST,
	DOCUMENTED_ORDERS,
} from './documentedOrders';
import { expectApiError } from './sandbox';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

const atlas = new Atlas();
const [ONE_BOOKING, SEPARATE_BOOKINGS] = DOCUMENTED_ORDERS.map((order) => order.response);

let server: AnsweringServer;
let elsewhere: AnsweringServer;
let sb: Sandbox;
beforeAll(async () => {
	[server, elsewhere, sb] = await Promise.all([
		startAnsweringServer(),
		startAnsweringServer(),
		startSandbox({ port: 0, incidentCount: 20 }),
	]);
});
afterAll(async () => await Promise.all([server.close(), elsewhere.close(), sb.close()]));
beforeEach(() => {
	server.seen.length = 0;
	elsewhere.seen.length = 0;
});

const credentials = (baseUrl: string) => ({
	atlasApi: {
		environment: 'custom',
		baseUrl,
		clientId: DEFAULT_ATLAS_CLIENT_ID,
		clientSecret: DEFAULT_ATLAS_CLIENT_SECRET,
	},
});

async function getOrder(parameters: INodeParameters, baseUrl = server.url) {
	const [output] = await executeNode({
		nodeType: atlas,
		parameters: { resource: 'order', operation: 'get', ...parameters },
		credentials: credentials(baseUrl),
	});
	return output.map((item) => item.json);
}

describe('the documented examples through the node', () => {
	it('sends the documented request: the body fields and headers the reference lists', async () => {
		server.answer = jsonAnswer(200, { ...ONE_BOOKING, orderNo: DOCUMENTED_ORDER_REQUEST.orderNo });
		await getOrder({ orderNo: String(DOCUMENTED_ORDER_REQUEST.orderNo) });
		const [request] = server.seen;
		expect(request.url).toBe('/queryOrderDetails.do');
		expect(JSON.parse(request.body)).toEqual(DOCUMENTED_ORDER_REQUEST);
		for (const name of [
			'accept',
			'content-type',
			'accept-encoding',
			'x-atlas-client-id',
			'x-atlas-client-secret',
		]) {
			expect(request.headers[name]).toBeTruthy();
		}
	});

	it.each(DOCUMENTED_ORDERS)('Simplify off: $name comes out exactly as printed', async (order) => {
		server.answer = jsonAnswer(200, order.response);
		const [json] = await getOrder({ orderNo: String(order.response.orderNo), simplify: false });
		expect(json).toEqual(order.response);
	});

	const outbound = {
		direction: 'outbound',
		segmentIndex: 1,
		carrier: 'U2',
		flightNumber: 'U28405',
		from: 'LGW',
		to: 'CDG',
		departure: '2025-08-18 16:40',
		arrival: '2025-08-18 18:55',
		cabinClass: 1,
		cabinClassName: 'Economy',
		bookingClass: null,
	};
	const inbound = {
		direction: 'return',
		segmentIndex: 2,
		carrier: 'U2',
		flightNumber: 'U28410',
		from: 'CDG',
		to: 'LGW',
		departure: '2025-08-20 19:10',
		arrival: '2025-08-20 19:20',
		cabinClass: 1,
		cabinClassName: 'Economy',
		bookingClass: null,
	};
	const common = {
		orderNo: 'TESTA20250210154142832',
		atlasPnr: 'XVOCMN',
		orderStatus: 2,
		orderStatusName: 'Ticketed',
		ticketStatus: 1,
		ticketStatusName: 'Issued',
		airlines: ['D8'],
		segments: [outbound, inbound],
		totalPrice: 114.99,
		totalTransactionFee: 5,
		totalAncillaryPrice: 0,
		currency: 'USD',
	};

	it('Simplify on, one airline booking: every field a person acts on', async () => {
		server.answer = jsonAnswer(200, ONE_BOOKING);
		const [json] = await getOrder({ orderNo: 'TESTA20250210154142832' });
		expect(json).toEqual({
			...common,
			airlinePnrs: ['S77182'],
			passengers: [
				{
					name: 'aaaaa/aaaaaabs',
					type: 'Adult',
					typeCode: 0,
					ticketNumbers: ['S77182'],
					airlinePnrs: ['S77182'],
				},
			],
		});
	});

	it('Simplify on, round trip booked separately: both airline PNRs and both tickets', async () => {
		server.answer = jsonAnswer(200, SEPARATE_BOOKINGS);
		const [json] = await getOrder({ orderNo: 'TESTA20250210154142832' });
		expect(json).toEqual({
			...common,
			airlinePnrs: ['S77182', 'X67745'],
			passengers: [
				{
					name: 'aaaaa/aaaaaabs',
					type: 'Adult',
					typeCode: 0,
					ticketNumbers: ['S77182', 'X67745'],
					airlinePnrs: ['S77182', 'X67745'],
				},
			],
		});
	});

	it('codes Atlas sends as numbers read the same as the documented strings', async () => {
		server.answer = jsonAnswer(200, { ...ONE_BOOKING, orderStatus: -3, ticketStatus: 0 });
		const [json] = await getOrder({ orderNo: 'TESTA20250210154142832' });
		expect(json).toMatchObject({
			orderStatus: -3,
			orderStatusName: 'Cancelled',
			ticketStatus: 0,
			ticketStatusName: 'Not Issued',
		});
	});

	it('a code no document lists keeps its value and says it is unknown', async () => {
		server.answer = jsonAnswer(200, { ...ONE_BOOKING, orderStatus: '7' });
		const [json] = await getOrder({ orderNo: 'TESTA20250210154142832' });
		expect(json).toMatchObject({ orderStatus: 7, orderStatusName: 'Unknown (7)' });
	});

	it('a failed ticketing keeps its documented error code and message', async () => {
		server.answer = jsonAnswer(200, {
			...ONE_BOOKING,
			orderStatus: '-3',
			ticketStatus: '0',
			errorCode: 604,
			errorMessage: 'Ticketing failed',
		});
		const [json] = await getOrder({ orderNo: 'TESTA20250210154142832' });
		expect(json).toMatchObject({ errorCode: 604, errorMessage: 'Ticketing failed' });
	});
});

/** The JSON kind of a value: what must agree between a document and the sandbox. */
const kind = (value: unknown) =>
	value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

/** Each key of `documented` whose value the sandbox gives another kind (nulls agree with any). */
function kindMismatches(documented: IDataObject, served: IDataObject, path = ''): string[] {
	return Object.entries(documented).flatMap(([key, value]) => {
		if (!(key in served)) return [`${path}${key}: missing`];
		const [a, b] = [kind(value), kind(served[key])];
		if (a === 'null' || b === 'null') return [];
		if (a !== b) return [`${path}${key}: ${b} instead of ${a}`];
		if (a === 'object') {
			return kindMismatches(value as IDataObject, served[key] as IDataObject, `${path}${key}.`);
		}
		const [first, mine] = [(value as unknown[])?.[0], (served[key] as unknown[])?.[0]];
		if (a === 'array' && kind(first) === 'object' && kind(mine) === 'object') {
			return kindMismatches(first as IDataObject, mine as IDataObject, `${path}${key}[0].`);
		}
		return [];
	});
}

async function askSandbox(body: unknown, headers: Record<string, string> = {}) {
	const response = await fetch(`${sb.url}/queryOrderDetails.do`, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			'x-atlas-client-id': DEFAULT_ATLAS_CLIENT_ID,
			'x-atlas-client-secret': DEFAULT_ATLAS_CLIENT_SECRET,
			...headers,
		},
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
	expect(response.status).toBe(200);
	return (await response.json()) as IDataObject;
}

describe('the sandbox against the same documents', () => {
	it('answers a known order with every documented field, of the documented kind', async () => {
		const served = await askSandbox({ orderNo: sb.atlas.incidents[0].orderNo });
		expect(served.status).toBe(0);
		for (const field of Object.keys(DOCUMENTED_ORDER_FIELDS)) expect(served).toHaveProperty(field);
		for (const example of DOCUMENTED_ORDERS) {
			expect(kindMismatches(example.response, served)).toEqual([]);
		}
	});

	it('answers the documented request example (an order it does not hold) with 703', async () => {
		expect(await askSandbox(DOCUMENTED_ORDER_REQUEST)).toEqual({
			status: 703,
			msg: 'No order found, please check the parameter',
		});
	});

	it.each([
		['no order number (702)', {}, 702],
		['an order number that is not text (901)', { orderNo: 12 }, 901],
		['a body that is not an object (901)', '[1]', 901],
	])('answers %s', async (_name, body, status) => {
		expect((await askSandbox(body)).status).toBe(status);
	});

	it('checks the keys like the other Atlas endpoints (900)', async () => {
		const answer = await askSandbox(
			{ orderNo: sb.atlas.incidents[0].orderNo },
			{ 'x-atlas-client-secret': 'wrong' },
		);
		expect(answer.status).toBe(900);
		expect(answer).not.toHaveProperty('orderNo');
	});

	it('finds an order by its Atlas PNR, and refuses a PNR of another order (704)', async () => {
		const [a, b] = [sb.atlas.incidents[0].orderNo, sb.atlas.incidents[5].orderNo];
		const pnrA = String(sb.atlas.order(a)?.pnrCode);
		expect((await askSandbox({ pnrCode: pnrA })).orderNo).toBe(a);
		if (a !== b) expect((await askSandbox({ orderNo: b, pnrCode: pnrA })).status).toBe(704);
	});
});

describe('a hostile or wrong server', () => {
	const orderNo = 'TESTA20250210154142832';

	it.each([
		['an HTML page with 200', htmlAnswer(200, '<html><body>Login</body></html>')],
		['JSON without an envelope status', jsonAnswer(200, { orderNo, orderStatus: '2' })],
		['a JSON list', jsonAnswer(200, [ONE_BOOKING])],
	])('%s: not a JSON envelope, check the base URL', async (_name, answer) => {
		server.answer = answer;
		const error = await expectApiError(getOrder({ orderNo }));
		expect(error.message).toMatch(/^Looking up the order: the answer is not one Atlas sends/);
		expect(error.description).toMatch(/base URL of the Atlas API credential/);
	});

	it('an HTML error page with 404: the HTTP status, nothing output', async () => {
		server.answer = htmlAnswer(404, '<html>Not Found</html>');
		const error = await expectApiError(getOrder({ orderNo }));
		expect(error.message).toBe('Looking up the order: Atlas answered HTTP 404');
	});

	it('status 0 without the order: an error, never an empty order', async () => {
		server.answer = jsonAnswer(200, { status: 0, msg: 'success' });
		const error = await expectApiError(getOrder({ orderNo }));
		expect(error.message).toBe(
			`Atlas answered the lookup of order ${orderNo} without the order's details (orderNo is missing)`,
		);
	});

	it('status 0 with lists of the wrong kind: an error naming the field', async () => {
		server.answer = jsonAnswer(200, { ...ONE_BOOKING, paxTicketInfos: 'none' });
		const error = await expectApiError(getOrder({ orderNo }));
		expect(error.message).toMatch(/without the order's details \(paxTicketInfos: /);
	});

	it('another order than the one asked for: refused, so no flow acts on it', async () => {
		server.answer = jsonAnswer(200, ONE_BOOKING);
		const error = await expectApiError(getOrder({ orderNo: 'TO-OTHER' }));
		expect(error.message).toBe(
			'Atlas answered the lookup of order TO-OTHER with another order (TESTA20250210154142832)',
		);
	});

	it.each([302, 307])(
		'a redirect (%i) is not followed: nothing reaches the other origin',
		async (status) => {
			const target = `${elsewhere.url}/collect`;
			server.answer = { status, headers: { Location: target } };
			const error = await expectApiError(getOrder({ orderNo }));
			expect(elsewhere.seen).toEqual([]);
			expect(error.message).toContain(`redirect (${status}) to ${target}`);
		},
	);
});
