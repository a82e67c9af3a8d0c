/**
 * Rapid's documented examples (contract.fixtures.ts) run through the node and against the sandbox:
 * a change to either that departs from the published contract fails here.
 */
import { sleep } from 'n8n-workflow';

import { rapidApiRequest } from '../../nodes/ExpediaRapid/transport';
import { DEFAULT_RAPID_API_KEY, startSandbox, type Sandbox } from '../../dev/sandbox';
import { type Behaviour, type HostileServer, startHostileServer } from '../helpers/hostileServer';
import { expectApiError } from '../helpers/errors';
import { createExecuteContext, transportTestNode } from '../helpers/n8n';
import type { ShortSleep } from '../helpers/shortSleep';
import { rapidCall, type RapidErrorBody } from '../sandbox/http';
import {
	DOCUMENTED_ERRORS,
	NOTIFICATIONS_400,
	RATE_LIMIT_HEADERS,
	TOO_MANY_REQUESTS_429,
	UNAUTHENTICATED_401,
} from './contract.fixtures';

const LIMITS = { timeoutMs: 5000 };

// Backoff waits at most a few ms here and records what it was asked (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

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

const json = (status: number, body: unknown, headers?: Record<string, string>): Behaviour => ({
	kind: 'json',
	status,
	body,
	headers,
});

const call = async (method: 'GET' | 'POST', destructiveRead = false) =>
	await rapidApiRequest.call(
		createExecuteContext({
			nodeType: transportTestNode,
			requestLimits: LIMITS,
			credentials: {
				expediaRapidApi: {
					environment: 'custom',
					baseUrl: server.url,
					apiKey: 'contract-key',
					sharedSecret: 'contract-secret',
				},
			},
		}),
		method === 'GET' ? 'Reading undeliverable notifications' : 'Requesting a test notification',
		method,
		'/v3/notifications',
		method === 'GET'
			? { qs: { undeliverable: true }, destructiveRead }
			: { body: { event_type: 'itinerary.unknown' } },
	);

describe('Rapid contract: the node reads the documented error bodies', () => {
	it('shows the nested reason of the documented 400, not only "check the nested errors"', async () => {
		server.script(json(400, NOTIFICATIONS_400));
		const error = await expectApiError(call('POST'));
		expect(error.message).toContain(
			'answered 400 invalid_input: Event type is not supported. Supported event types are: [itinerary.agent.create',
		);
		expect(error.message).toContain('[event_type.not_supported]');
		expect(error.description).toContain('Reasons: Event type is not supported.');
		expect(error.description).toContain('(fields: event_type (path))');
	});

	it('lists every nested reason when Rapid gives several', async () => {
		const second = {
			type: 'b.invalid',
			message: 'B is wrong.',
			fields: [{ name: 'b', type: 'body' }],
		};
		server.script(
			json(400, { ...NOTIFICATIONS_400, errors: [...NOTIFICATIONS_400.errors, second] }),
		);
		const error = await expectApiError(call('POST'));
		expect(error.message).toMatch(/\(and 1 more\)/);
		expect(error.description).toContain('B is wrong. [b.invalid] (fields: b (body))');
	});

	// A reason Rapid gives is shown even when the rest of its entry departs from the documented shape.
	it.each([
		['fields: null', { type: 'a.invalid', message: 'A is wrong.', fields: null }, 'A is wrong.'],
		[
			'fields not a list',
			{ type: 'a.invalid', message: 'A is wrong.', fields: 'a' },
			'A is wrong.',
		],
		['a number as message', { type: 'a.invalid', message: 42 }, '42 [a.invalid]'],
		['only a type', { type: 'a.invalid' }, 'a.invalid'],
	])('shows a nested reason with %s', async (_name, entry, shown) => {
		server.script(json(400, { ...NOTIFICATIONS_400, errors: [entry] }));
		const error = await expectApiError(call('POST'));
		expect(error.message).toContain(`answered 400 invalid_input: ${shown}`);
		expect(error.description).toContain(`Reasons: ${shown}`);
	});

	it('reads nested reasons without a top-level type or message', async () => {
		server.script(json(400, { errors: NOTIFICATIONS_400.errors }));
		const error = await expectApiError(call('POST'));
		expect(error.message).toContain('answered 400: Event type is not supported.');
		expect(error.message).not.toMatch(/not Rapid's error/);
		expect(error.description).toContain('Reasons: Event type is not supported.');
	});

	it('reads the documented 401 with its top-level fields and the server clock', async () => {
		server.script(json(401, UNAUTHENTICATED_401));
		const error = await expectApiError(call('GET'));
		expect(error.message).toContain(
			`answered 401 request_unauthenticated: ${UNAUTHENTICATED_401.message}`,
		);
		expect(error.description).toContain(
			'Fields: apikey (header), signature (header), timestamp (header).',
		);
		expect(error.description).toMatch(/Rapid's clock reads 1976-04-13T23:05:29/);
	});

	it.each(DOCUMENTED_ERRORS.filter(([status]) => status !== 401 && status < 500))(
		'reads the documented %d',
		async (status, body) => {
			server.script(json(status, body, { [RATE_LIMIT_HEADERS.minuteReset]: '1' }));
			const error = await expectApiError(call('POST'));
			expect(error.message).toContain(`answered ${status} ${body.type}: ${body.message}`);
		},
	);
});

describe('Rapid contract: rate-limit headers', () => {
	it('waits until Rate-Limit-Minute-Reset before retrying a 429', async () => {
		const resetAt = Date.now() + 30_000;
		server.script(
			json(429, TOO_MANY_REQUESTS_429, {
				[RATE_LIMIT_HEADERS.minuteRemaining]: '0',
				[RATE_LIMIT_HEADERS.minuteReset]: String(resetAt),
			}),
			json(200, []),
		);
		expect((await call('GET', true)).statusCode).toBe(200);
		expect(server.seen).toHaveLength(2);
		// The wait asked for: until the reset (the backoff alone would be 1 s).
		const [waited] = jest.mocked(sleep).mock.calls.at(-1) ?? [];
		expect(waited).toBeGreaterThan(25_000);
		expect(waited).toBeLessThanOrEqual(30_000);
	});

	it('does not retry when the capacity returns later than it is worth waiting, and says when', async () => {
		const resetAt = Date.UTC(2100, 0, 1, 12, 34, 56);
		server.script(
			json(429, TOO_MANY_REQUESTS_429, { [RATE_LIMIT_HEADERS.minuteReset]: String(resetAt) }),
		);
		const error = await expectApiError(call('GET', true));
		expect(server.seen).toHaveLength(1);
		expect(error.message).toContain('answered 429 too_many_requests');
		expect(error.description).toContain('rate-limited these requests until 12:34:56 UTC');
	});

	it("never retries a destructive read on a 429 that is not Rapid's own error body", async () => {
		server.script(json(429, { error: 'slow down' }, { [RATE_LIMIT_HEADERS.minuteReset]: '1' }));
		const error = await expectApiError(call('GET', true));
		expect(server.seen).toHaveLength(1);
		expect(error.description).toMatch(/may have removed up to 25 notifications/);
	});
});

describe('Rapid contract: the sandbox answers as documented', () => {
	it('answers an unsupported test notification type in the documented 400 shape', async () => {
		const reply = await rapidCall<RapidErrorBody>(sb, 'POST', '/v3/notifications', {
			body: { event_type: 'itinerary.unknown' },
		});
		expect(reply.status).toBe(400);
		const [documented] = NOTIFICATIONS_400.errors;
		expect(reply.body).toEqual({
			type: NOTIFICATIONS_400.type,
			message: NOTIFICATIONS_400.message,
			errors: [
				{
					type: documented.type,
					message: expect.stringMatching(
						/^Event type is not supported\. Supported event types are: \[.+\]$/,
					),
					fields: documented.fields,
				},
			],
		});
	});

	it('answers a bad signature with the documented 401 type, message and fields', async () => {
		const reply = await rapidCall<RapidErrorBody>(
			sb,
			'GET',
			'/v3/notifications?undeliverable=true',
			{
				sharedSecret: 'wrong',
			},
		);
		expect(reply.status).toBe(401);
		expect(reply.body.type).toBe(UNAUTHENTICATED_401.type);
		expect(reply.body.message).toBe(UNAUTHENTICATED_401.message);
		expect(reply.body.fields?.map((f) => [f.name, f.type])).toEqual(
			UNAUTHENTICATED_401.fields.map((f) => [f.name, f.type]),
		);
		expect(reply.body.fields?.[0].value).toBe(DEFAULT_RAPID_API_KEY);
	});

	it.each(DOCUMENTED_ERRORS.filter(([status]) => status !== 401))(
		'answers an HTTP %d fault with the documented body',
		async (status, body) => {
			sb.faults.add({ route: 'rapid.getUndeliverable', kind: 'http', status, times: 1 });
			const reply = await rapidCall<RapidErrorBody>(
				sb,
				'GET',
				'/v3/notifications?undeliverable=true',
			);
			expect(reply.status).toBe(status);
			expect(reply.body).toEqual(body);
		},
	);

	it('sends the documented rate-limit headers on a 429, the reset in epoch milliseconds', async () => {
		sb.faults.add({
			route: 'rapid.getUndeliverable',
			kind: 'http',
			status: 429,
			retryAfterSeconds: 7,
			times: 1,
		});
		const before = Date.now();
		const reply = await rapidCall(sb, 'GET', '/v3/notifications?undeliverable=true');
		const reset = Number(reply.headers.get(RATE_LIMIT_HEADERS.minuteReset));
		expect(reset).toBeGreaterThanOrEqual(before + 7000);
		expect(reset).toBeLessThan(Date.now() + 7000 + 1000);
		expect(reply.headers.get(RATE_LIMIT_HEADERS.minuteRemaining)).toBe('0');
		expect(reply.headers.get('retry-after')).toBeNull();
	});
});
