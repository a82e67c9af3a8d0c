/**
 * The action nodes against a server that misbehaves on purpose (test/helpers/hostileServer.ts):
 * what a hostile server, a cut connection, a redirect or a huge or endless answer could do to the
 * promises "a drained notification is never lost" and "secrets never leave the provider".
 */
import { randomUUID } from 'crypto';
import type { IDataObject, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { Atlas } from '../../nodes/Atlas/Atlas.node';
import { ExpediaRapid } from '../../nodes/ExpediaRapid/ExpediaRapid.node';
import { RESPONSE_LIMITS } from '../../nodes/shared/http';
import { type Behaviour, type HostileServer, startHostileServer } from '../helpers/hostileServer';
import { createExecuteContext, useRequestLimits } from '../helpers/n8n';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

const marker = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;
const ATLAS_SECRET = marker('atlas-secret');
const RAPID_KEY = marker('rapid-key');
const RAPID_SECRET = marker('rapid-secret');
const SECRETS = [ATLAS_SECRET, RAPID_KEY, RAPID_SECRET];

// Short enough to keep the file quick, long enough for a loaded machine to answer in time.
// The first calls of a jest worker also load and compile code while the timer runs: 2 s proved
// too short on a loaded machine (the first drain was cut off in about one full run in three).
const FAST = { timeoutMs: 5000 };
let server: HostileServer;
let elsewhere: HostileServer;
beforeAll(async () => {
	useRequestLimits(FAST);
	server = await startHostileServer();
	elsewhere = await startHostileServer();
});
afterAll(async () => {
	await server.close();
	await elsewhere.close();
});
beforeEach(() => {
	server.seen.length = 0;
	elsewhere.seen.length = 0;
});

const credentials = () => ({
	atlasApi: {
		environment: 'custom',
		baseUrl: server.url,
		clientId: 'atlas-client',
		clientSecret: ATLAS_SECRET,
	},
	expediaRapidApi: {
		environment: 'custom',
		baseUrl: server.url,
		apiKey: RAPID_KEY,
		sharedSecret: RAPID_SECRET,
	},
});

interface Run {
	items?: IDataObject[];
	error?: NodeApiError;
	hints: string[];
}

async function run(
	nodeType: INodeType,
	parameters: INodeParameters,
	{ inputs = 1, continueOnFail = false } = {},
): Promise<Run> {
	const items: INodeExecutionData[] = Array.from({ length: inputs }, () => ({ json: {} }));
	const context = createExecuteContext({ nodeType, parameters, credentials: credentials(), items });
	const hints: string[] = [];
	context.addExecutionHints = (...added) => hints.push(...added.map((h) => h.message));
	if (continueOnFail) context.continueOnFail = () => true;
	try {
		const [output] = (await nodeType.execute?.call(context)) as INodeExecutionData[][];
		return { items: output.map((item) => item.json), hints };
	} catch (error) {
		expect(error).toBeInstanceOf(NodeApiError);
		return { error: error as NodeApiError, hints };
	}
}

const drain = async (options?: { inputs?: number; continueOnFail?: boolean }) =>
	await run(
		new ExpediaRapid(),
		{ resource: 'notification', operation: 'getUndeliverable' },
		options,
	);
const sendTest = async () =>
	await run(new ExpediaRapid(), {
		resource: 'notification',
		operation: 'sendTest',
		eventType: 'itinerary.agent.create',
	});
const listIncidents = async () =>
	await run(new Atlas(), { resource: 'incident', operation: 'getMany', returnAll: true });

const batch = (prefix: string, n: number) =>
	Array.from({ length: n }, (_, i) => ({ event_id: `${prefix}${i + 1}`, event_type: 'x' }));
const json = (body: unknown, status = 200): Behaviour => ({ kind: 'json', status, body });
const ids = (items: IDataObject[] = []) => items.map((i) => i.event_id).filter(Boolean);
const drainCalls = () => server.seen.filter((r) => r.url.startsWith('/v3/notifications')).length;

/** Everything a user could see of a run: items, error message, description, details, cause. */
function visible(result: Run): string {
	const error = result.error as (NodeApiError & Record<string, unknown>) | undefined;
	return JSON.stringify({
		items: result.items,
		hints: result.hints,
		error: error && {
			message: error.message,
			description: error.description,
			own: Object.fromEntries(Object.entries(error)),
			cause: error.cause,
		},
	});
}

describe('a drain run on several input items', () => {
	const unauthorized = json({ type: 'request_unauthenticated', message: 'bad key' }, 401);

	it.each([false, true])(
		'keeps what earlier items drained when a later item fails (Continue On Fail %s)',
		async (continueOnFail) => {
			server.script(json(batch('a', 3)), json([]), unauthorized);
			const result = await drain({ inputs: 2, continueOnFail });
			expect(result.error).toBeUndefined();
			const items = result.items ?? [];
			expect(ids(items)).toEqual(['a1', 'a2', 'a3']);
			expect(items).toHaveLength(4);
			const failure = items[3];
			expect(String(failure.drainError ?? failure.error)).toMatch(/answered 401/);
			if (!continueOnFail) expect(result.hints.join(' ')).toMatch(/Input item 2 failed/);
		},
	);

	it('still fails the usual way when nothing was drained before the failure', async () => {
		server.script(unauthorized);
		const result = await drain({ inputs: 2 });
		expect(result.error?.message).toMatch(/answered 401/);
	});
});

describe('a drain call that may already have dequeued a batch is never repeated', () => {
	const LOSS = /may have removed up to 25 notifications/;

	it.each<[string, Behaviour]>([
		['no answer before the timeout', { kind: 'hang' }],
		['the connection closed without an answer', { kind: 'drop' }],
	])('%s: stops, keeps the batches before, warns of a possible loss', async (_name, fault) => {
		server.script(json(batch('a', 25)), fault, json([]));
		const result = await drain();
		expect(drainCalls()).toBe(2);
		const items = result.items ?? [];
		expect(ids(items)).toEqual(ids(batch('a', 25)));
		expect(items[25]).toMatchObject({
			drainError: expect.stringMatching(
				/Reading undeliverable notifications: Rapid did not answer/,
			),
			description: expect.stringMatching(LOSS),
			notificationsReceived: 25,
		});
		expect(result.hints.join(' ')).toMatch(/failed after 25 notifications/);
	});

	it('a plain body cut off mid-way: keeps the part that arrived and warns of a possible loss', async () => {
		const text = JSON.stringify(batch('b', 25));
		server.script({ kind: 'cut', body: text, sent: 300 });
		const result = await drain();
		expect(drainCalls()).toBe(1);
		const items = result.items ?? [];
		expect(items[0].unreadableResponse).toBe(text.slice(0, 300));
		expect(items[1]).toMatchObject({
			drainError: expect.stringMatching(
				/Reading undeliverable notifications: Rapid.s answer broke off/,
			),
			description: expect.stringMatching(LOSS),
			notificationsReceived: 0,
		});
	});

	it('the first call without an answer is reported too, as an item rather than lost in an error', async () => {
		server.script({ kind: 'drop' });
		const result = await drain();
		expect(drainCalls()).toBe(1);
		expect(result.items).toEqual([
			expect.objectContaining({ description: expect.stringMatching(LOSS) }),
		]);
	});

	it("an HTTP 503 with Rapid's error body is retried: it proves nothing was handed over", async () => {
		const unavailable = { type: 'service_unavailable', message: 'Try again later.' };
		server.script(json(unavailable, 503), json(batch('c', 2)), json([]));
		const result = await drain();
		expect(ids(result.items)).toEqual(['c1', 'c2']);
		expect(drainCalls()).toBe(3);
	});

	it('an HTTP 502 with no body is not retried', async () => {
		server.script(json(batch('a', 1)), { kind: 'text', status: 502, body: '' }, json([]));
		const result = await drain();
		expect(drainCalls()).toBe(2);
		expect(result.items?.[1]).toMatchObject({ drainError: expect.stringMatching(/answered 502/) });
	});

	it('a refused connection is retried (nothing reached Rapid)', async () => {
		const closed = await startHostileServer();
		const url = closed.url;
		await closed.close();
		const context = createExecuteContext({
			nodeType: new ExpediaRapid(),
			parameters: { resource: 'notification', operation: 'getUndeliverable' },
			credentials: {
				expediaRapidApi: {
					environment: 'custom',
					baseUrl: url,
					apiKey: RAPID_KEY,
					sharedSecret: RAPID_SECRET,
				},
			},
		});
		const error = await new ExpediaRapid().execute.call(context).then(
			() => undefined,
			(e: unknown) => e as Error,
		);
		expect(error?.message).toMatch(/Could not reach Rapid \(ECONNREFUSED\) \(after 4 attempts\)/);
	});
});

describe('redirects are never followed with credentials', () => {
	const cases: Array<[string, () => Promise<Run>]> = [
		['Rapid Get Undeliverable (GET)', drain],
		['Rapid Send Test (POST)', sendTest],
		['Atlas Get Many (POST)', listIncidents],
	];
	describe.each([302, 307])('HTTP %i to another origin', (status) => {
		it.each(cases)(
			'%s: nothing reaches the other origin; the error names it',
			async (_name, call) => {
				const target = `${elsewhere.url}/collect`;
				server.script({ kind: 'redirect', status, location: target });
				const result = await call();
				expect(elsewhere.seen).toEqual([]);
				const error = result.error ?? { message: String(result.items?.[0]?.drainError) };
				expect(error.message).toContain(`redirect (${status}) to ${target}`);
			},
		);
	});
});

describe('secrets echoed by the server never reach an error or an item', () => {
	const authorization =
		'EAN APIKey=' + RAPID_KEY + ',Signature=' + 'ab'.repeat(64) + ',timestamp=1';
	const rapidEchoes: Array<[string, Behaviour]> = [
		[
			'fields as an object',
			json({ type: 'request_unauthenticated', fields: { apikey: RAPID_KEY } }, 401),
		],
		[
			'inside message',
			json({ type: 'request_unauthenticated', message: `Key ${RAPID_KEY} unknown` }, 401),
		],
		[
			'a plain-text body',
			{ kind: 'text', status: 401, body: `denied: ${authorization} ${RAPID_SECRET}` },
		],
		['request headers', { kind: 'echoHeaders', status: 400, only: ['authorization'] }],
	];
	it.each(rapidEchoes)('Rapid 4xx echoing the key (%s)', async (_name, echo) => {
		server.script(echo);
		const result = await sendTest();
		expect(result.error).toBeDefined();
		for (const secret of SECRETS) expect(visible(result)).not.toContain(secret);
		expect(visible(result)).not.toMatch(/Signature=[0-9a-f]{128}/);
	});

	it('a drained notification that quotes the shared secret', async () => {
		server.script(json([{ event_id: 'n1', note: `secret is ${RAPID_SECRET}` }]), json([]));
		const result = await drain();
		expect(result.items?.[0]).toEqual({ event_id: 'n1', note: 'secret is [redacted]' });
	});

	const atlasEchoes: Array<[string, Behaviour]> = [
		[
			'HTTP 400 echoing the request headers',
			{ kind: 'echoHeaders', status: 400, only: ['x-atlas-client-secret'] },
		],
		[
			'status 900 quoting the secret',
			json({ status: 900, msg: `secret ${ATLAS_SECRET} is wrong` }),
		],
		[
			'an HTML page quoting it',
			{ kind: 'text', status: 500, body: `<p>${ATLAS_SECRET}</p>`, contentType: 'text/html' },
		],
	];
	it.each(atlasEchoes)('Atlas %s', async (_name, echo) => {
		server.script(echo);
		const result = await listIncidents();
		expect(result.error).toBeDefined();
		for (const secret of SECRETS) expect(visible(result)).not.toContain(secret);
	});
});

describe('deadlines and sizes', () => {
	// A 3 s deadline that the trickling answers below (about 4 s long) cannot meet: the shipped
	// deadline (2 minutes) is an AbortSignal.timeout, made to fire sooner here.
	const timeout = AbortSignal.timeout.bind(AbortSignal);
	beforeAll(() => {
		jest.spyOn(AbortSignal, 'timeout').mockImplementation((ms) => timeout(Math.min(ms, 3000)));
		useRequestLimits({ timeoutMs: 2000 });
	});
	afterAll(() => {
		jest.mocked(AbortSignal.timeout).mockRestore();
		useRequestLimits(FAST);
	});

	it('a server trickling one byte at a time is given up on at the deadline (Atlas)', async () => {
		server.script({
			kind: 'trickle',
			body: JSON.stringify({ status: 0, total: 0, records: [] }),
			everyMs: 100,
		});
		const started = Date.now();
		const result = await listIncidents();
		expect(result.error?.message).toMatch(/broke off \(ETIMEDOUT\)/);
		// The deadline is the helper's abort signal here (3 s); the message names the shipped one.
		expect(result.error?.description).toContain(
			`The response was still arriving after ${RESPONSE_LIMITS.deadlineMs / 1000} s`,
		);
		// Two attempts (one retry), each cut at the deadline, not after the whole body.
		expect(Date.now() - started).toBeLessThan(10_000);
	});

	it('a drain answer trickling past the deadline stops the drain and warns of a possible loss', async () => {
		server.script({ kind: 'trickle', body: JSON.stringify(batch('t', 25)), everyMs: 100 });
		const result = await drain();
		expect(drainCalls()).toBe(1);
		expect(result.items?.at(-1)).toMatchObject({
			drainError: expect.stringMatching(/broke off \(ETIMEDOUT\)/),
			description: expect.stringMatching(/may have removed up to 25/),
		});
	});

	it('a body larger than the cap is cut at the cap, not kept whole', async () => {
		// The shipped cap (10 MB) and a body above it: no setting makes the cap smaller for tests.
		const cap = RESPONSE_LIMITS.maxResponseBytes;
		server.script({ kind: 'huge', bytes: cap + 2 * 1024 * 1024 });
		const result = await drain();
		const items = result.items ?? [];
		expect(items.at(-1)).toMatchObject({
			drainError: expect.stringMatching(/broke off \(ETOOLARGE\)/),
			description: expect.stringMatching(/larger than 10 MB/),
		});
		expect(JSON.stringify(items).length).toBeLessThan(cap * 1.1);
	});
});

describe('listing: totals and page sizes from the server are not trusted', () => {
	const page = (total: number, records: number, extra: IDataObject = {}) =>
		json({
			status: 0,
			total,
			...extra,
			records: Array.from({ length: records }, (_, i) => ({
				eventId: `e${total}-${i}-${Math.random()}`,
			})),
		});
	const listCalls = () => server.seen.filter((r) => r.url.includes('getPageList')).length;

	it.each([
		['1e9 incidents with empty pages', page(1e9, 0)],
		['1e12 incidents', page(1e12, 100)],
		['2,000 incidents in pages of 1', page(2000, 1, { pageSize: 1 })],
	])('%s: one request, then a clear error', async (_name, first) => {
		server.script(first);
		const result = await listIncidents();
		expect(listCalls()).toBe(1);
		expect(result.error?.message).toMatch(/would take \d+ requests, more than the 1000/);
		expect(result.error?.description).toMatch(/Narrow the filters/);
	});

	it('an empty page ends the listing early', async () => {
		server.script(page(1000, 100), page(1000, 0));
		const result = await run(new Atlas(), {
			resource: 'incident',
			operation: 'getMany',
			returnAll: true,
		});
		expect(result.items).toHaveLength(100);
		// Page 1, then at most the three already in flight when the empty one came back.
		expect(listCalls()).toBeLessThanOrEqual(4);
		expect(result.hints.join(' ')).toMatch(/changed while it was read/);
	});
});

describe("an Atlas message naming a network code stays Atlas'", () => {
	it('Atlas status 2 whose msg names ETIMEDOUT: the error still names Atlas and the status', async () => {
		server.script(json({ status: 2, msg: 'upstream ETIMEDOUT' }));
		const result = await listIncidents();
		expect(result.error?.message).toBe(
			'Listing incidents: Atlas refused the request with status 2: upstream ETIMEDOUT',
		);
	});
});
