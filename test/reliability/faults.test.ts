/**
 * Faults injected by the sandbox into incident listing and draining, through the nodes as n8n runs
 * them: each node either succeeds after retrying or fails with a clear error, never an empty or
 * short result, and the drain never throws away a notification it received.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { Atlas } from '../../nodes/Atlas/Atlas.node';
import { ExpediaRapid } from '../../nodes/ExpediaRapid/ExpediaRapid.node';
import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	startSandbox,
	type FaultSpec,
	type Sandbox,
} from '../../dev/sandbox';
import { executeNode, useRequestLimits } from '../helpers/n8n';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

const INCIDENTS = 120;
const FAST = { timeoutMs: 400 };
let sb: Sandbox;
beforeAll(async () => {
	useRequestLimits(FAST);
	sb = await startSandbox({ port: 0, incidentCount: INCIDENTS });
});
afterAll(async () => await sb.close());
afterEach(() => {
	sb.faults.clear();
	sb.rapid.undeliverable.length = 0;
});

async function outcome(run: () => Promise<INodeExecutionData[][]>) {
	try {
		return { items: (await run())[0].map((item) => item.json) };
	} catch (error) {
		expect(error).toBeInstanceOf(NodeApiError);
		return { error: error as NodeApiError };
	}
}

const getMany = async () =>
	await outcome(
		async () =>
			await executeNode({
				nodeType: new Atlas(),
				parameters: {
					resource: 'incident',
					operation: 'getMany',
					returnAll: true,
					options: { pageSize: 20 },
				},
				credentials: {
					atlasApi: {
						environment: 'custom',
						baseUrl: sb.url,
						clientId: DEFAULT_ATLAS_CLIENT_ID,
						clientSecret: DEFAULT_ATLAS_CLIENT_SECRET,
					},
				},
			}),
	);

const drain = async () =>
	await outcome(
		async () =>
			await executeNode({
				nodeType: new ExpediaRapid(),
				parameters: { resource: 'notification', operation: 'getUndeliverable' },
				credentials: {
					expediaRapidApi: {
						environment: 'custom',
						baseUrl: sb.url,
						apiKey: DEFAULT_RAPID_API_KEY,
						sharedSecret: DEFAULT_RAPID_SHARED_SECRET,
					},
				},
			}),
	);

type Fault = Omit<FaultSpec, 'route'>;
const FAULTS: Array<[string, Fault, RegExp]> = [
	['HTTP 429', { kind: 'http', status: 429, retryAfterSeconds: 0 }, /answered (HTTP )?429/],
	['HTTP 500', { kind: 'http', status: 500 }, /answered (HTTP )?500/],
	['HTTP 503', { kind: 'http', status: 503 }, /answered (HTTP )?503/],
	['a timeout', { kind: 'timeout' }, /Could not reach (Atlas|Rapid) \(E\w+\)/],
	['a connection reset', { kind: 'reset' }, /Could not reach (Atlas|Rapid) \(E\w+\)/],
];

describe('Atlas Get Many under faults (page 3 of 6 is hit)', () => {
	const ids = () => sb.atlas.incidents.map((i) => i.eventId);

	it.each([
		...FAULTS,
		['malformed JSON', { kind: 'malformed-json' }, /not one Atlas sends/],
		[
			'a truncated gzip body',
			{ kind: 'truncated-gzip' },
			/Could not reach Atlas \(Z_BUF_ERROR\)|unexpected end/i,
		],
		['envelope status 9999', { kind: 'atlas-status', status: 9999 }, /status 9999/],
		['envelope status 110', { kind: 'atlas-status', status: 110 }, /status 110/],
	] as Array<[string, Fault, RegExp]>)(
		'%s once: retried, every incident exactly once',
		async (_name, fault) => {
			sb.faults.add({ route: 'atlas.getPageList', ...fault, skip: 2, times: 1 });
			const result = await getMany();
			expect(result.error?.message).toBeUndefined();
			expect(result.items?.map((i) => i.eventId)).toEqual(ids());
		},
	);

	it.each([
		...FAULTS,
		['malformed JSON', { kind: 'malformed-json' }, /not one Atlas sends/],
		['envelope status 2', { kind: 'atlas-status', status: 2 }, /status 2\b/],
		['envelope status 110', { kind: 'atlas-status', status: 110 }, /status 110/],
	] as Array<[string, Fault, RegExp]>)(
		'%s every time: a clear error, no partial list',
		async (_name, fault, message) => {
			sb.faults.add({ route: 'atlas.getPageList', ...fault, skip: 2 });
			const result = await getMany();
			expect(result.items).toBeUndefined();
			expect(result.error?.message).toMatch(message);
			expect(result.error?.description ?? '').not.toBe('');
		},
	);
});

describe('Rapid Get Undeliverable under faults (the third call is hit, after 50 received)', () => {
	const queue = (n: number) => {
		sb.rapid.enqueueUndeliverable(n);
		return sb.rapid.undeliverable.map((m) => (m as IDataObject).event_id);
	};

	// An HTTP error with a body proves Rapid handed nothing over: safe to ask again.
	const ANSWERED = FAULTS.slice(0, 3);
	// No answer: Rapid may have removed the batch already, so asking again could lose it.
	const UNANSWERED = FAULTS.slice(3);

	it.each(ANSWERED)('%s once: retried, the whole queue drained once', async (_name, fault) => {
		const expected = queue(80);
		sb.faults.add({ route: 'rapid.getUndeliverable', ...fault, skip: 2, times: 1 });
		const result = await drain();
		expect(result.items?.map((i) => i.event_id)).toEqual(expected);
	});

	it.each(UNANSWERED)(
		'%s once: not retried; the 50 received are output, then a warning that a batch may be lost',
		async (_name, fault) => {
			const expected = queue(80);
			sb.faults.add({ route: 'rapid.getUndeliverable', ...fault, skip: 2, times: 1 });
			const calls = () => sb.requests.filter((r) => r.route === 'rapid.getUndeliverable').length;
			const before = calls();
			const items = (await drain()).items ?? [];
			expect(calls() - before).toBe(3);
			expect(items.slice(0, 50).map((i) => i.event_id)).toEqual(expected.slice(0, 50));
			expect(items[50]).toMatchObject({
				drainError: expect.stringMatching(
					/Reading undeliverable notifications: Rapid did not answer/,
				),
				description: expect.stringMatching(/may have removed up to 25 notifications/),
				notificationsReceived: 50,
			});
			expect(items).toHaveLength(51);
		},
	);

	it.each(ANSWERED)(
		'%s every time: the 50 received are output, then the failure',
		async (_name, fault, message) => {
			const expected = queue(80);
			sb.faults.add({ route: 'rapid.getUndeliverable', ...fault, skip: 2 });
			const result = await drain();
			const items = result.items ?? [];
			expect(items.slice(0, 50).map((i) => i.event_id)).toEqual(expected.slice(0, 50));
			expect(items[50]).toMatchObject({
				drainError: expect.stringMatching(message),
				notificationsReceived: 50,
			});
			expect(items).toHaveLength(51);
			// Nothing else was taken from the queue: the rest waits for the next run.
			expect(sb.rapid.undeliverable.map((m) => (m as IDataObject).event_id)).toEqual(
				expected.slice(50),
			);
		},
	);

	it('a malformed body: what it held is kept as text, and the drain stops', async () => {
		queue(80);
		sb.faults.add({ route: 'rapid.getUndeliverable', kind: 'malformed-json', skip: 2, times: 1 });
		const items = (await drain()).items ?? [];
		expect(items).toHaveLength(52);
		expect(items[50]).toEqual({ unreadableResponse: expect.stringMatching(/^\[/) });
		expect(items[51]).toMatchObject({
			drainError:
				'Reading undeliverable notifications: Rapid answered 200 with a body that is not JSON',
			description: expect.stringMatching(/may have removed up to 25 notifications/),
		});
	});

	it('a gzip body cut short: the part that arrived is kept as text, and the drain stops', async () => {
		const expected = queue(80);
		sb.faults.add({ route: 'rapid.getUndeliverable', kind: 'truncated-gzip', skip: 2, times: 1 });
		const items = (await drain()).items ?? [];
		expect(items).toHaveLength(52);
		// n8n's helper inflates what arrived: a prefix of the batch, ids readable for support.
		const partial = String(items[50].unreadableResponse);
		expect(partial).toMatch(/^\[\{/);
		expect(partial).toContain(String(expected[50]));
		expect(items[51]).toMatchObject({
			drainError: expect.stringMatching(/not JSON/),
			description: expect.stringMatching(/its text is in the output as unreadableResponse/),
		});
	});
});
