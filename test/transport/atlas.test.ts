import { sleep } from 'n8n-workflow';

import { ATLAS_RETRIES, atlasApiRequest } from '../../nodes/Atlas/transport';
import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	startSandbox,
	type Sandbox,
} from '../../dev/sandbox';
import { createExecuteContext, transportTestNode } from '../helpers/n8n';
import { expectApiError } from '../helpers/errors';
import type { ShortSleep } from '../helpers/shortSleep';

// Backoff waits at most a few ms here and records what it was asked (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, incidentCount: 40 });
});
afterAll(async () => await sb.close());
afterEach(() => sb.faults.clear());

const context = (clientSecret = DEFAULT_ATLAS_CLIENT_SECRET, timeoutMs?: number) =>
	createExecuteContext({
		nodeType: transportTestNode,
		requestLimits: timeoutMs === undefined ? undefined : { timeoutMs },
		credentials: {
			atlasApi: {
				environment: 'custom',
				baseUrl: `${sb.url}/`,
				clientId: DEFAULT_ATLAS_CLIENT_ID,
				clientSecret,
			},
		},
	});

const listPage = async (secret?: string, timeoutMs?: number) =>
	await atlasApiRequest.call(context(secret, timeoutMs), 'Listing incidents', 'event/getPageList', {
		pageSize: 10,
		pageIndex: 1,
	});

/** The waits the retries asked for since `from` calls of the (recording) sleep. */
const waitsSince = (from: number) =>
	jest
		.mocked(sleep)
		.mock.calls.slice(from)
		.map(([ms]) => ms);

const pageListCalls = () => sb.requests.filter((r) => r.route === 'atlas.getPageList').length;

// As Atlas' error pages say: fix the request or the account first (100, 900, 901, 902), retry
// once then escalate (9999, -1), back off exponentially from about 1 s to about 30 s (110).
describe('Atlas transport: documented handling of each envelope status', () => {
	it.each([
		[100, /required request data is missing.*Fill in/],
		[900, /client ID or client secret.*Check both/],
		[901, /could not read the request.*Check the values/],
		[902, /denied access.*client ID and client secret.*account is active.*account manager/],
	])('status %d: no retry, says what to fix', async (status, advice) => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status });
		const before = pageListCalls();
		const error = await expectApiError(listPage());
		expect(error.message).toContain(`status ${status}`);
		expect(error.message).not.toMatch(/attempts/);
		expect(error.description).toMatch(advice);
		expect(pageListCalls() - before).toBe(1);
	});

	it.each([9999, -1])(
		'status %d: retried once, then says to contact Atlas if it repeats',
		async (status) => {
			sb.faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status });
			const before = pageListCalls();
			const error = await expectApiError(listPage());
			expect(error.message).toMatch(/after 2 attempts/);
			expect(error.description).toMatch(
				/Try once more; if it happens again, contact Atlas support/,
			);
			expect(pageListCalls() - before).toBe(2);
		},
	);

	it('status 110: backs off from about 1 s, doubling, capped at about 30 s', async () => {
		expect(ATLAS_RETRIES).toMatchObject({ backOff: 5, baseDelayMs: 1000, maxDelayMs: 30000 });
		sb.faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status: 110 });
		const before = pageListCalls();
		const slept = jest.mocked(sleep).mock.calls.length;
		const error = await expectApiError(listPage());
		expect(error.message).toMatch(/status 110.*after 6 attempts/);
		expect(error.description).toMatch(/rate-limited.*Wait a minute/);
		expect(pageListCalls() - before).toBe(6);
		expect(waitsSince(slept)).toEqual([1000, 2000, 4000, 8000, 16000]);
	});

	it('a status without a rule: no retry, says where to look it up', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status: 4711 });
		const before = pageListCalls();
		const error = await expectApiError(listPage());
		expect(error.description).toBe(
			"Atlas refused the request with status 4711. Look the code up in Atlas' error codes, or contact your Atlas account manager with the time of the request and this message.",
		);
		expect(pageListCalls() - before).toBe(1);
	});
});

describe('Atlas transport against the sandbox', () => {
	it('sends the client headers, asks for gzip, and returns the envelope payload', async () => {
		const before = sb.requests.length;
		const envelope = await listPage();
		expect(envelope.status).toBe(0);
		expect(Array.isArray(envelope.records)).toBe(true);
		expect(Number(envelope.total)).toBe(40);
		const request = sb.requests[before];
		expect(request.path).toBe('/event/getPageList.do');
		expect(request.headers['x-atlas-client-id']).toBe(DEFAULT_ATLAS_CLIENT_ID);
		expect(String(request.headers['accept-encoding'])).toContain('gzip');
	});

	it('turns status 900 into a NodeApiError with a credential hint, without the secret', async () => {
		const error = await expectApiError(listPage('wrong-secret-value'));
		expect(error.message).toContain('status 900');
		expect(error.description).toMatch(/client ID or client secret/);
		expect(JSON.stringify(error)).not.toContain('wrong-secret-value');
		expect(JSON.stringify(error)).not.toContain(DEFAULT_ATLAS_CLIENT_SECRET);
	});

	it.each([
		[902, /denied access/],
		[2, /status 2.*error codes.*account manager/i],
	])('does not retry status %d and explains it', async (status, hint) => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status });
		const before = pageListCalls();
		const error = await expectApiError(listPage());
		expect(error.message).toContain(`status ${status}`);
		expect(error.description).toMatch(hint);
		expect(pageListCalls() - before).toBe(1);
	});

	it.each([-1, 9999])('retries transient status %d once, then succeeds', async (status) => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status, times: 1 });
		const before = pageListCalls();
		expect((await listPage()).status).toBe(0);
		expect(pageListCalls() - before).toBe(2);
	});

	it('gives up on transient status after one retry', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status: 9999 });
		const before = pageListCalls();
		const error = await expectApiError(listPage());
		expect(error.message).toMatch(/status 9999.*after 2 attempts/);
		expect(pageListCalls() - before).toBe(2);
	});

	it('backs off on status 110 and succeeds when the limit lifts', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status: 110, times: 3 });
		const before = pageListCalls();
		expect((await listPage()).status).toBe(0);
		expect(pageListCalls() - before).toBe(4);
	});

	it('stops backing off after the retries of its table: the last one still counts', async () => {
		const times = ATLAS_RETRIES.backOff;
		sb.faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status: 110, times });
		const before = pageListCalls();
		expect((await listPage()).status).toBe(0);
		expect(pageListCalls() - before).toBe(times + 1);
		sb.faults.add({
			route: 'atlas.getPageList',
			kind: 'atlas-status',
			status: 110,
			times: times + 1,
		});
		const error = await expectApiError(listPage());
		expect(error.message).toMatch(/status 110.*after 6 attempts/);
		expect(error.description).toMatch(/rate-limited/);
	});

	it.each([429, 500, 503])('retries HTTP %d with backoff', async (status) => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'http', status, times: 2 });
		const before = pageListCalls();
		expect((await listPage()).status).toBe(0);
		expect(pageListCalls() - before).toBe(3);
	});

	it.each([429, 503])(
		'HTTP %d with Retry-After: waits as long as Atlas asks, within the cap',
		async (status) => {
			sb.faults.add({
				route: 'atlas.getPageList',
				kind: 'http',
				status,
				retryAfterSeconds: 20,
				times: 1,
			});
			let slept = jest.mocked(sleep).mock.calls.length;
			expect((await listPage()).status).toBe(0);
			expect(waitsSince(slept)).toEqual([20000]);
			// Longer than the cap: waits the cap, never more.
			sb.faults.add({
				route: 'atlas.getPageList',
				kind: 'http',
				status,
				retryAfterSeconds: 600,
				times: 1,
			});
			slept = jest.mocked(sleep).mock.calls.length;
			expect((await listPage()).status).toBe(0);
			expect(waitsSince(slept)).toEqual([ATLAS_RETRIES.maxDelayMs]);
		},
	);

	it('reports a persistent HTTP 503 with its code', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'http', status: 503 });
		const error = await expectApiError(listPage());
		expect(error.httpCode).toBe('503');
		expect(error.message).toMatch(/HTTP 503.*after 6 attempts/);
	});

	it('retries a malformed JSON body once, then says what it got', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'malformed-json', times: 1 });
		expect((await listPage()).status).toBe(0);

		sb.faults.add({ route: 'atlas.getPageList', kind: 'malformed-json' });
		const error = await expectApiError(listPage());
		expect(error.message).toMatch(/not one Atlas sends/);
	});

	it('recovers from a truncated gzip body', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'truncated-gzip', times: 1 });
		expect((await listPage()).status).toBe(0);
	});

	it('reports a persistently truncated gzip body as a network failure', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'truncated-gzip' });
		const error = await expectApiError(listPage());
		expect(error.message).toMatch(/Could not reach Atlas|not one Atlas sends/);
	});

	it('times out, retries, and reports the timeout', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'timeout' });
		const error = await expectApiError(listPage(undefined, 200));
		expect(error.message).toMatch(/Could not reach Atlas \(E\w+\).*after 2 attempts/);
	});

	it('recovers from a connection reset', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'reset', times: 1 });
		expect((await listPage()).status).toBe(0);
	});

	it('survives injected latency', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'latency', latencyMs: 50 });
		expect((await listPage()).status).toBe(0);
	});

	it('registers a webhook URL', async () => {
		await atlasApiRequest.call(context(), 'Registering the webhook URL', 'updateWebhookURL', {
			url: 'https://n8n.example.com/webhook/abc/webhook',
		});
		expect(sb.atlas.webhookUrl()).toBe('https://n8n.example.com/webhook/abc/webhook');
	});
});
