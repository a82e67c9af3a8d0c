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
import { DOCUMENTED_CALLBACKS, DOCUMENTED_EMAIL_CATEGORIES } from '../atlas/documentedCallbacks';
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

type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';
const jsonType = (value: unknown): JsonType =>
	value === null
		? 'null'
		: Array.isArray(value)
			? 'array'
			: typeof value === 'object'
				? 'object'
				: (typeof value as JsonType);

/**
 * Where `actual` departs from the documented samples of the same field, one "path: problem" line
 * each: the same keys at every level (the union over the samples), values of the sample's JSON type,
 * arrays compared on their first element. A field a sample shows as null may hold anything.
 */
function shapeDifferences(actual: unknown, samples: unknown[], path: string): string[] {
	if (samples.includes(null)) return [];
	const documentedTypes = [...new Set(samples.map(jsonType))];
	const type = jsonType(actual);
	if (!documentedTypes.includes(type)) {
		return [`${path}: ${type}, documented ${documentedTypes.join(' or ')}`];
	}
	if (type === 'array') {
		const firsts = (samples as unknown[][]).filter((a) => a.length > 0).map((a) => a[0]);
		const [first] = actual as unknown[];
		return first === undefined || firsts.length === 0
			? []
			: shapeDifferences(first, firsts, `${path}[0]`);
	}
	if (type !== 'object') return [];
	const objects = samples as Array<Record<string, unknown>>;
	const record = actual as Record<string, unknown>;
	const documented = [...new Set(objects.flatMap((o) => Object.keys(o)))];
	const own = Object.keys(record);
	return [
		...documented.filter((key) => !own.includes(key)).map((key) => `${path}.${key}: missing`),
		...own
			.filter((key) => !documented.includes(key))
			.map((key) => `${path}.${key}: not documented`),
		...own
			.filter((key) => documented.includes(key))
			.flatMap((key) =>
				shapeDifferences(
					record[key],
					objects.filter((o) => key in o).map((o) => o[key]),
					`${path}.${key}`,
				),
			),
	];
}

/** The documented samples' `data`, by callback type. */
const DOCUMENTED_DATA = new Map<string, unknown[]>();
for (const { payload } of DOCUMENTED_CALLBACKS) {
	const type = String(payload.type);
	DOCUMENTED_DATA.set(type, [...(DOCUMENTED_DATA.get(type) ?? []), payload.data]);
}

/** Random fields vary between samples: look at several. */
const DRAWS = 40;

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

	it.each([...DOCUMENTED_DATA.keys()])(
		'%s: data has the documented keys and value types at every level',
		(type) => {
			const samples = DOCUMENTED_DATA.get(type) ?? [];
			for (let i = 0; i < DRAWS; i++) {
				expect(shapeDifferences(sb.atlas.sampleEvent(type).data, samples, 'data')).toEqual([]);
			}
		},
	);

	it('notices a callback that departs from the documented shape', () => {
		const samples = DOCUMENTED_DATA.get('order.cancelled') ?? [];
		const event = sb.atlas.sampleEvent('order.cancelled', {
			data: { errorCode: 604, errorMessage: undefined, extra: 'x' },
		});
		expect(shapeDifferences(event.data, samples, 'data').sort()).toEqual([
			'data.errorCode: number, documented string',
			'data.errorMessage: missing',
			'data.extra: not documented',
		]);
		const ticketed = sb.atlas.sampleEvent('order.ticketed', {
			data: { paxTicketInfos: [{ name: 'A/B', paxType: 'ADT' }] },
		});
		expect(
			shapeDifferences(ticketed.data, DOCUMENTED_DATA.get('order.ticketed') ?? [], 'data'),
		).toEqual(expect.arrayContaining(['data.paxTicketInfos[0].paxType: not documented']));
	});

	it('uses only documented values where the docs enumerate or show a format', () => {
		const pattern = (shown: unknown) => new RegExp(`^${String(shown).replace(/\d/g, '\\d')}$`);
		const [voidSample] = DOCUMENTED_DATA.get('order.void') as Array<{ voidCode: string }>;
		for (let i = 0; i < DRAWS; i++) {
			const email = sb.atlas.sampleEvent('email.all').data as { emailCategory: string };
			expect(DOCUMENTED_EMAIL_CATEGORIES).toContain(email.emailCategory);
			// The hybrid payment guide shows errorCode '604'.
			const cancelled = sb.atlas.sampleEvent('order.cancelled').data as { errorCode: string };
			expect(cancelled.errorCode).toMatch(/^\d+$/);
			// void-notification.md shows voidCode '202505-0012'.
			const voided = sb.atlas.sampleEvent('order.void').data as { voidCode: string };
			expect(voided.voidCode).toMatch(pattern(voidSample.voidCode));
		}
	});

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
