/**
 * The sandbox's Rapid API over real HTTP: the signature window, 401 bodies, the undeliverable queue
 * and test-notification requests. The sandbox's clock is pinned so the window edges are exact.
 */
import { buildAuthorizationHeader } from '../../nodes/ExpediaRapid/signature';
import {
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	startSandbox,
	type Sandbox,
} from '../../dev/sandbox';
import { rapidCall, type RapidErrorBody } from './http';

const NOW = 1717200000; // the sandbox's clock, Unix seconds
let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, incidentCount: 0, clock: () => NOW * 1000 });
});
afterAll(async () => await sb.close());
afterEach(() => {
	sb.rapid.undeliverable.length = 0;
});

const field = (body: RapidErrorBody, name: string) => body.fields?.find((f) => f.name === name);

describe('Rapid signature check', () => {
	it.each([-300, -299, 0, 299, 300])(
		'accepts a signature %i s from the server clock',
		async (skew) => {
			const reply = await rapidCall(sb, 'GET', '/v3/notifications?undeliverable=true', {
				timestamp: NOW + skew,
			});
			expect(reply.status).toBe(200);
		},
	);

	it.each([-301, 301])('refuses a signature %i s away, showing both clocks', async (skew) => {
		sb.rapid.enqueueUndeliverable(1);
		const reply = await rapidCall<RapidErrorBody>(
			sb,
			'GET',
			'/v3/notifications?undeliverable=true',
			{
				timestamp: NOW + skew,
			},
		);
		expect(reply.status).toBe(401);
		expect(reply.body.type).toBe('request_unauthenticated');
		expect(reply.body.fields).toEqual([
			{ name: 'apikey', type: 'header', value: DEFAULT_RAPID_API_KEY },
			{ name: 'signature', type: 'header', value: expect.stringMatching(/^[0-9a-f]{128}$/) },
			{ name: 'timestamp', type: 'header', value: String(NOW + skew) },
			{ name: 'servertimestamp', type: 'server', value: String(NOW) },
		]);
		expect(reply.headers.get('x-sandbox-auth-failure')).toBe('timestamp_out_of_tolerance');
		expect(sb.rapid.undeliverable).toHaveLength(1);
	});

	it.each([
		['a wrong API key', { apiKey: 'other-key' }, 'wrong_api_key'],
		['a wrong shared secret', { sharedSecret: 'other-secret' }, 'bad_signature'],
		['no Authorization header', { authorization: null }, 'missing_header'],
		['a malformed header', { authorization: 'Bearer abc' }, 'malformed_header'],
	])('refuses %s with 401', async (_name, options, reason) => {
		const reply = await rapidCall<RapidErrorBody>(
			sb,
			'GET',
			'/v3/notifications?undeliverable=true',
			{
				timestamp: NOW,
				...options,
			},
		);
		expect(reply.status).toBe(401);
		expect(reply.body.type).toBe('request_unauthenticated');
		expect(reply.headers.get('x-sandbox-auth-failure')).toBe(reason);
		expect(field(reply.body, 'servertimestamp')?.value).toBe(String(NOW));
		expect(JSON.stringify(reply.body)).not.toContain(DEFAULT_RAPID_SHARED_SECRET);
	});

	it('echoes the API key it was given, or an empty value without a header', async () => {
		const wrong = await rapidCall<RapidErrorBody>(
			sb,
			'GET',
			'/v3/notifications?undeliverable=true',
			{
				apiKey: 'other-key',
				timestamp: NOW,
			},
		);
		expect(field(wrong.body, 'apikey')?.value).toBe('other-key');
		const none = await rapidCall<RapidErrorBody>(
			sb,
			'GET',
			'/v3/notifications?undeliverable=true',
			{
				authorization: null,
			},
		);
		expect(field(none.body, 'apikey')?.value).toBe('');
		expect(field(none.body, 'timestamp')?.value).toBe('');
	});

	it('checks the signature before the body (401 wins over 400)', async () => {
		const reply = await rapidCall(sb, 'POST', '/v3/notifications', {
			body: { event_type: 'no.such.type' },
			sharedSecret: 'wrong',
			timestamp: NOW,
		});
		expect(reply.status).toBe(401);
	});

	it('accepts the header scheme and names in any case', async () => {
		const header = buildAuthorizationHeader(DEFAULT_RAPID_API_KEY, DEFAULT_RAPID_SHARED_SECRET, NOW)
			.replace('EAN', 'ean')
			.replace('APIKey', 'apikey');
		const reply = await rapidCall(sb, 'GET', '/v3/notifications?undeliverable=true', {
			authorization: header,
		});
		expect(reply.status).toBe(200);
	});
});

describe('Rapid undeliverable queue', () => {
	const signedDrain = async () =>
		await rapidCall<Array<{ event_id: string }>>(
			sb,
			'GET',
			'/v3/notifications?undeliverable=true',
			{
				timestamp: NOW,
			},
		);

	it.each([
		[0, [0]],
		[1, [1, 0]],
		[25, [25, 0]],
		[26, [25, 1, 0]],
	])('with %i queued, successive calls return %j, each message once', async (queued, sizes) => {
		sb.rapid.enqueueUndeliverable(queued);
		const expected = sb.rapid.undeliverable.map((n) => (n as { event_id: string }).event_id);
		const returned: string[] = [];
		for (const size of sizes) {
			const reply = await signedDrain();
			expect(reply.status).toBe(200);
			expect(reply.body).toHaveLength(size);
			returned.push(...reply.body.map((n) => n.event_id));
		}
		expect(returned).toEqual(expected);
		expect(new Set(returned).size).toBe(queued);
	});

	it('returns queued notifications exactly as they were queued', async () => {
		const custom = {
			event_id: 'custom-1',
			event_type: 'itinerary.agent.change',
			topic_tags: ['x'],
		};
		sb.rapid.enqueueUndeliverable([custom]);
		expect((await signedDrain()).body).toEqual([custom]);
	});

	it.each([
		['without undeliverable', '/v3/notifications'],
		['with undeliverable=false', '/v3/notifications?undeliverable=false'],
	])('answers 400 invalid_input %s, consuming nothing', async (_name, path) => {
		sb.rapid.enqueueUndeliverable(2);
		const reply = await rapidCall<RapidErrorBody>(sb, 'GET', path, { timestamp: NOW });
		expect(reply.status).toBe(400);
		expect(reply.body.type).toBe('invalid_input');
		expect(reply.body.errors?.[0].fields?.[0]).toMatchObject({
			name: 'undeliverable',
			type: 'querystring',
		});
		expect(sb.rapid.undeliverable).toHaveLength(2);
	});

	it('generated notifications follow the documented schema', () => {
		sb.rapid.enqueueUndeliverable(sb.rapid.eventTypes.length);
		sb.rapid.undeliverable.forEach((notification, i) => {
			expect(notification).toMatchObject({
				event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
				event_type: sb.rapid.eventTypes[i],
				event_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/),
				itinerary_id: expect.stringMatching(/^\d+$/),
				email: expect.stringContaining('@'),
				message: expect.any(String),
				affiliate_reference_id: expect.any(String),
			});
		});
	});
});

describe('Rapid test notifications', () => {
	it('answers 204 for every supported type and records the optional parameters', async () => {
		for (const eventType of sb.rapid.eventTypes) {
			const reply = await rapidCall(
				sb,
				'POST',
				'/v3/notifications?billing_terms=BT&platform_name=n8n',
				{
					body: { event_type: eventType },
					timestamp: NOW,
				},
			);
			expect(reply.status).toBe(204);
		}
		expect(sb.rapid.testRequests.map((r) => r.eventType)).toEqual(sb.rapid.eventTypes);
		expect(sb.rapid.testRequests[0].params).toEqual({ billing_terms: 'BT', platform_name: 'n8n' });
	});

	it('knows all eleven notification types, payment_verification.failure included', () => {
		expect(sb.rapid.eventTypes).toHaveLength(11);
		expect(sb.rapid.eventTypes).toContain('itinerary.payment_verification.failure');
	});

	it.each([
		['an unsupported type', { event_type: 'no.such.type' }],
		['no type', {}],
	])('answers 400 invalid_input for %s', async (_name, body) => {
		const before = sb.rapid.testRequests.length;
		const reply = await rapidCall<RapidErrorBody>(sb, 'POST', '/v3/notifications', {
			body,
			timestamp: NOW,
		});
		expect(reply.status).toBe(400);
		expect(reply.body).toEqual({
			type: 'invalid_input',
			message: expect.any(String),
			errors: [
				{
					type: 'event_type.not_supported',
					message: expect.any(String),
					fields: [{ name: 'event_type', type: 'path' }],
				},
			],
		});
		expect(sb.rapid.testRequests).toHaveLength(before);
	});
});

describe('Rapid unknown routes', () => {
	it.each([
		['GET', '/v3/itineraries'],
		['POST', '/v3/notifications/extra'],
	] as const)('%s %s answers 404 resource_not_found', async (method, path) => {
		const reply = await rapidCall<RapidErrorBody>(sb, method, path, { timestamp: NOW });
		expect(reply.status).toBe(404);
		expect(reply.body.type).toBe('resource_not_found');
	});
});
