/**
 * The Expedia Rapid node (Notification → Get Undeliverable, Send Test) through a real n8n-core
 * ExecuteContext, against the sandbox over real HTTP.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { drainQueue } from '../../nodes/ExpediaRapid/actions/notification/getUndeliverable.operation';
import { RAPID_EVENT_TYPES } from '../../nodes/ExpediaRapid/events';
import { ExpediaRapid } from '../../nodes/ExpediaRapid/ExpediaRapid.node';
import type { RapidResponse } from '../../nodes/ExpediaRapid/transport';
import {
	rapidTestNotificationBaseUrl,
	RAPID_TEST_URL,
} from '../../nodes/ExpediaRapid/transport/baseUrl';
import {
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	startSandbox,
	type Sandbox,
} from '../../dev/sandbox';
import { createExecuteContext } from '../helpers/n8n';
import { expectApiError } from '../helpers/errors';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

const rapid = new ExpediaRapid();
let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0 });
});
afterAll(async () => await sb.close());
afterEach(() => {
	sb.faults.clear();
	sb.rapid.undeliverable.length = 0;
});

const credentials = (sharedSecret = DEFAULT_RAPID_SHARED_SECRET) => ({
	expediaRapidApi: {
		environment: 'custom',
		baseUrl: sb.url,
		apiKey: DEFAULT_RAPID_API_KEY,
		sharedSecret,
	},
});

async function run(
	parameters: INodeParameters,
	{ secret, continueOnFail = false }: { secret?: string; continueOnFail?: boolean } = {},
): Promise<{ items: INodeExecutionData[]; hints: string[] }> {
	const context = createExecuteContext({
		nodeType: rapid,
		parameters: { resource: 'notification', ...parameters },
		credentials: credentials(secret),
	});
	const hints: string[] = [];
	context.addExecutionHints = (...added) => hints.push(...added.map((h) => h.message));
	if (continueOnFail) context.continueOnFail = () => true;
	const [items] = await rapid.execute.call(context);
	return { items, hints };
}

const drain = async (parameters: INodeParameters = {}, options = {}) =>
	await run({ operation: 'getUndeliverable', ...parameters }, options);

const drainCalls = () => sb.requests.filter((r) => r.route === 'rapid.getUndeliverable').length;

describe('Notification → Get Undeliverable', () => {
	it.each([
		[0, 1],
		[1, 2],
		[25, 2],
		[26, 3],
		[1000, 41],
	])('drains %i queued notifications in %i calls, each exactly once', async (queued, calls) => {
		sb.rapid.enqueueUndeliverable(queued);
		const expected = sb.rapid.undeliverable.map((n) => (n as IDataObject).event_id);
		const before = drainCalls();
		const { items } = await drain();
		expect(drainCalls() - before).toBe(calls);
		expect(items.map((item) => item.json.event_id)).toEqual(expected);
		expect(new Set(expected).size).toBe(queued);
		expect(items.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(true);
		expect(sb.rapid.undeliverable).toHaveLength(0);
	});

	it('keeps every field of each notification', async () => {
		const odd = { ...sb.rapid.sampleNotification('itinerary.supplier.confirm'), topic_tags: ['x'] };
		sb.rapid.enqueueUndeliverable([odd]);
		const { items } = await drain();
		expect(items.map((i) => i.json)).toEqual([odd]);
	});

	it('still outputs the first 50 when the third call fails, and says so', async () => {
		sb.rapid.enqueueUndeliverable(80);
		const first50 = sb.rapid.undeliverable.slice(0, 50).map((n) => (n as IDataObject).event_id);
		sb.faults.add({ route: 'rapid.getUndeliverable', kind: 'http', status: 500, skip: 2 });
		const { items, hints } = await drain();
		const notifications = items.slice(0, -1);
		expect(notifications.map((i) => i.json.event_id)).toEqual(first50);
		expect(items[items.length - 1].json).toMatchObject({
			drainError: expect.stringMatching(/^Reading undeliverable notifications: Rapid answered 500/),
			notificationsReceived: 50,
		});
		expect(hints.join(' ')).toMatch(/failed after 50 notifications/);
		// The rest stay queued at Rapid for the next run.
		expect(sb.rapid.undeliverable).toHaveLength(30);
	});

	it('retries a 503 on the first call and then drains', async () => {
		sb.rapid.enqueueUndeliverable(3);
		sb.faults.add({ route: 'rapid.getUndeliverable', kind: 'http', status: 503, times: 1 });
		const { items } = await drain();
		expect(items).toHaveLength(3);
	});

	it('fails the usual way when the first call fails (nothing fetched, nothing lost)', async () => {
		sb.rapid.enqueueUndeliverable(3);
		const error = await expectApiError(drain({}, { secret: 'wrong-secret' }));
		expect(error.message).toMatch(/401 request_unauthenticated/);
		expect(JSON.stringify(error)).not.toContain('wrong-secret');
		expect(sb.rapid.undeliverable).toHaveLength(3);
	});

	it('turns the failure into an error item with Continue On Fail', async () => {
		const { items } = await drain({}, { secret: 'wrong-secret', continueOnFail: true });
		expect(items).toEqual([
			{
				json: expect.objectContaining({ error: expect.stringMatching(/401/) }),
				pairedItem: { item: 0 },
			},
		]);
	});

	it('stops at Max Calls and hints that more may be waiting', async () => {
		sb.rapid.enqueueUndeliverable(60);
		const { items, hints } = await drain({ maxCalls: 2 });
		expect(items).toHaveLength(50);
		expect(hints.join(' ')).toMatch(/Stopped after 2 calls/);
		expect(sb.rapid.undeliverable).toHaveLength(10);
	});

	it('sends the optional query parameters', async () => {
		const before = sb.requests.length;
		await drain({
			queryParameters: { billing_terms: 'BT', platform_name: ' web ', payment_terms: '' },
		});
		expect(sb.requests[before].query).toEqual({
			undeliverable: 'true',
			billing_terms: 'BT',
			platform_name: 'web',
		});
	});
});

describe('drainQueue', () => {
	it('keeps what an unreadable answer held as text and stops', async () => {
		const lost = Object.assign(new Error('not JSON'), { partialText: '<html>oops</html>' });
		const answers: Array<() => RapidResponse> = [
			() => ({ statusCode: 200, body: [{ event_id: 'a' }] }),
			() => {
				throw lost;
			},
			() => ({ statusCode: 200, body: [{ event_id: 'b' }] }),
		];
		const result = await drainQueue(async () => (answers.shift() as () => RapidResponse)(), 10);
		expect(result.notifications).toEqual([
			{ event_id: 'a' },
			{ unreadableResponse: '<html>oops</html>' },
		]);
		expect(result.stoppedBecause).toEqual({ error: lost });
	});

	it.each<[string, RapidResponse]>([
		['a 204', { statusCode: 204, body: undefined }],
		['[]', { statusCode: 200, body: [] }],
	])('treats %s as an empty queue', async (_name, answer) => {
		const result = await drainQueue(async () => answer, 10);
		expect(result).toEqual({ notifications: [], calls: 1 });
	});
});

describe('Notification → Send Test', () => {
	it.each(RAPID_EVENT_TYPES)('requests a %s test notification', async (eventType) => {
		const before = sb.rapid.testRequests.length;
		const { items } = await run({ operation: 'sendTest', eventType });
		expect(items).toEqual([
			{ json: { eventType, requested: true, statusCode: 204 }, pairedItem: { item: 0 } },
		]);
		expect(sb.rapid.testRequests.slice(before)).toEqual([expect.objectContaining({ eventType })]);
	});

	it('explains an unsupported type (400) clearly', async () => {
		const error = await expectApiError(
			run({ operation: 'sendTest', eventType: 'itinerary.unknown.thing' }),
		);
		expect(error.message).toMatch(/answered 400 invalid_input: Event type is not supported/);
		expect(error.description).toMatch(/\(fields: event_type \(path\)\)/);
	});

	it('passes the optional query parameters', async () => {
		const before = sb.rapid.testRequests.length;
		await run({
			operation: 'sendTest',
			eventType: 'itinerary.agent.cancel',
			queryParameters: { partner_point_of_sale: 'US' },
		});
		expect(sb.rapid.testRequests[before].params).toEqual({ partner_point_of_sale: 'US' });
	});

	it('always uses the test host unless the credential is Custom', () => {
		expect(rapidTestNotificationBaseUrl({ environment: 'production' })).toBe(RAPID_TEST_URL);
		expect(rapidTestNotificationBaseUrl({ environment: 'test' })).toBe(RAPID_TEST_URL);
		expect(rapidTestNotificationBaseUrl({ environment: 'custom', baseUrl: 'http://x:1/' })).toBe(
			'http://x:1',
		);
	});
});
