/** The admin API (used by the CLI and by end-to-end tests in other processes), and data generation. */
import { verifyAuthorizationHeader } from '../../nodes/ExpediaRapid/signature';
import {
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	startSandbox,
	type Sandbox,
} from '../../dev/sandbox';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { adminCall, atlasCall, drain } from './http';

interface State {
	requests: number;
	faults: unknown[];
	atlas: { incidents: number; webhookUrl: string | null; registrations: number };
	rapid: { callbackUrl: string | null; undeliverable: number; pendingDeliveries: number };
}

let sb: Sandbox;
let hook: Receiver;
beforeAll(async () => {
	hook = await startReceiver();
	sb = await startSandbox({ port: 0, incidentCount: 12, atlasWebhookUrl: hook.url });
});
afterAll(async () => {
	await sb.close();
	await hook.close();
});

describe('admin API', () => {
	it('reports state, without counting admin calls as provider requests', async () => {
		const { status, body } = await adminCall<State>(sb, 'GET', 'state');
		expect(status).toBe(200);
		expect(body).toMatchObject({
			requests: 0,
			faults: [],
			atlas: { incidents: 12, webhookUrl: hook.url, registrations: 0 },
			rapid: { callbackUrl: null, undeliverable: 0, pendingDeliveries: 0 },
		});
		expect(sb.requests).toHaveLength(0);
	});

	it('pushes an Atlas callback to the webhook URL', async () => {
		const { body } = await adminCall<{ status: number }>(sb, 'POST', 'atlas/push', {
			type: 'order.schedulechange',
			overrides: { status: 1 },
		});
		expect(body.status).toBe(200);
		const received = await hook.waitFor(1);
		expect(received[received.length - 1].json).toMatchObject({
			type: 'order.schedulechange',
			status: 1,
		});
	});

	it('sets the Rapid callback URL, then delivers and pushes signed notifications', async () => {
		const put = await adminCall<{ callbackUrl: string }>(sb, 'PUT', 'rapid/callback', {
			url: hook.url,
		});
		expect(put.body.callbackUrl).toBe(hook.url);
		const before = hook.received.length;

		const deliver = await adminCall<{ firstAttempt: { status: number }; retrying: boolean }>(
			sb,
			'POST',
			'rapid/deliver',
			{ type: 'itinerary.agent.cancel' },
		);
		expect(deliver.status).toBe(202);
		expect(deliver.body).toMatchObject({ firstAttempt: { status: 200 }, retrying: false });

		const push = await adminCall<{ status: number }>(sb, 'POST', 'rapid/push', {
			notification: { event_id: 'e-1', event_type: 'itinerary.brand.new' },
		});
		expect(push.body.status).toBe(200);

		const [delivered, pushed] = (await hook.waitFor(before + 2)).slice(before);
		expect(delivered.json).toMatchObject({ event_type: 'itinerary.agent.cancel' });
		expect(pushed.json).toEqual({ event_id: 'e-1', event_type: 'itinerary.brand.new' });
		const options = { apiKey: DEFAULT_RAPID_API_KEY, sharedSecret: DEFAULT_RAPID_SHARED_SECRET };
		expect(verifyAuthorizationHeader(delivered.headers.authorization, options).ok).toBe(true);
	});

	it('fills the undeliverable queue', async () => {
		const { body } = await adminCall<{ queued: number }>(sb, 'POST', 'rapid/undeliverable', {
			count: 30,
		});
		expect(body.queued).toBe(30);
		expect((await drain(sb)).body).toHaveLength(25);
		expect((await drain(sb)).body).toHaveLength(5);
	});

	it('adds, lists and clears faults', async () => {
		const added = await adminCall(sb, 'POST', 'faults', {
			route: 'atlas.getPageList',
			kind: 'http',
			status: 503,
			times: 1,
		});
		expect(added.status).toBe(201);
		expect((await atlasCall(sb, 'event/getPageList', { pageSize: 1 })).status).toBe(503);
		expect((await adminCall<unknown[]>(sb, 'GET', 'faults')).body).toHaveLength(1);
		await adminCall(sb, 'DELETE', 'faults');
		expect(sb.faults.list()).toEqual([]);
	});

	it('lists recorded requests with credentials redacted', async () => {
		const { body } = await adminCall<Array<{ route: string; headers: Record<string, string> }>>(
			sb,
			'GET',
			'requests?route=rapid.getUndeliverable',
		);
		expect(body.length).toBeGreaterThan(0);
		expect(body.every((r) => r.route === 'rapid.getUndeliverable')).toBe(true);
		expect(body[0].headers.authorization).toBe('[redacted]');
	});

	it.each([
		['a bad fault', 'POST', 'faults', { route: 'nope', kind: 'http' }, 400],
		['a push without type', 'POST', 'atlas/push', {}, 400],
		['a bad count', 'POST', 'rapid/undeliverable', { count: -1 }, 400],
		['an unknown admin route', 'GET', 'nothing', undefined, 404],
	])('answers %s with an error', async (_name, method, path, body, status) => {
		const reply = await adminCall<{ error: string }>(sb, method, path, body);
		expect(reply.status).toBe(status);
		expect(reply.body.error).toEqual(expect.any(String));
	});
});

describe('incident generation', () => {
	const anchor = Date.UTC(2024, 0, 15, 12);

	it('is the same for the same seed and anchor, and differs for another seed', async () => {
		const [a, b, c] = await Promise.all([
			startSandbox({ port: 0, incidentCount: 50, seed: 7, anchor }),
			startSandbox({ port: 0, incidentCount: 50, seed: 7, anchor }),
			startSandbox({ port: 0, incidentCount: 50, seed: 8, anchor }),
		]);
		await Promise.all([a.close(), b.close(), c.close()]);
		expect(a.atlas.incidents).toEqual(b.atlas.incidents);
		expect(a.atlas.incidents).not.toEqual(c.atlas.incidents);
	});

	it('places every incident in the 60 days before the anchor, in Atlas formats', async () => {
		const s = await startSandbox({ port: 0, incidentCount: 100, anchor });
		await s.close();
		const format = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
		for (const i of s.atlas.incidents) {
			expect(i.eventTime >= '2023-11-16 20:00:00' && i.eventTime <= '2024-01-15 20:00:00').toBe(
				true,
			);
			expect([i.eventTime, i.createTime, i.depTime, i.updateTime]).toEqual(
				Array(4).fill(expect.stringMatching(format)),
			);
			expect(i.createTime >= i.eventTime).toBe(true);
			expect(i.eventStatus === 1).toBe(i.confirmTime !== null);
			expect(['order.schedulechange', 'email.schedulechange', 'abnormal.cancelled']).toContain(
				i.eventType,
			);
		}
		expect(new Set(s.atlas.incidents.map((i) => i.airline)).size).toBeGreaterThan(5);
	});
});

describe('catcher', () => {
	it('records what example workflows post and lists it by name', async () => {
		const post = async (name: string, body: unknown) =>
			await fetch(`${sb.url}/_catcher/${name}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
		expect((await post('slack', { text: 'hello' })).status).toBe(200);
		expect((await post('email', { subject: 'x' })).status).toBe(200);
		const listed = (await (await fetch(`${sb.url}/_admin/caught?name=slack`)).json()) as unknown[];
		expect(listed).toEqual([expect.objectContaining({ name: 'slack', body: { text: 'hello' } })]);
		expect(sb.caught.map((c) => c.name)).toEqual(['slack', 'email']);
		expect(sb.requests.some((r) => r.path.startsWith('/_catcher'))).toBe(false);
	});
});
