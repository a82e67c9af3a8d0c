/** Each fault kind, as a client of the sandbox sees it. */
import { buildAuthorizationHeader } from '../../nodes/ExpediaRapid/signature';
import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	startSandbox,
	type Sandbox,
} from '../../dev/sandbox';
import { atlasCall, drain, rapidCall, type RapidErrorBody } from './http';

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, incidentCount: 30 });
});
afterAll(async () => await sb.close());
afterEach(() => {
	sb.faults.clear();
	sb.rapid.undeliverable.length = 0;
});

const listPage = async () => await atlasCall(sb, 'event/getPageList', { pageSize: 10 });

/** What reading the body gives: JSON, text that is not JSON, or an error. */
async function bodyOutcome(response: Response): Promise<'json' | 'not json' | 'error'> {
	try {
		JSON.parse(await response.text());
		return 'json';
	} catch (error) {
		return error instanceof SyntaxError ? 'not json' : 'error';
	}
}

const rawPageList = async (headers: Record<string, string> = {}) =>
	await fetch(`${sb.url}/event/getPageList.do`, {
		method: 'POST',
		headers: {
			'x-atlas-client-id': DEFAULT_ATLAS_CLIENT_ID,
			'x-atlas-client-secret': DEFAULT_ATLAS_CLIENT_SECRET,
			...headers,
		},
		body: JSON.stringify({ pageSize: 10 }),
	});

describe('fault kinds', () => {
	it('latency: the request still succeeds', async () => {
		const fault = sb.faults.add({ route: 'atlas.getPageList', kind: 'latency', latencyMs: 20 });
		expect((await listPage()).body.status).toBe(0);
		expect(fault.applied).toBe(1);
	});

	it('http: Atlas answers with a gateway page and Retry-After', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'http', status: 429, retryAfterSeconds: 7 });
		const response = await rawPageList();
		expect(response.status).toBe(429);
		expect(response.headers.get('retry-after')).toBe('7');
		expect(await response.text()).toContain('429');
	});

	it('http: Rapid answers with its error body, default 503', async () => {
		sb.faults.add({ route: 'rapid.getUndeliverable', kind: 'http' });
		const reply = await drain(sb);
		expect(reply.status).toBe(503);
		expect((reply.body as unknown as RapidErrorBody).type).toBe('service_unavailable');
	});

	it('http: a hit drain consumes no undeliverable notifications', async () => {
		sb.rapid.enqueueUndeliverable(3);
		sb.faults.add({ route: 'rapid.getUndeliverable', kind: 'http', status: 500, times: 1 });
		expect((await drain(sb)).status).toBe(500);
		expect(sb.rapid.undeliverable).toHaveLength(3);
		expect((await drain(sb)).body).toHaveLength(3);
	});

	it('timeout: no answer, and nothing consumed', async () => {
		sb.rapid.enqueueUndeliverable(2);
		sb.faults.add({ route: 'rapid.getUndeliverable', kind: 'timeout', times: 1 });
		const outcome = await fetch(`${sb.url}/v3/notifications?undeliverable=true`, {
			signal: AbortSignal.timeout(300),
		}).then(
			() => 'answered',
			(error: Error) => error.name,
		);
		expect(outcome).toBe('TimeoutError');
		expect(sb.rapid.undeliverable).toHaveLength(2);
	});

	it('malformed-json: 200 with a body that is not JSON', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'malformed-json' });
		const response = await rawPageList();
		expect(response.status).toBe(200);
		expect(await bodyOutcome(response)).toBe('not json');
	});

	it('malformed-json on a drain: unreadable, yet the messages left the queue', async () => {
		// The body is damaged after the handler ran, as in transit: Rapid has deleted what it sent.
		sb.rapid.enqueueUndeliverable(2);
		sb.faults.add({ route: 'rapid.getUndeliverable', kind: 'malformed-json' });
		const response = await fetch(`${sb.url}/v3/notifications?undeliverable=true`, {
			headers: {
				authorization: buildAuthorizationHeader(DEFAULT_RAPID_API_KEY, DEFAULT_RAPID_SHARED_SECRET),
			},
		});
		expect(await bodyOutcome(response)).toBe('not json');
		expect(sb.rapid.undeliverable).toHaveLength(0);
	});

	it('truncated-gzip: gzip without Content-Length that does not inflate to JSON', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'truncated-gzip' });
		const response = await rawPageList({ 'accept-encoding': 'gzip' });
		expect(response.headers.get('content-encoding')).toBe('gzip');
		expect(response.headers.get('content-length')).toBeNull();
		expect(await bodyOutcome(response)).not.toBe('json');
	});

	it.each([110, -1, 9999, 2, 902])(
		'atlas-status %i: HTTP 200 with that envelope status',
		async (status) => {
			sb.faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status });
			const reply = await listPage();
			expect(reply.status).toBe(200);
			expect(reply.body).toEqual({ status, msg: expect.any(String) });
		},
	);

	it('reset: the connection drops without an answer', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'reset' });
		await expect(rawPageList()).rejects.toThrow();
	});
});

describe('fault targeting', () => {
	it('skip lets the first requests through, times limits the rest', async () => {
		sb.faults.add({
			route: 'atlas.getPageList',
			kind: 'atlas-status',
			status: 9999,
			skip: 1,
			times: 2,
		});
		const statuses = [];
		for (let i = 0; i < 4; i++) statuses.push((await listPage()).body.status);
		expect(statuses).toEqual([0, 9999, 9999, 0]);
	});

	it('applies only to its route', async () => {
		sb.faults.add({ route: 'atlas.updateWebhookURL', kind: 'http' });
		expect((await listPage()).status).toBe(200);
	});

	it('* applies to every route, but atlas-status leaves Rapid alone', async () => {
		sb.faults.add({ route: '*', kind: 'atlas-status', status: 110 });
		expect((await listPage()).body.status).toBe(110);
		expect((await drain(sb)).status).toBe(200);
		sb.faults.add({ route: '*', kind: 'http', status: 500 });
		expect((await drain(sb)).status).toBe(500);
		const test = await rapidCall(sb, 'POST', '/v3/notifications', {
			body: { event_type: 'itinerary.agent.create' },
		});
		expect(test.status).toBe(500);
	});

	it('the first fault that fires decides; clear() removes them all', async () => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status: 2, times: 1 });
		sb.faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status: 902, times: 1 });
		expect((await listPage()).body.status).toBe(2);
		expect((await listPage()).body.status).toBe(902);
		sb.faults.add({ route: 'atlas.getPageList', kind: 'http' });
		sb.faults.clear();
		expect((await listPage()).body.status).toBe(0);
		expect(sb.faults.list()).toEqual([]);
	});

	it('refuses specs that cannot work', () => {
		expect(() => sb.faults.add({ route: 'atlas.nope' as never, kind: 'http' })).toThrow(
			/Unknown route/,
		);
		expect(() => sb.faults.add({ route: '*', kind: 'boom' as never })).toThrow(
			/Unknown fault kind/,
		);
		expect(() => sb.faults.add({ route: 'rapid.postTest', kind: 'atlas-status' })).toThrow(
			/Atlas routes/,
		);
		expect(() => sb.faults.add({ route: '*', kind: 'http', times: -1 })).toThrow(/times/);
	});
});
