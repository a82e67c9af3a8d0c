/**
 * Which failed answers of the undeliverable queue may be retried. Rapid deletes what it returns,
 * so only Rapid's own error body proves nothing was handed over; a gateway's page, a foreign JSON
 * or an empty body proves nothing and must stop the drain with the possible-loss warning.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { ExpediaRapid } from '../../nodes/ExpediaRapid/ExpediaRapid.node';
import { type Behaviour, type HostileServer, startHostileServer } from '../helpers/hostileServer';
import { createExecuteContext, useRequestLimits } from '../helpers/n8n';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

const FAST = { timeoutMs: 5000 };
const LOSS = /may have removed up to 25 notifications/;

let server: HostileServer;
beforeAll(async () => {
	useRequestLimits(FAST);
	server = await startHostileServer();
});
afterAll(async () => {
	useRequestLimits(undefined);
	await server.close();
});
beforeEach(() => {
	server.seen.length = 0;
});

interface Run {
	items?: IDataObject[];
	error?: NodeApiError;
	hints: string[];
}

async function run(parameters: INodeParameters): Promise<Run> {
	const nodeType = new ExpediaRapid();
	const context = createExecuteContext({
		nodeType,
		parameters,
		credentials: {
			expediaRapidApi: {
				environment: 'custom',
				baseUrl: server.url,
				apiKey: 'drain-proof-key',
				sharedSecret: 'drain-proof-secret',
			},
		},
	});
	const hints: string[] = [];
	context.addExecutionHints = (...added) => hints.push(...added.map((hint) => hint.message));
	try {
		const [output] = (await nodeType.execute.call(context)) as INodeExecutionData[][];
		return { items: output.map((item) => item.json), hints };
	} catch (error) {
		expect(error).toBeInstanceOf(NodeApiError);
		return { error: error as NodeApiError, hints };
	}
}

const drain = async () => await run({ resource: 'notification', operation: 'getUndeliverable' });
const batch = (prefix: string, n: number) =>
	Array.from({ length: n }, (_, i) => ({ event_id: `${prefix}${i + 1}`, event_type: 'x' }));
const json = (body: unknown, status = 200): Behaviour => ({ kind: 'json', status, body });
const html = (status: number, body: string): Behaviour => ({
	kind: 'text',
	status,
	body,
	contentType: 'text/html',
});
const empty = (status: number): Behaviour => ({ kind: 'text', status, body: '' });
const drainCalls = () => server.seen.filter((r) => r.url.startsWith('/v3/notifications')).length;

describe("item 7: only Rapid's own error body proves nothing was handed over", () => {
	it.each<[string, Behaviour]>([
		[
			'a load balancer 502 page',
			html(502, '<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>'),
		],
		['a load balancer 504 page', html(504, '<html><h1>504 Gateway Time-out</h1></html>')],
		['a gateway 503 in plain text', { kind: 'text', status: 503, body: 'upstream connect error' }],
		['a gateway JSON without type', json({ message: 'Internal server error' }, 500)],
		['a JSON with a type but no message', json({ type: 'unavailable' }, 503)],
		['a JSON array', json([{ type: 'x', message: 'y' }], 502)],
		[
			'a JSON whose nested errors are not Rapid errors',
			json({ type: 'service_unavailable', message: 'Down', errors: ['oops'] }, 503),
		],
		['a gateway 429 page', html(429, '<html><h1>429 Too Many Requests</h1></html>')],
	])('%s: not retried; the drain stops and warns of a possible loss', async (_name, fault) => {
		server.script(json(batch('a', 25)), fault, json(batch('b', 3)), json([]));
		const result = await drain();
		expect(drainCalls()).toBe(2);
		const items = result.items ?? [];
		expect(items.slice(0, 25).map((i) => i.event_id)).toEqual(
			batch('a', 25).map((b) => b.event_id),
		);
		expect(items).toHaveLength(26);
		expect(items[25]).toMatchObject({
			drainError: expect.stringMatching(/answered (429|5\d\d)/),
			description: expect.stringMatching(LOSS),
			notificationsReceived: 25,
		});
	});

	it("Rapid's documented error body, with nested errors, is retried", async () => {
		const rapid = {
			type: 'service_unavailable',
			message: 'This service is currently unavailable.',
			errors: [{ type: 'service_unavailable', message: 'Try again later.', fields: [] }],
		};
		server.script(json(rapid, 503), json(batch('c', 2)), json([]));
		const result = await drain();
		expect(drainCalls()).toBe(3);
		expect(result.items?.map((i) => i.event_id)).toEqual(['c1', 'c2']);
	});
});

describe('item 8: an empty 5xx to the drain warns of a possible loss', () => {
	it.each([500, 502, 503, 504])(
		'HTTP %d with no body on the first call: an item saying up to 25 may be gone, no retry',
		async (status) => {
			server.script(empty(status), json(batch('b', 3)), json([]));
			const result = await drain();
			expect(drainCalls()).toBe(1);
			expect(result.error).toBeUndefined();
			expect(result.items).toEqual([
				expect.objectContaining({
					drainError: expect.stringMatching(new RegExp(`answered ${status}`)),
					description: expect.stringMatching(LOSS),
					notificationsReceived: 0,
				}),
			]);
		},
	);
});

describe('item 9: an empty error body is named, not quoted', () => {
	it('the drain: "answered 502 with an empty body"', async () => {
		server.script(json(batch('a', 1)), empty(502));
		const result = await drain();
		const message = String(result.items?.[1]?.drainError);
		expect(message).toMatch(/answered 502 with an empty body/);
		expect(message).not.toContain('""');
	});

	it('any other call, after its retries: "answered 503 with an empty body"', async () => {
		server.script(empty(503));
		const result = await run({
			resource: 'notification',
			operation: 'sendTest',
			eventType: 'itinerary.agent.create',
		});
		expect(server.seen.length).toBe(4);
		expect(result.error?.message).toMatch(/answered 503 with an empty body \(after 4 attempts\)$/);
		expect(result.error?.message).not.toContain('""');
		expect(result.error?.description).toMatch(/Rapid is unavailable/);
	});
});

describe('a redirect answering the drain call proves nothing: the drain warns of a possible loss', () => {
	it.each([302, 307])('HTTP %d on the first call: not followed, an item warns', async (status) => {
		server.script({ kind: 'redirect', status, location: 'http://127.0.0.1:9/v3/notifications' });
		const result = await drain();
		expect(drainCalls()).toBe(1);
		expect(result.items).toEqual([
			expect.objectContaining({
				drainError: expect.stringMatching(new RegExp(`redirect \\(${status}\\)`)),
				description: expect.stringMatching(LOSS),
				notificationsReceived: 0,
			}),
		]);
	});

	it('a redirect after a full batch: the 25 are output, then the warning', async () => {
		server.script(json(batch('a', 25)), {
			kind: 'redirect',
			status: 302,
			location: 'http://127.0.0.1:9/maintenance',
		});
		const items = (await drain()).items ?? [];
		expect(items).toHaveLength(26);
		expect(items[25]).toMatchObject({
			description: expect.stringMatching(LOSS),
			notificationsReceived: 25,
		});
	});
});

describe('only [] or a 204 ends the drain: any other 200 that holds no notification warns', () => {
	it.each<[string, Behaviour]>([
		[
			'whitespace only',
			{ kind: 'text', status: 200, body: ' \r\n', contentType: 'application/json' },
		],
		['no body at all', { kind: 'text', status: 200, body: '' }],
		['JSON null', json(null)],
		['a JSON empty string', json('')],
		['a JSON number', json(0)],
		['a gzip body cut short', { kind: 'cutGzip', body: JSON.stringify(batch('g', 25)), sent: 40 }],
	])('200 with %s after a full batch: not taken for an empty queue', async (_name, answer) => {
		server.script(json(batch('a', 25)), answer, json([]));
		const items = (await drain()).items ?? [];
		expect(drainCalls()).toBe(2);
		expect(items.at(-1)).toMatchObject({
			drainError: expect.stringMatching(/answered 200 with/),
			description: expect.stringMatching(LOSS),
			notificationsReceived: 25,
		});
	});

	it.each<[string, Behaviour]>([
		['[]', json([])],
		['a 204', { kind: 'text', status: 204, body: '' }],
	])('%s ends the drain quietly', async (_name, answer) => {
		server.script(json(batch('a', 2)), answer, json(batch('b', 1)));
		const result = await drain();
		expect(result.items?.map((i) => i.event_id)).toEqual(['a1', 'a2']);
		expect(result.hints).toEqual([]);
	});
});

describe('the drain says what happened in plain words', () => {
	it("Rapid's own 503 with an empty message, after the retries: no dangling colon", async () => {
		server.script(json({ type: 'service_unavailable', message: '' }, 503));
		const result = await drain();
		expect(drainCalls()).toBe(4);
		expect(result.error?.message).toBe(
			'Reading undeliverable notifications: Rapid answered 503 service_unavailable without a message (after 4 attempts)',
		);
	});

	it.each<[string, unknown]>([
		['null', null],
		['{}', {}],
		['[]', []],
	])('a 502 whose body is JSON %s: named as not being Rapid’s error', async (_name, body) => {
		server.script(json(batch('a', 1)), json(body, 502));
		const items = (await drain()).items ?? [];
		expect(items[1].drainError).toBe(
			"Reading undeliverable notifications: Rapid answered 502 with a body that is not Rapid's error",
		);
	});

	it('a gateway 502 HTML page: words, not markup', async () => {
		const page =
			'<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
		server.script(json(batch('a', 1)), html(502, page));
		const items = (await drain()).items ?? [];
		expect(items[1].drainError).toBe(
			"Reading undeliverable notifications: Rapid answered 502 with an HTML page instead of Rapid's error (likely from a gateway or load balancer)",
		);
	});

	it('a gateway 503 in plain text: a short excerpt of it', async () => {
		server.script(json(batch('a', 1)), {
			kind: 'text',
			status: 503,
			body: 'upstream connect error',
		});
		const items = (await drain()).items ?? [];
		expect(items[1].drainError).toBe(
			`Reading undeliverable notifications: Rapid answered 503 with a body that is not Rapid's error: "upstream connect error"`,
		);
	});

	it("Rapid's own 503 whose message names ETIMEDOUT: the message stays Rapid's", async () => {
		server.script(
			json({ type: 'service_unavailable', message: 'Upstream ETIMEDOUT, try again' }, 503),
		);
		const result = await drain();
		expect(result.error?.message).toBe(
			'Reading undeliverable notifications: Rapid answered 503 service_unavailable: Upstream ETIMEDOUT, try again (after 4 attempts)',
		);
		expect(result.error?.description).toMatch(/Rapid is unavailable/);
	});

	it('a status line that is not HTTP: said to be unreadable, not "did not answer"', async () => {
		server.script({ kind: 'raw', bytes: 'HTTP/1.1 2OO OK\r\n\r\n' }, json([]));
		const items = (await drain()).items ?? [];
		expect(drainCalls()).toBe(1);
		expect(items[0]).toMatchObject({
			drainError: expect.stringMatching(
				/^Reading undeliverable notifications: Rapid answered with something that is not a readable HTTP answer \(HPE_/,
			),
			description: expect.stringMatching(LOSS),
		});
	});

	it('nothing received before a possible loss: the hint says no notification was received', async () => {
		server.script({ kind: 'drop' });
		const result = await drain();
		expect(result.hints).toEqual([
			expect.stringMatching(/^The drain failed before any notification was received in this run: /),
		]);
		expect(result.hints.join(' ')).not.toMatch(/They are all in the output/);
	});
});
