import { sleep } from 'n8n-workflow';

import { parseAuthorizationHeader } from '../../nodes/ExpediaRapid/signature';
import { RAPID_RETRIES, rapidApiRequest } from '../../nodes/ExpediaRapid/transport';
import { describeClockSkew } from '../../nodes/ExpediaRapid/transport/errors';
import {
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	startSandbox,
	type Sandbox,
} from '../../dev/sandbox';
import { createExecuteContext, transportTestNode } from '../helpers/n8n';
import { expectApiError } from '../helpers/errors';
import type { ShortSleep } from '../helpers/shortSleep';

// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0 });
});
afterAll(async () => await sb.close());
afterEach(() => sb.faults.clear());

const context = (sharedSecret = DEFAULT_RAPID_SHARED_SECRET) =>
	createExecuteContext({
		nodeType: transportTestNode,
		requestLimits: { timeoutMs: 500 },
		credentials: {
			expediaRapidApi: {
				environment: 'custom',
				baseUrl: sb.url,
				apiKey: DEFAULT_RAPID_API_KEY,
				sharedSecret,
			},
		},
	});

const DRAINING = 'Reading undeliverable notifications';
const drainOnce = async (secret?: string) =>
	await rapidApiRequest.call(context(secret), DRAINING, 'GET', '/v3/notifications', {
		qs: { undeliverable: true },
	});

const drainCalls = () => sb.requests.filter((r) => r.route === 'rapid.getUndeliverable').length;

describe('Rapid transport against the sandbox', () => {
	it('signs every request afresh and returns the body', async () => {
		sb.rapid.enqueueUndeliverable(3);
		const before = sb.requests.length;
		const response = await drainOnce();
		expect(response.statusCode).toBe(200);
		expect(response.body).toHaveLength(3);
		const header = sb.requests[before].headers.authorization;
		const parsed = parseAuthorizationHeader(header);
		expect(parsed.ok && parsed.parts.apiKey).toBe(DEFAULT_RAPID_API_KEY);
		expect(sb.requests[before].headers['user-agent']).toContain('n8n-nodes-travel-ops');
	});

	it('maps a 401 into a readable error with both clocks, never the secret', async () => {
		const error = await expectApiError(drainOnce('not-the-secret'));
		expect(error.httpCode).toBe('401');
		expect(error.message).toMatch(/answered 401/);
		expect(error.description).toMatch(/Rapid's clock reads .* this machine's reads/);
		expect(JSON.stringify(error)).not.toContain('not-the-secret');
		expect(JSON.stringify(error)).not.toContain(DEFAULT_RAPID_SHARED_SECRET);
	});

	it('maps a 400 error body with its fields', async () => {
		const error = await expectApiError(
			rapidApiRequest.call(
				context(),
				'Requesting a test notification',
				'POST',
				'/v3/notifications',
				{
					body: { event_type: 'no.such.type' },
				},
			),
		);
		expect(error.httpCode).toBe('400');
		expect(error.message).toMatch(/invalid_input/);
		expect(error.description).toMatch(/event_type/);
	});

	it('returns 204 for a test notification request', async () => {
		const response = await rapidApiRequest.call(
			context(),
			'Requesting a test notification',
			'POST',
			'/v3/notifications',
			{
				body: { event_type: 'itinerary.agent.create' },
			},
		);
		expect(response.statusCode).toBe(204);
	});

	it.each([429, 500, 503])('retries HTTP %d and then succeeds', async (status) => {
		// A 429 says when Rapid's capacity returns: now, here.
		const fault = { kind: 'http', status, times: 2, retryAfterSeconds: 0 } as const;
		sb.faults.add({ route: 'rapid.getUndeliverable', ...fault });
		const before = drainCalls();
		expect((await drainOnce()).statusCode).toBe(200);
		expect(drainCalls() - before).toBe(3);
	});

	it('HTTP 429: waits until the capacity reset Rapid announces, not the shorter backoff', async () => {
		sb.faults.add({
			route: 'rapid.getUndeliverable',
			kind: 'http',
			status: 429,
			retryAfterSeconds: 20,
			times: 1,
		});
		const slept = jest.mocked(sleep).mock.calls.length;
		expect((await drainOnce()).statusCode).toBe(200);
		const waits = jest
			.mocked(sleep)
			.mock.calls.slice(slept)
			.map(([ms]) => ms);
		// The reset is 20 s after the sandbox answered; a little of it passed before the wait began.
		expect(waits).toHaveLength(1);
		expect(waits[0]).toBeGreaterThan(18000);
		expect(waits[0]).toBeLessThanOrEqual(20000);
	});

	it('gives up after the retries of its table with the status in the error', async () => {
		sb.faults.add({ route: 'rapid.getUndeliverable', kind: 'http', status: 503 });
		const before = drainCalls();
		const error = await expectApiError(drainOnce());
		expect(error.httpCode).toBe('503');
		expect(error.message).toContain(`after ${RAPID_RETRIES.backOff + 1} attempts`);
		expect(drainCalls() - before).toBe(RAPID_RETRIES.backOff + 1);
	});

	it('reports a timeout as a network failure', async () => {
		sb.faults.add({ route: 'rapid.getUndeliverable', kind: 'timeout' });
		const error = await expectApiError(drainOnce());
		expect(error.message).toMatch(/Could not reach Rapid/);
	});

	it('hands back a malformed body as text rather than failing', async () => {
		sb.faults.add({ route: 'rapid.getUndeliverable', kind: 'malformed-json', times: 1 });
		const response = await drainOnce();
		expect(typeof response.body).toBe('string');
	});
});

describe('describeClockSkew', () => {
	it('shows how far apart the clocks are', () => {
		const text = describeClockSkew(
			{ fields: [{ name: 'servertimestamp', type: 'server', value: '1700000000' }] },
			1700000420 * 1000,
		);
		expect(text).toContain('+420 s');
		expect(text).toContain('2023-11-14T22:13:20.000Z');
	});

	it('says nothing without a server timestamp', () => {
		expect(describeClockSkew({ fields: [] })).toBeUndefined();
	});
});
