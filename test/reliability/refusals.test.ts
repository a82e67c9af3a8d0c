/**
 * Refused deliveries made visible (nodes/shared/refusalReport.ts), through the real triggers in real
 * n8n-core webhook contexts, on a fake clock: a rotated secret shows at once and then at most every
 * few minutes, a flood of forged calls starts a bounded number of executions, the report carries
 * nothing secret, and each trigger node has its own window.
 */
import type { IDataObject, INodeParameters, INodeType, IWebhookResponseData } from 'n8n-workflow';

import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { ExpediaRapidTrigger } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node';
import { buildAuthorizationHeader, computeSignature } from '../../nodes/ExpediaRapid/signature';
import { REASONS, REPORT_INTERVAL_MS } from '../../nodes/shared/refusalReport';
import { offlineTriggerCredentials, SAMPLE_EVENTS } from '../atlas/fixtures';
import { createWebhookContext, type FakeRequest } from '../helpers/n8n';
import { eventItems, expectNoEvent, refusalReportOf } from '../helpers/refusals';

const rapid = new ExpediaRapidTrigger();
const atlas = new AtlasTrigger();
const KEY = ['partner', 'api', 'key', '7781'].join('-');
const OLD_SECRET = ['old', 'shared', 'secret', '5512'].join('-');
const NEW_SECRET = ['rotated', 'shared', 'secret', '9034'].join('-');
const ATLAS_TOKEN = ['atlas', 'webhook', 'token', '4419'].join('-');
const CLIENT_SECRET = ['atlas', 'client', 'secret', '3307'].join('-');
// n8n still holds the old secret: Rapid has rotated to the new one.
const credentials = offlineTriggerCredentials(
	{ apiKey: KEY, sharedSecret: OLD_SECRET },
	{ clientSecret: CLIENT_SECRET, webhookToken: ATLAS_TOKEN },
);

const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const MINUTE = 60_000;

beforeEach(() => {
	jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
});
afterEach(() => jest.useRealTimers());

let counter = 0;
const notification = (): IDataObject => ({
	event_id: `evt-${++counter}`,
	event_type: 'itinerary.supplier.cancel',
	itinerary_id: '8091234567890',
});

interface Call {
	workflowId: string;
	nodeType?: INodeType;
	parameters?: INodeParameters;
	request: FakeRequest;
	mode?: 'webhook' | 'manual';
}

/** One call through the trigger's webhook(), with what it logged as warnings. */
async function send({ workflowId, nodeType = rapid, parameters = {}, request, mode }: Call) {
	const { context, response } = createWebhookContext({
		nodeType,
		workflowId,
		parameters,
		credentials,
		request,
		mode,
	});
	const warn = jest.spyOn(context.logger, 'warn').mockImplementation(() => undefined);
	const result = (await nodeType.webhook!.call(context)) as IWebhookResponseData;
	const logged = warn.mock.calls.map((args) => String(args[0]));
	warn.mockRestore();
	return { result, response, logged, report: refusalReportOf(result) };
}

/** Rapid's call signed with `secret` at the current (fake) time. */
const signedWith = (secret: string, body: IDataObject = notification()): FakeRequest => ({
	headers: {
		'content-type': 'application/json',
		authorization: buildAuthorizationHeader(KEY, secret),
	},
	rawBody: Buffer.from(JSON.stringify(body)),
});

const at = (ms: number) => jest.setSystemTime(T0 + ms);

describe('a rotated Rapid secret', () => {
	it('shows in a report on the Refused output at the first refused call, then at most every few minutes with the counts', async () => {
		const workflowId = 'rotation';
		const genuine = await send({ workflowId, request: signedWith(OLD_SECRET) });
		expect(eventItems(genuine.result)).toHaveLength(1);
		expect(genuine.report).toBeUndefined();

		// Rapid rotates its secret: every notification is now refused.
		at(1 * MINUTE);
		const first = await send({ workflowId, request: signedWith(NEW_SECRET) });
		expectNoEvent(first.result);
		expect(first.response.statusCode).toBe(401);
		expect(first.report).toMatchObject({
			refusedDeliveries: true,
			trigger: 'Expedia Rapid Trigger',
			refusedCount: 1,
			firstAt: new Date(T0 + MINUTE).toISOString(),
			refusals: [
				{
					code: 'signatureMismatch',
					reason: 'Signature did not match',
					whatToDo: expect.stringMatching(/shared secret in the Expedia Rapid API credential/),
					count: 1,
					httpStatus: 401,
				},
			],
		});
		expect(first.logged).toEqual([
			expect.stringMatching(/refused 1 call .*Signature did not match \(1\)/),
		]);

		// Within the interval: answered 401 each, counted, no report, no log line.
		for (const minute of [2, 3, 5]) {
			at(minute * MINUTE);
			const quiet = await send({ workflowId, request: signedWith(NEW_SECRET) });
			expect(quiet.response.statusCode).toBe(401);
			expect(quiet.result.workflowData).toBeUndefined();
			expect(quiet.logged).toEqual([]);
		}

		// The first call once the interval has passed reports everything counted since.
		at(1 * MINUTE + REPORT_INTERVAL_MS);
		const next = await send({ workflowId, request: signedWith(NEW_SECRET) });
		expect(next.response.statusCode).toBe(401);
		expect(next.report).toMatchObject({
			refusedCount: 4,
			firstAt: new Date(T0 + 2 * MINUTE).toISOString(),
			lastAt: new Date(T0 + MINUTE + REPORT_INTERVAL_MS).toISOString(),
			refusals: [{ code: 'signatureMismatch', count: 4 }],
		});
		expect(next.logged).toHaveLength(1);
	});

	it('tells a wrong API key, a stale signature and a missing one apart, each with what to do', async () => {
		const workflowId = 'kinds';
		const wrongKey = `EAN APIKey=other-key,Signature=${computeSignature('other-key', OLD_SECRET, T0 / 1000)},timestamp=${T0 / 1000}`;
		const stale = buildAuthorizationHeader(KEY, OLD_SECRET, T0 / 1000 - 3600);
		const body = Buffer.from(JSON.stringify(notification()));
		const first = await send({
			workflowId,
			request: { headers: { authorization: wrongKey }, rawBody: body },
		});
		expect(first.report?.refusals).toEqual([
			expect.objectContaining({
				code: 'apiKeyMismatch',
				reason: 'Signed with a different API key',
			}),
		]);
		await send({ workflowId, request: { headers: { authorization: stale }, rawBody: body } });
		await send({ workflowId, request: { headers: {}, rawBody: body } });
		await send({ workflowId, request: { headers: {}, rawBody: body } });
		at(REPORT_INTERVAL_MS);
		const { report } = await send({ workflowId, request: { headers: {}, rawBody: body } });
		expect(report?.refusals).toEqual([
			expect.objectContaining({ code: 'missingSignature', count: 3 }),
			expect.objectContaining({
				code: 'staleTimestamp',
				count: 1,
				whatToDo: expect.stringMatching(/clock/),
			}),
		]);
	});

	it('rides along with the next accepted event once the interval has passed, so nothing counted waits for another refusal', async () => {
		const workflowId = 'ride-along';
		await send({ workflowId, request: signedWith(NEW_SECRET) });
		at(1 * MINUTE);
		await send({ workflowId, request: signedWith(NEW_SECRET) });
		at(REPORT_INTERVAL_MS + 2 * MINUTE);
		const { result, report } = await send({ workflowId, request: signedWith(OLD_SECRET) });
		expect(eventItems(result)).toHaveLength(1);
		expect(result.webhookResponse).toEqual({ received: true });
		expect(report).toMatchObject({ refusedCount: 1, refusals: [{ count: 1 }] });
	});
	it('rides along with an ignored call too: the caller still hears "received", the report starts the execution', async () => {
		const workflowId = 'ride-along-ignored';
		const parameters = { events: ['itinerary.agent.create'] };
		await send({ workflowId, parameters, request: signedWith(NEW_SECRET) });
		at(1 * MINUTE);
		await send({ workflowId, parameters, request: signedWith(NEW_SECRET) });
		at(REPORT_INTERVAL_MS + 2 * MINUTE);
		// A supplier cancellation, not selected: acknowledged and ignored.
		const { result, report } = await send({
			workflowId,
			parameters,
			request: signedWith(OLD_SECRET),
		});
		expect(result.webhookResponse).toEqual({ received: true, ignored: 'event type not selected' });
		expect(eventItems(result)).toEqual([]);
		expect(report).toMatchObject({ refusedCount: 1 });
	});
});

describe('a clock that steps back', () => {
	it('makes a report due instead of silencing refusals for the size of the step', async () => {
		const workflowId = 'clock-back';
		at(10 * MINUTE);
		expect((await send({ workflowId, request: signedWith(NEW_SECRET) })).report).toBeDefined();
		// The clock steps back an hour: the next refusal is reported, not held for 65 minutes.
		at(-50 * MINUTE);
		const after = await send({ workflowId, request: signedWith(NEW_SECRET) });
		expect(after.response.statusCode).toBe(401);
		expect(after.report).toMatchObject({ refusedCount: 1 });
	});
});

describe('concurrent calls that finish out of order', () => {
	it('a call received just before the report went out starts no second report', async () => {
		// n8n 1.123 in the e2e suite: 400 forged calls 16 at a time gave 2 reports in 17 s.
		const workflowId = 'out-of-order';
		at(10 * MINUTE);
		expect((await send({ workflowId, request: signedWith(NEW_SECRET) })).report).toBeDefined();
		at(10 * MINUTE - 2000);
		const earlier = await send({ workflowId, request: signedWith(NEW_SECRET) });
		expect(earlier.response.statusCode).toBe(401);
		expect({ report: earlier.report, logged: earlier.logged }).toEqual({
			report: undefined,
			logged: [],
		});
	});
});

describe('a call whose body arrives minutes after the call began', () => {
	it('makes no report due: the interval counts from when calls are answered', async () => {
		const workflowId = 'slow-body';
		at(10 * MINUTE);
		expect((await send({ workflowId, request: signedWith(NEW_SECRET) })).report).toBeDefined();
		// Received at 4 min, validly signed; its unreadable body arrives just after 10 min.
		at(4 * MINUTE);
		const slow: FakeRequest = {
			headers: signedWith(OLD_SECRET).headers,
			get unreadBody() {
				at(10 * MINUTE + 2000);
				return Buffer.from('{not json');
			},
		};
		const late = await send({ workflowId, request: slow });
		expect(late.response.statusCode).toBe(400);
		expect({ report: late.report, logged: late.logged }).toEqual({ report: undefined, logged: [] });
	});
});

describe('a clock that steps back less than the interval', () => {
	it('holds the next report until the interval has passed after the last one', async () => {
		const workflowId = 'clock-back-short';
		at(10 * MINUTE);
		expect((await send({ workflowId, request: signedWith(NEW_SECRET) })).report).toBeDefined();
		at(7 * MINUTE);
		expect((await send({ workflowId, request: signedWith(NEW_SECRET) })).report).toBeUndefined();
		at(10 * MINUTE + REPORT_INTERVAL_MS);
		const due = await send({ workflowId, request: signedWith(NEW_SECRET) });
		expect(due.report).toMatchObject({ refusedCount: 2 });
	});
});

describe('a flood of forged calls', () => {
	it('10,000 forged calls over 10 minutes start 2 reports and no event, with 2 log lines', async () => {
		const workflowId = 'flood';
		// One context for the whole flood (the same forged request), so the test stays fast.
		const { context, response } = createWebhookContext({
			nodeType: rapid,
			workflowId,
			credentials,
			request: signedWith(NEW_SECRET),
		});
		const warn = jest.spyOn(context.logger, 'warn').mockImplementation(() => undefined);
		const reports: IDataObject[] = [];
		let events = 0;
		let refused = 0;
		for (let i = 0; i < 10_000; i++) {
			at(i * 60);
			const result = await rapid.webhook.call(context);
			if (response.statusCode === 401) refused++;
			events += eventItems(result).length;
			const report = refusalReportOf(result);
			if (report) reports.push(report);
		}
		expect({ refused, events }).toEqual({ refused: 10_000, events: 0 });
		// At the first call, and at the first call 5 minutes after it (call 5,000 at 300 s).
		expect(reports.map((r) => r.refusedCount)).toEqual([1, 5000]);
		expect(warn).toHaveBeenCalledTimes(2);
		warn.mockRestore();
	});

	it('with reporting turned off: no execution at all, still one log line per interval', async () => {
		const parameters = { options: { reportRefusals: false } };
		const logged: string[] = [];
		for (let i = 0; i < 50; i++) {
			at(i * MINUTE);
			const call = await send({ workflowId: 'off', parameters, request: signedWith(NEW_SECRET) });
			expect(call.result.workflowData).toBeUndefined();
			expect(call.response.statusCode).toBe(401);
			logged.push(...call.logged);
		}
		// Minutes 0, 5, 10 … 45.
		expect(logged).toHaveLength(10);
	});
});

describe('report content', () => {
	const SECRETS = [KEY, OLD_SECRET, NEW_SECRET, ATLAS_TOKEN, CLIENT_SECRET];

	it('holds no key, secret, token, signature or body text, and keeps only readable addresses', async () => {
		const workflowId = 'secrets';
		const bodyText = 'passenger PASSPORT-X99887766 card 4111111111111111';
		const forgedSignature = computeSignature(KEY, NEW_SECRET, T0 / 1000);
		const calls = [
			{ request: { ...signedWith(NEW_SECRET, { note: bodyText }), ip: '198.51.100.23' } },
			{
				request: {
					headers: { authorization: `EAN APIKey=${KEY},Signature=${forgedSignature},timestamp=x` },
					rawBody: Buffer.from(bodyText),
					ip: `<img src=x>${'9'.repeat(5000)}`,
				},
			},
			{
				nodeType: atlas,
				parameters: { tokenLocation: 'query' },
				request: { query: { token: `${ATLAS_TOKEN}x` }, rawBody: Buffer.from(bodyText) },
			},
			{
				nodeType: atlas,
				request: {
					rawBody: Buffer.from(JSON.stringify({ ...SAMPLE_EVENTS['order.void'], cid: bodyText })),
				},
			},
			{
				request: {
					headers: { authorization: buildAuthorizationHeader(KEY, OLD_SECRET) },
					rawBody: Buffer.from(bodyText),
				},
			},
		];
		const seen: string[] = [];
		for (const [i, call] of calls.entries()) {
			// Each on its own node, so that each call reports at once.
			const { report, logged, response } = await send({
				workflowId: `${workflowId}-${i}`,
				...call,
			});
			expect(report).toBeDefined();
			seen.push(JSON.stringify(report), ...logged, JSON.stringify(response.body));
		}
		const text = seen.join('\n');
		for (const secret of [...SECRETS, forgedSignature, bodyText, 'PASSPORT', '<img']) {
			expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
		}
		expect(text).toContain('"sourceAddresses":["198.51.100.23"]');
		expect(text.length).toBeLessThan(12_000);
	});
});

describe('window per trigger node', () => {
	it('each trigger node reports its own first refusal; another node being in its quiet spell does not hold it back', async () => {
		const first = await send({ workflowId: 'node-a', request: signedWith(NEW_SECRET) });
		const again = await send({ workflowId: 'node-a', request: signedWith(NEW_SECRET) });
		const other = await send({ workflowId: 'node-b', request: signedWith(NEW_SECRET) });
		const atlasNode = await send({
			workflowId: 'node-c',
			nodeType: atlas,
			request: {
				rawBody: Buffer.from(JSON.stringify({ ...SAMPLE_EVENTS['order.void'], cid: 'x' })),
			},
		});
		expect([first, again, other, atlasNode].map((c) => c.report?.refusedCount)).toEqual([
			1,
			undefined,
			1,
			1,
		]);
		expect(atlasNode.report).toMatchObject({
			trigger: 'Atlas Trigger',
			refusals: [{ code: 'clientIdMismatch', httpStatus: 403 }],
		});
	});

	it('a test call in the editor reports its own refusal at once and leaves the production window alone', async () => {
		const workflowId = 'manual';
		for (let i = 0; i < 2; i++) {
			const test = await send({ workflowId, mode: 'manual', request: signedWith(NEW_SECRET) });
			expect(test.response.statusCode).toBe(401);
			expect(test.report).toMatchObject({ refusedCount: 1 });
			expect(test.logged).toEqual([]);
		}
		const production = await send({ workflowId, request: signedWith(NEW_SECRET) });
		expect(production.report).toMatchObject({ refusedCount: 1 });
	});
});

describe('the words of the report', () => {
	it.each(Object.entries(REASONS))(
		'%s: plain words, what happened and what to do',
		(_code, wording) => {
			for (const text of [wording.reason, wording.whatToDo]) {
				expect(text).not.toMatch(/\bcid\b|CIDR|N8N_|\.do\b|updateWebhookURL|getPageList|EAN /);
			}
			expect(wording.reason).toMatch(/^[A-Z]/);
			expect(wording.whatToDo).toMatch(/^[A-Z].*\.$/);
		},
	);
});

describe('the node description', () => {
	it.each([
		['Expedia Rapid Trigger', rapid],
		['Atlas Trigger', atlas],
	])('%s: two outputs, Event and Refused, and the option on by default', (_name, node) => {
		expect(node.description.outputs).toHaveLength(2);
		expect(node.description.outputNames).toEqual(['Event', 'Refused']);
		const options = node.description.properties.find((p) => p.name === 'options');
		const option = options?.options?.find((o) => 'name' in o && o.name === 'reportRefusals');
		expect(option).toMatchObject({ displayName: 'Report Refused Deliveries', default: true });
	});
});
