/**
 * Rapid's documented Retrieve Booking examples (itinerary.fixtures.ts) run through the node and
 * against the sandbox: a change to either that departs from the published contract fails here.
 */
import type { IDataObject } from 'n8n-workflow';

import { ExpediaRapid } from '../../nodes/ExpediaRapid/ExpediaRapid.node';
import { startSandbox, type Sandbox } from '../../dev/sandbox';
import { expectApiError } from '../helpers/errors';
import { type HostileServer, startHostileServer } from '../helpers/hostileServer';
import { createExecuteContext } from '../helpers/n8n';
import type { ShortSleep } from '../helpers/shortSleep';
import { rapidCall, type RapidErrorBody } from '../sandbox/http';
import { DOCUMENTED_ERRORS, UNAUTHENTICATED_401 } from './contract.fixtures';
import {
	ITINERARY_200,
	ITINERARY_400,
	ITINERARY_404,
	ITINERARY_426,
	ITINERARY_FIELDS,
	ITINERARY_STATUSES,
	ROOM_FIELDS,
	ROOM_STATUSES,
} from './itinerary.fixtures';

const LIMITS = { timeoutMs: 5000 };

// Backoff waits at most a few ms here and records what it was asked (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);
const rapid = new ExpediaRapid();

let server: HostileServer;
let sb: Sandbox;
beforeAll(async () => {
	server = await startHostileServer();
	sb = await startSandbox({ port: 0, incidentCount: 0 });
});
afterAll(async () => {
	await server.close();
	await sb.close();
});
beforeEach(() => {
	server.seen.length = 0;
	sb.faults.clear();
});

const lookUp = async (simplify = true) => {
	const context = createExecuteContext({
		nodeType: rapid,
		requestLimits: LIMITS,
		parameters: {
			resource: 'itinerary',
			operation: 'get',
			itineraryId: ITINERARY_200.itinerary_id,
			email: ITINERARY_200.email,
			simplify,
		},
		credentials: {
			expediaRapidApi: {
				environment: 'custom',
				baseUrl: server.url,
				apiKey: 'contract-key',
				sharedSecret: 'contract-secret',
			},
		},
	});
	const [items] = await rapid.execute.call(context);
	return items.map((item) => item.json);
};

/** Every documented error example of this path, by status. */
type Documented = [number, { type: string; message: string }];
const DOCUMENTED: Documented[] = (
	[
		[400, ITINERARY_400],
		[404, ITINERARY_404],
		[426, ITINERARY_426],
		...DOCUMENTED_ERRORS,
	] as Documented[]
).sort(([a], [b]) => a - b);

describe('Retrieve Booking contract: the node reads the documented answers', () => {
	it('covers every status the path documents', () => {
		expect(DOCUMENTED.map(([status]) => status)).toEqual([...ITINERARY_STATUSES]);
	});

	it('simplifies the documented itinerary to what an ops user acts on', async () => {
		server.script({ kind: 'json', status: 200, body: ITINERARY_200 });
		expect(await lookUp()).toEqual([
			{
				itinerary_id: '8999989898988',
				property_id: '8150374',
				status: 'booked',
				checkin: '2018-09-21',
				checkout: '2018-09-23',
				guest_names: ['Givenne Nameo'],
				total: { value: '368.15', currency: 'USD' },
				rooms: [
					{
						id: '926784314',
						status: 'booked',
						confirmation_id: { expedia: '1234567890', property: 'BEF23123AA' },
						given_name: 'Givenne',
						family_name: 'Nameo',
						checkin: '2018-09-21',
						checkout: '2018-09-23',
						number_of_adults: 2,
						child_ages: [2, 3],
						total: { value: '368.15', currency: 'USD' },
					},
				],
				email: 'smith@example.com',
				affiliate_reference_id: '4480ABC',
				creation_date_time: '2017-08-17T13:31:15.523Z',
				complete: true,
			},
		]);
		const [request] = server.seen;
		expect(request.url).toBe('/v3/itineraries/8999989898988?email=smith%40example.com');
		expect(request.headers['customer-ip']).toBe('127.0.0.1');
	});

	it('outputs the documented itinerary whole with Simplify off', async () => {
		server.script({ kind: 'json', status: 200, body: ITINERARY_200 });
		expect(await lookUp(false)).toEqual([ITINERARY_200]);
	});

	it.each(DOCUMENTED)('reads the documented %d', async (status, body) => {
		server.script({ kind: 'json', status, body, headers: { 'Rate-Limit-Minute-Reset': '1' } });
		const error = await expectApiError(lookUp());
		const reason = status === 400 ? 'Link is invalid. [link.invalid]' : body.message;
		expect(error.message).toContain(`answered ${status} ${body.type}: ${reason}`);
		expect(error.httpCode).toBe(String(status));
		expect(error.description).toBeTruthy();
	});
});

/** The JSON type of every leaf, so shapes compare without values: arrays by their first entry. */
function shape(value: unknown): unknown {
	if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
	}
	return typeof value;
}

/** Keeps of `actual` the keys `documented` also has, recursively: the parts both show. */
function common(actual: unknown, documented: unknown): unknown {
	if (Array.isArray(actual) && Array.isArray(documented)) {
		return actual.length && documented.length ? [common(actual[0], documented[0])] : [];
	}
	if (actual && documented && typeof actual === 'object' && typeof documented === 'object') {
		const doc = documented as IDataObject;
		return Object.fromEntries(
			Object.entries(actual)
				.filter(([k]) => k in doc)
				.map(([k, v]) => [k, common(v, doc[k])]),
		);
	}
	return actual;
}

describe('Retrieve Booking contract: the sandbox answers as documented', () => {
	const IP = { 'Customer-Ip': '127.0.0.1' };

	async function pushedBooking() {
		const n = sb.rapid.sampleNotification('itinerary.supplier.confirm') as IDataObject;
		await sb.rapid.push(n, { url: `${sb.url}/_catcher/rapid` });
		const path = `/v3/itineraries/${String(n.itinerary_id)}?email=${encodeURIComponent(String(n.email))}`;
		return { path, reply: await rapidCall<IDataObject>(sb, 'GET', path, { headers: IP }) };
	}

	it("answers a booking with the schema's fields only, typed as in the documented example", async () => {
		const { reply } = await pushedBooking();
		expect(reply.status).toBe(200);
		const body = reply.body as IDataObject & { rooms: IDataObject[] };
		for (const key of Object.keys(body)) expect(ITINERARY_FIELDS).toContain(key);
		for (const room of body.rooms) {
			for (const key of Object.keys(room)) expect(ROOM_FIELDS).toContain(key);
			expect(ROOM_STATUSES).toContain(room.status);
		}
		// Where the sandbox and the documented example show the same field, its JSON type agrees.
		expect(shape(common(body, ITINERARY_200))).toEqual(shape(common(ITINERARY_200, body)));
		// What Simplify totals is there.
		expect(
			(body.rooms[0] as { rate: { pricing: { totals: { inclusive: unknown } } } }).rate.pricing
				.totals.inclusive,
		).toEqual({ billable_currency: { value: expect.any(String), currency: expect.any(String) } });
	});

	it('answers an unknown booking with the documented 404 body', async () => {
		const reply = await rapidCall<RapidErrorBody>(
			sb,
			'GET',
			'/v3/itineraries/8999989898988?email=smith%40example.com',
			{ headers: IP },
		);
		expect(reply.status).toBe(404);
		expect(reply.body).toEqual(ITINERARY_404);
	});

	it('answers a token (it hands out no links) with the documented 400 body', async () => {
		const reply = await rapidCall<RapidErrorBody>(
			sb,
			'GET',
			'/v3/itineraries/8999989898988?token=MY5S3j36cOcL',
			{ headers: IP },
		);
		expect([reply.status, reply.body]).toEqual([400, ITINERARY_400]);
	});

	it('answers a bad signature with the documented 401 type, message and fields', async () => {
		const { path } = await pushedBooking();
		const reply = await rapidCall<RapidErrorBody>(sb, 'GET', path, {
			headers: IP,
			sharedSecret: 'wrong',
		});
		expect(reply.status).toBe(401);
		expect([reply.body.type, reply.body.message]).toEqual([
			UNAUTHENTICATED_401.type,
			UNAUTHENTICATED_401.message,
		]);
		expect(reply.body.fields?.map((f) => f.name)).toEqual(
			UNAUTHENTICATED_401.fields.map((f) => f.name),
		);
	});

	it.each(DOCUMENTED.filter(([status]) => ![400, 401, 404].includes(status)))(
		'answers an HTTP %d fault on this path with the documented body',
		async (status, body) => {
			const { path } = await pushedBooking();
			sb.faults.add({ route: 'rapid.getItinerary', kind: 'http', status, times: 1 });
			const reply = await rapidCall<RapidErrorBody>(sb, 'GET', path, { headers: IP });
			expect([reply.status, reply.body]).toEqual([status, body]);
		},
	);
});
