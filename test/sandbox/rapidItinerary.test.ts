/**
 * The sandbox's Retrieve Booking (GET /v3/itineraries/{itinerary_id}?email=): the bookings behind
 * the notifications it pushes or queues, in the documented shape, signed like every Rapid path.
 */
import { startSandbox, type Sandbox } from '../../dev/sandbox';
import { rapidCall, type RapidErrorBody } from './http';
import { ITINERARY_404, ROOM_STATUSES } from '../rapid/itinerary.fixtures';

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, incidentCount: 0 });
});
afterAll(async () => await sb.close());
afterEach(() => sb.faults.clear());

const IP = { 'Customer-Ip': '127.0.0.1' };

type Room = { status: string; confirmation_id: { expedia?: string; property?: string } };
type Body = { itinerary_id: string; email: string; rooms: Room[] } & Record<string, unknown>;

const retrieve = async (id: string, email: string, headers: Record<string, string> = IP) =>
	await rapidCall<Body & RapidErrorBody>(
		sb,
		'GET',
		`/v3/itineraries/${encodeURIComponent(id)}?email=${encodeURIComponent(email)}`,
		{ headers },
	);

/** Pushes a notification to the sandbox's own catcher: the booking is what Rapid knows of it. */
async function pushed(type: string, overrides?: object) {
	const notification = sb.rapid.sampleNotification(type, overrides);
	await sb.rapid.push(notification, { url: `${sb.url}/_catcher/rapid` });
	return notification as { itinerary_id: string; email: string; rooms?: Room[] };
}

describe('Sandbox Rapid: Retrieve Booking', () => {
	it('finds the booking of a pushed notification by its itinerary ID and email', async () => {
		const { itinerary_id: id, email } = await pushed('itinerary.agent.create');
		const reply = await retrieve(id, email);
		expect(reply.status).toBe(200);
		expect(reply.body.itinerary_id).toBe(id);
		expect(reply.body.email).toBe(email);
		expect(reply.body.rooms.length).toBeGreaterThan(0);
		for (const room of reply.body.rooms) expect(room.status).toBe('booked');
		expect(reply.body).toEqual(sb.rapid.itinerary(id));
	});

	it('matches the email in any case, and one with a plus sign sent encoded', async () => {
		const { itinerary_id: id } = await pushed('itinerary.agent.create', {
			email: 'Ops+Desk@Example.com',
		});
		expect((await retrieve(id, 'ops+desk@example.com')).status).toBe(200);
		// Unencoded, "+" reads as a space: not the booking's email.
		const raw = await rapidCall(sb, 'GET', `/v3/itineraries/${id}?email=ops+desk@example.com`, {
			headers: IP,
		});
		expect(raw.status).toBe(404);
	});

	it('reads a booking canceled by a notification as canceled, whatever order they arrived in', async () => {
		const cancel = await pushed('itinerary.supplier.cancel');
		await pushed('itinerary.agent.change', {
			itinerary_id: cancel.itinerary_id,
			email: cancel.email,
			event_time: '2000-01-01T00:00:00.000Z',
		});
		const reply = await retrieve(cancel.itinerary_id, cancel.email);
		expect(reply.body.rooms.map((room) => room.status)).toEqual(
			reply.body.rooms.map(() => 'canceled'),
		);
	});

	it.each(['itinerary.agent.cancel', 'itinerary.fraud.cancel'])(
		'cancels every room after %s pushed for a booked itinerary',
		async (type) => {
			const create = await pushed('itinerary.agent.create');
			expect((await retrieve(create.itinerary_id, create.email)).body.rooms[0].status).toBe(
				'booked',
			);
			await pushed(type, { itinerary_id: create.itinerary_id, email: create.email });
			const { rooms } = (await retrieve(create.itinerary_id, create.email)).body;
			expect(new Set(rooms.map((room) => room.status))).toEqual(new Set(['canceled']));
		},
	);

	it("carries a supplier confirmation's confirmation IDs on the rooms", async () => {
		const confirm = await pushed('itinerary.supplier.confirm');
		const { rooms } = (await retrieve(confirm.itinerary_id, confirm.email)).body;
		expect(rooms.map((room) => room.confirmation_id)).toEqual(
			confirm.rooms?.map((room) => room.confirmation_id),
		);
		for (const room of rooms) expect(ROOM_STATUSES).toContain(room.status);
	});

	it('finds the bookings of queued undeliverable notifications too', async () => {
		sb.rapid.enqueueUndeliverable(3);
		for (const n of sb.rapid.undeliverable as Array<{ itinerary_id: string; email: string }>) {
			expect((await retrieve(n.itinerary_id, n.email)).status).toBe(200);
		}
		sb.rapid.undeliverable.length = 0;
	});

	it('does not know the booking of a notification that was only sampled, never sent', async () => {
		const sample = sb.rapid.sampleNotification('itinerary.agent.create') as Body;
		const reply = await retrieve(sample.itinerary_id, sample.email);
		expect(reply.status).toBe(404);
	});

	it('answers an unknown itinerary or a wrong email with the documented 404', async () => {
		const { itinerary_id: id } = await pushed('itinerary.agent.create');
		for (const reply of [
			await retrieve('1000000000000', 'someone@example.com'),
			await retrieve(id, 'someone-else@example.com'),
		]) {
			expect(reply.status).toBe(404);
			expect(reply.body).toEqual(ITINERARY_404);
		}
	});

	it('refuses a request without Customer-Ip, without email, or with a token, in the 400 shape', async () => {
		const { itinerary_id: id, email } = await pushed('itinerary.agent.create');
		const noIp = await retrieve(id, email, {});
		const noEmail = await rapidCall<RapidErrorBody>(sb, 'GET', `/v3/itineraries/${id}`, {
			headers: IP,
		});
		const token = await rapidCall<RapidErrorBody>(sb, 'GET', `/v3/itineraries/${id}?token=abc`, {
			headers: IP,
		});
		expect(
			[noIp, noEmail, token].map((r) => [r.status, r.body.type, r.body.errors?.[0].type]),
		).toEqual([
			[400, 'invalid_input', 'customer_ip.required'],
			[400, 'invalid_input', 'email.required'],
			[400, 'invalid_input', 'link.invalid'],
		]);
	});

	it('checks the signature like every Rapid path', async () => {
		const { itinerary_id: id, email } = await pushed('itinerary.agent.create');
		const path = `/v3/itineraries/${id}?email=${encodeURIComponent(email)}`;
		const forged = await rapidCall<RapidErrorBody>(sb, 'GET', path, {
			headers: IP,
			sharedSecret: 'wrong',
		});
		const unsigned = await rapidCall<RapidErrorBody>(sb, 'GET', path, {
			headers: IP,
			authorization: null,
		});
		expect([forged.status, unsigned.status]).toEqual([401, 401]);
		expect(forged.body.type).toBe('request_unauthenticated');
		expect(JSON.stringify(forged.body)).not.toContain(email);
	});

	it('serves no deeper path under an itinerary, and routes faults to this path by name', async () => {
		const { itinerary_id: id, email } = await pushed('itinerary.agent.create');
		const deeper = await rapidCall(sb, 'GET', `/v3/itineraries/${id}/rooms/1?email=${email}`, {
			headers: IP,
		});
		expect(sb.requests[sb.requests.length - 1].route).toBe('unknown');
		expect(deeper.status).toBe(404);
		sb.faults.add({ route: 'rapid.getItinerary', kind: 'http', status: 503, times: 1 });
		expect((await retrieve(id, email)).status).toBe(503);
		expect((await retrieve(id, email)).status).toBe(200);
	});
});
