/**
 * What the sandbox sends: Atlas callbacks (best effort, one POST) and Rapid notifications (signed,
 * retried on Rapid's schedule, then undeliverable). Retries run with a tiny time scale.
 */
import {
	parseAuthorizationHeader,
	verifyAuthorizationHeader,
} from '../../nodes/ExpediaRapid/signature';
import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	RAPID_RETRY_DELAYS_MS,
	startSandbox,
	type Sandbox,
} from '../../dev/sandbox';
import { DOCUMENTED_CALLBACKS } from '../atlas/documentedCallbacks';
import { startReceiver, type ReceivedRequest, type Receiver } from '../helpers/receiver';
import { drain, rapidCall } from './http';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let sb: Sandbox;
const receivers: Receiver[] = [];
beforeAll(async () => {
	// 12 hours become about 43 ms: the whole 7-day schedule takes well under a second.
	sb = await startSandbox({ port: 0, incidentCount: 20, rapid: { retryTimeScale: 1e-6 } });
});
afterAll(async () => {
	await sb.close();
	await Promise.all(receivers.map(async (r) => await r.close()));
});

async function receiver(...args: Parameters<typeof startReceiver>) {
	const r = await startReceiver(...args);
	receivers.push(r);
	return r;
}

const verifies = (request: ReceivedRequest) =>
	verifyAuthorizationHeader(request.headers.authorization, {
		apiKey: DEFAULT_RAPID_API_KEY,
		sharedSecret: DEFAULT_RAPID_SHARED_SECRET,
	}).ok;

describe('Atlas callbacks', () => {
	it('has a sample of every documented type, in the documented shape', () => {
		expect(sb.atlas.eventTypes).toEqual(
			expect.arrayContaining([
				'order.ticketed',
				'order.schedulechange',
				'airline.status',
				'email.all',
			]),
		);
		for (const type of sb.atlas.eventTypes) {
			const event = sb.atlas.sampleEvent(type);
			expect(event).toMatchObject({ type, data: expect.any(Object) });
		}
	});

	// Source of each sample: test/atlas/documentedCallbacks.ts (atlas-doc/atlas-api-docs).
	it.each(DOCUMENTED_CALLBACKS.map((sample) => [sample.name, sample] as const))(
		'%s: cid and status as the documented sample shows them',
		(_name, { payload }) => {
			const event = sb.atlas.sampleEvent(String(payload.type));
			if (payload.cid === undefined) expect(event).not.toHaveProperty('cid');
			else expect(event.cid).toBe(DEFAULT_ATLAS_CLIENT_ID);
			if (payload.status === undefined) expect(event).not.toHaveProperty('status');
			else expect(event.status).toBe(payload.status);
		},
	);

	it('gives the email and incident types a notificationId, the others none', () => {
		for (const type of [
			'order.schedulechange',
			'email.schedulechange',
			'abnormal.cancelled',
			'email.all',
		]) {
			expect(sb.atlas.sampleEvent(type).notificationId).toEqual(expect.any(String));
		}
		expect(sb.atlas.sampleEvent('order.ticketed')).not.toHaveProperty('notificationId');
	});

	it('refers to orders from the incident store', () => {
		const event = sb.atlas.sampleEvent('order.schedulechange') as { data: { orderNo: string } };
		expect(sb.atlas.incidents.map((i) => i.orderNo)).toContain(event.data.orderNo);
	});

	it('merges overrides into nested objects and removes undefined fields', () => {
		const event = sb.atlas.sampleEvent('order.void', {
			status: 1,
			data: { orderNo: 'TO1', message: undefined },
		});
		expect(event).toMatchObject({ status: 1, data: { orderNo: 'TO1', voidStatus: 2 } });
		expect(event.data).not.toHaveProperty('message');
	});

	it('gives unknown types the common shape', () => {
		expect(sb.atlas.sampleEvent('order.somethingNew')).toEqual({
			cid: DEFAULT_ATLAS_CLIENT_ID,
			type: 'order.somethingNew',
			notificationId: expect.any(String),
			status: 0,
			data: { orderNo: expect.any(String) },
		});
	});

	it('POSTs one JSON callback to the registered URL', async () => {
		const hook = await receiver();
		await fetch(`${sb.url}/updateWebhookURL.do`, {
			method: 'POST',
			headers: {
				'x-atlas-client-id': DEFAULT_ATLAS_CLIENT_ID,
				'x-atlas-client-secret': DEFAULT_ATLAS_CLIENT_SECRET,
			},
			body: JSON.stringify({ url: hook.url }),
		});
		const result = await sb.atlas.push('order.ticketed', { data: { orderNo: 'TO42' } });
		expect(result).toMatchObject({ status: 200, body: 'ok', durationMs: expect.any(Number) });
		const [request] = await hook.waitFor(1);
		expect(request.method).toBe('POST');
		expect(request.headers['content-type']).toBe('application/json;charset=UTF-8');
		expect(request.headers.authorization).toBeUndefined();
		expect(request.json).toMatchObject({ type: 'order.ticketed', data: { orderNo: 'TO42' } });
	});

	it('does not retry a failed callback (best effort)', async () => {
		const hook = await receiver((i) => (i === 0 ? 500 : 200));
		expect((await sb.atlas.push('order.void', {}, { url: hook.url })).status).toBe(500);
		expect((await sb.atlas.push('order.void', {}, { url: hook.url })).status).toBe(200);
		expect(hook.received).toHaveLength(2);
	});

	it('reports a push with nowhere to go', async () => {
		const bare = await startSandbox({ port: 0, incidentCount: 0 });
		const result = await bare.atlas.push('order.ticketed');
		await bare.close();
		expect(result).toMatchObject({ status: 0, error: expect.any(String) });
	});
});

describe('Rapid pushes', () => {
	it('gives every sample a fresh event_id and applies overrides', () => {
		const a = sb.rapid.sampleNotification('itinerary.agent.create');
		const b = sb.rapid.sampleNotification('itinerary.agent.create', { itinerary_id: '1' });
		expect(a.event_id).not.toBe(b.event_id);
		expect(b.itinerary_id).toBe('1');
		expect(sb.rapid.sampleNotification('itinerary.supplier.confirm').rooms).toEqual(
			expect.arrayContaining([
				{ confirmation_id: expect.objectContaining({ expedia: expect.any(String) }) },
			]),
		);
	});

	it('signs a push with a header that verifies, body as given', async () => {
		const hook = await receiver();
		const notification = sb.rapid.sampleNotification('itinerary.agent.cancel');
		const result = await sb.rapid.push(notification, { url: hook.url });
		expect(result.status).toBe(200);
		const [request] = await hook.waitFor(1);
		expect(verifies(request)).toBe(true);
		expect(request.headers['content-type']).toBe('application/json');
		expect(request.json).toEqual(notification);
	});

	it('signs with a given timestamp, or sends a given header as is', async () => {
		const hook = await receiver();
		const notification = sb.rapid.sampleNotification('itinerary.agent.cancel');
		await sb.rapid.push(notification, { url: hook.url, timestamp: 1700000000 });
		await sb.rapid.push(notification, { url: hook.url, authorization: 'EAN forged' });
		const [signed, forged] = await hook.waitFor(2);
		const parsed = parseAuthorizationHeader(signed.headers.authorization);
		expect(parsed.ok && parsed.parts.timestamp).toBe(1700000000);
		expect(forged.headers.authorization).toBe('EAN forged');
	});

	it('delivers a test notification after POST /v3/notifications answers 204', async () => {
		const hook = await receiver();
		sb.rapid.setCallbackUrl(hook.url);
		const reply = await rapidCall(sb, 'POST', '/v3/notifications', {
			body: { event_type: 'itinerary.supplier.confirm' },
		});
		expect(reply.status).toBe(204);
		const [request] = await hook.waitFor(1);
		expect(request.json).toMatchObject({
			event_type: 'itinerary.supplier.confirm',
			rooms: expect.any(Array),
		});
		expect(verifies(request)).toBe(true);
	});
});

describe('Rapid retry schedule', () => {
	it('is 5 minutes, 1 hour, then 14 times 12 hours: 17 attempts in all', () => {
		expect(RAPID_RETRY_DELAYS_MS).toEqual([5 * MINUTE, HOUR, ...Array(14).fill(12 * HOUR)]);
		expect(1 + RAPID_RETRY_DELAYS_MS.length).toBe(17);
	});

	it('retries a failing endpoint with the same event_id and body until it accepts', async () => {
		const hook = await receiver((i) => (i < 2 ? 503 : 200));
		sb.rapid.setCallbackUrl(hook.url);
		const notification = sb.rapid.sampleNotification('itinerary.agent.change');
		const delivery = await sb.rapid.deliver(notification);
		expect(delivery.attempts[0].status).toBe(503);
		expect(await delivery.done).toBe('delivered');
		expect(delivery.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
		expect(hook.received).toHaveLength(3);
		expect(new Set(hook.received.map((r) => r.body)).size).toBe(1);
		expect(
			hook.received.every(
				(r) => (r.json as { event_id: string }).event_id === notification.event_id,
			),
		).toBe(true);
		expect(hook.received.every(verifies)).toBe(true);
	});

	it('moves a notification to the undeliverable queue after 1 + 16 failed attempts', async () => {
		const hook = await receiver(() => 500);
		sb.rapid.setCallbackUrl(hook.url);
		const notification = sb.rapid.sampleNotification('itinerary.supplier.cancel');
		const delivery = await sb.rapid.deliver(notification);
		expect(await delivery.done).toBe('undeliverable');
		expect(delivery.attempts).toHaveLength(17);
		expect(hook.received).toHaveLength(17);
		expect(hook.received.every(verifies)).toBe(true);
		expect(sb.rapid.undeliverable).toEqual([notification]);
		expect((await drain(sb)).body).toEqual([notification]);
		expect((await drain(sb)).body).toEqual([]);
	});

	it('counts an unreachable endpoint as a failed attempt', async () => {
		sb.rapid.setCallbackUrl(undefined);
		const delivery = await sb.rapid.deliver(sb.rapid.sampleNotification('itinerary.fraud.cancel'));
		expect(await delivery.done).toBe('undeliverable');
		expect(delivery.attempts[0]).toMatchObject({ status: 0, error: expect.any(String) });
		sb.rapid.undeliverable.length = 0;
	});

	it('cancels pending retries on close', async () => {
		const hook = await receiver(() => 500);
		const realTime = await startSandbox({
			port: 0,
			incidentCount: 0,
			rapid: { callbackUrl: hook.url },
		});
		const delivery = await realTime.rapid.deliver(
			realTime.rapid.sampleNotification('itinerary.agent.create'),
		);
		expect(delivery.attempts).toHaveLength(1);
		await realTime.close();
		expect(await delivery.done).toBe('cancelled');
		expect(realTime.rapid.undeliverable).toHaveLength(0);
	});
});
