/**
 * Atlas Trigger webhook(): each request runs through a real n8n-core WebhookContext, with the raw
 * body n8n keeps for webhooks, the request IP and the workflow's static data.
 */
import type { IDataObject, INodeParameters, IWebhookResponseData } from 'n8n-workflow';

import { AtlasApi } from '../../credentials/AtlasApi.credentials';
import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { STATE_KEYS } from '../../nodes/Atlas/AtlasTriggerHelpers';
import { ATLAS_EVENT_TYPES } from '../../nodes/Atlas/events';
import { createWebhookContext, type FakeRequest } from '../helpers/n8n';
import { CID, SAMPLE_EVENTS } from './fixtures';
import { expectNoEvent } from '../helpers/refusals';

const trigger = new AtlasTrigger();
const credentials = {
	atlasApi: {
		environment: 'custom',
		baseUrl: 'http://127.0.0.1:9',
		clientId: CID,
		clientSecret: 'x',
	},
};

interface Call {
	parameters?: INodeParameters;
	request?: Omit<FakeRequest, 'body' | 'rawBody'>;
	staticData?: IDataObject;
}

/**
 * Posts `body` as JSON; a string is sent as the raw body text. A `token` parameter goes where it
 * lives: the credential's Webhook Token.
 */
async function post(body: unknown, { parameters = {}, request = {}, staticData = {} }: Call = {}) {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	const { token, ...nodeParameters } = parameters;
	const { context, response } = createWebhookContext({
		nodeType: trigger,
		parameters: nodeParameters,
		credentials: { atlasApi: { ...credentials.atlasApi, webhookToken: (token as string) ?? '' } },
		staticData,
		request: {
			...request,
			headers: { 'content-type': 'application/json;charset=UTF-8', ...request.headers },
			rawBody: Buffer.from(text, 'utf8'),
		},
	});
	const result = await trigger.webhook.call(context);
	return { result, response, item: result.workflowData?.[0]?.[0]?.json };
}

/** Behind an IP allow-list that lets the test caller (127.0.0.1) in. */
const BEHIND_ALLOW_LIST: Call = { parameters: { options: { allowedIps: '127.0.0.1' } } };

/** Accepted: one item, no direct response (n8n answers 200 on its own: responseMode onReceived). */
function expectEmitted(result: IWebhookResponseData) {
	expect(result.workflowData).toHaveLength(1);
	expect(result.workflowData?.[0]).toHaveLength(1);
	// n8n answers, once it has recorded the execution, with the trigger's acknowledgement.
	expect(result.noWebhookResponse).toBeUndefined();
	expect(result.webhookResponse).toEqual({ received: true });
}

/** Answered directly with `status`; no workflow starts. */
function expectRejected(call: Awaited<ReturnType<typeof post>>, status: number) {
	expectNoEvent(call.result);
	expect(call.response.statusCode).toBe(status);
	expect(call.response.ended).toBe(true);
}

/** Acknowledged with 200 by n8n, no workflow. */
function expectIgnored(result: IWebhookResponseData, reason: RegExp) {
	expect(result.workflowData).toBeUndefined();
	expect(result.noWebhookResponse).toBeUndefined();
	expect(JSON.stringify(result.webhookResponse)).toMatch(reason);
}

describe('Atlas Trigger: description', () => {
	it('answers as soon as the event is accepted', () => {
		expect(trigger.description.webhooks).toEqual([
			expect.objectContaining({ httpMethod: 'POST', responseMode: 'onReceived' }),
		]);
		expect(trigger.description.name).toBe('atlasTrigger');
	});
});

describe('Atlas Trigger: events', () => {
	it.each(ATLAS_EVENT_TYPES)(
		'emits a documented %s event with normalised fields on top',
		async (type) => {
			const payload = SAMPLE_EVENTS[type];
			// Some types come without cid: they need a secret guard.
			const { result, item } = await post(payload, BEHIND_ALLOW_LIST);
			expectEmitted(result);
			const data = payload.data as IDataObject;
			expect(item).toEqual({
				eventType: type,
				orderNo: data.orderNo ?? null,
				notificationId: payload.notificationId ?? null,
				receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
				...(data.emailLink ? { emailLinkExpiresAt: expect.any(String) } : {}),
				// Out-of-order fields: only email.all carries a time (its emailReceivingDate, UTC).
				newerEventSeen: false,
				newestEventTime:
					type === 'email.all' ? `${String(data.emailReceivingDate).replace(' ', 'T')}.000Z` : null,
				payload,
			});
		},
	);

	it.each(['email.all', 'email.schedulechange'])(
		'says when the email link of %s expires: 10 minutes after the event arrived',
		async (type) => {
			const { item } = await post(SAMPLE_EVENTS[type]);
			const received = Date.parse(String(item?.receivedAt));
			expect(Date.parse(String(item?.emailLinkExpiresAt)) - received).toBe(10 * 60 * 1000);
		},
	);

	// Atlas' email links are signed storage links with `Expires=<Unix seconds>` (the documented
	// sample); a link that runs out sooner than 10 minutes says so, a later or unreadable one does not.
	it.each([
		['runs out in 3 minutes', 3 * 60, 3 * 60 * 1000],
		['runs out in an hour', 3600, 10 * 60 * 1000],
		['ran out already', -60, -60 * 1000],
	])(
		'an email link that %s: the earlier of its Expires and 10 minutes',
		async (_, inSeconds, expected) => {
			const now = Math.floor(Date.now() / 1000);
			const base = SAMPLE_EVENTS['email.all'];
			const data = base.data as IDataObject;
			const link = `https://storage.example.com/a.eml?Expires=${now + inSeconds}&Signature=x`;
			const { item } = await post({ ...base, data: { ...data, emailLink: link } });
			const received = Date.parse(String(item?.receivedAt));
			const expiresAt = Date.parse(String(item?.emailLinkExpiresAt));
			// Expires has whole seconds: allow the part of a second lost in rounding.
			expect(Math.abs(expiresAt - received - expected)).toBeLessThan(2000);
		},
	);

	it.each(['Expires=soon', 'Expires=99999999999999', 'expires=1'])(
		'an email link with an unreadable %s: 10 minutes after the event',
		async (param) => {
			const base = SAMPLE_EVENTS['email.all'];
			const data = base.data as IDataObject;
			const link = `https://storage.example.com/a.eml?${param}`;
			const { item } = await post({ ...base, data: { ...data, emailLink: link } });
			const received = Date.parse(String(item?.receivedAt));
			expect(Date.parse(String(item?.emailLinkExpiresAt)) - received).toBe(10 * 60 * 1000);
		},
	);

	it('adds no expiry to events without an email link', async () => {
		const { item } = await post(SAMPLE_EVENTS['order.void']);
		expect(item).not.toHaveProperty('emailLinkExpiresAt');
	});

	it('passes unknown types through, whole', async () => {
		const payload = {
			cid: CID,
			type: 'order.seatAssigned',
			status: 0,
			data: { orderNo: 'X1', seat: '12A' },
		};
		const { result, item } = await post(payload);
		expectEmitted(result);
		expect(item).toMatchObject({ eventType: 'order.seatAssigned', orderNo: 'X1', payload });
		expect(item).not.toHaveProperty('unexpectedShape');
	});

	it('normalises the older spelling order.scheduleChange', async () => {
		const payload = { ...SAMPLE_EVENTS['order.schedulechange'], type: 'order.scheduleChange' };
		const { item } = await post(payload);
		expect(item?.eventType).toBe('order.schedulechange');
		expect((item?.payload as IDataObject).type).toBe('order.scheduleChange');
	});

	it('emits a payload of unexpected shape, flagged with what differs', async () => {
		const payload = {
			cid: CID,
			type: 'order.void',
			status: 'zero',
			data: { orderNo: ['A'], voidStatus: 42 },
		};
		const { result, item } = await post(payload);
		expectEmitted(result);
		expect(item).toMatchObject({
			eventType: 'order.void',
			orderNo: null,
			unexpectedShape: true,
			payload,
		});
		expect(item?.shapeIssues).toEqual([
			'status: Expected an integer',
			'data.orderNo: Expected a string or a number',
			'data.voidStatus: Expected one of 0, 1, 2, 3, 4, 5, 6',
		]);
	});

	it('emits valid JSON that is not an object at all, flagged (client ID check off)', async () => {
		for (const payload of [[SAMPLE_EVENTS['order.void']], 'just a string', 42, null]) {
			const text = JSON.stringify(payload);
			const { result, item } = await post(text, { parameters: { requireClientId: false } });
			expectEmitted(result);
			expect(item).toMatchObject({
				eventType: null,
				orderNo: null,
				unexpectedShape: true,
				payload,
			});
		}
	});

	it('carries a huge payload through intact', async () => {
		const paxTicketInfos = Array.from({ length: 20000 }, (_, i) => ({
			name: `PAX/NUMBER${i}`,
			ticketNos: [`999-${String(i).padStart(10, '0')}`],
			airlinePNRs: ['NX4K2P'],
		}));
		const payload = {
			...SAMPLE_EVENTS['order.ticketed'],
			data: { orderNo: 'BIG', paxTicketInfos },
		};
		expect(JSON.stringify(payload).length).toBeGreaterThan(1_500_000);
		const { result, item } = await post(payload);
		expectEmitted(result);
		expect(item?.payload).toEqual(payload);
		expect(item).not.toHaveProperty('unexpectedShape');
	});

	it('caps the list of shape issues of a huge odd payload', async () => {
		const paxTicketInfos = Array.from({ length: 5000 }, () => ({ ticketNos: 'not-a-list' }));
		const payload = {
			...SAMPLE_EVENTS['order.ticketed'],
			data: { orderNo: 'BIG', paxTicketInfos },
		};
		const { item } = await post(payload);
		expect(item?.unexpectedShape).toBe(true);
		expect((item?.shapeIssues as string[]).length).toBeLessThanOrEqual(20);
	});
});

describe('Atlas Trigger: malformed bodies', () => {
	it.each([
		['truncated JSON', '{"cid":"atlas-test-client","type":"order.void",'],
		['not JSON', 'cid=1&type=order.void'],
		['empty body', ''],
		['whitespace', '  \n '],
	])('answers 400 to %s and starts nothing', async (_name, text) => {
		const call = await post(text);
		expectRejected(call, 400);
		expect(call.response.body).toEqual({ error: expect.stringMatching(/JSON/) });
	});

	it('answers 400 to a huge malformed body', async () => {
		const text = `{"cid":"${CID}","type":"order.ticketed","data":{"x":"${'y'.repeat(3_000_000)}"`;
		expectRejected(await post(text), 400);
	});
});

describe('Atlas Trigger: event filter', () => {
	const only = (events: string[], options: INodeParameters = {}): Call => ({
		parameters: { events, options },
	});

	it('emits the selected types only', async () => {
		const filter = only(['order.schedulechange', 'abnormal.cancelled']);
		expectEmitted((await post(SAMPLE_EVENTS['order.schedulechange'], filter)).result);
		expectEmitted((await post(SAMPLE_EVENTS['abnormal.cancelled'], filter)).result);
		expectIgnored((await post(SAMPLE_EVENTS['order.ticketed'], filter)).result, /not selected/);
	});

	it('matches the older spelling against the current type', async () => {
		const payload = { ...SAMPLE_EVENTS['order.schedulechange'], type: 'order.scheduleChange' };
		expectEmitted((await post(payload, only(['order.schedulechange']))).result);
	});

	it('passes unknown types by default and drops them when asked', async () => {
		const payload = { cid: CID, type: 'order.brandNew', data: {} };
		expectEmitted((await post(payload, only(['order.void']))).result);
		expectIgnored(
			(await post(payload, only(['order.void'], { includeUnknown: false }))).result,
			/not selected/,
		);
	});

	it('emits everything with "All Events"', async () => {
		for (const payload of Object.values(SAMPLE_EVENTS)) {
			expectEmitted((await post(payload, only(['*'], { allowedIps: '127.0.0.1' }))).result);
		}
	});
});

describe('Atlas Trigger: client ID (cid) check', () => {
	it('rejects a cid of another account with 403', async () => {
		const call = await post({ ...SAMPLE_EVENTS['order.void'], cid: 'someone-else' });
		expectRejected(call, 403);
		expect(call.response.body).toEqual({ error: expect.stringMatching(/cid/) });
	});

	it('rejects a missing cid with 403 unless allowed', async () => {
		const payload = { ...SAMPLE_EVENTS['order.void'] };
		delete payload.cid;
		expectRejected(await post(payload), 403);
		expectEmitted(
			(await post(payload, { parameters: { options: { acceptMissingClientId: true } } })).result,
		);
	});

	it('refuses an event without cid when the client ID is the only guard', async () => {
		expectRejected(await post(SAMPLE_EVENTS['airline.status']), 403);
	});

	it('lets an event without cid through behind the allow-list or the token, never a wrong cid', async () => {
		const token = {
			parameters: { tokenLocation: 'query', token: 'tok' },
			request: { query: { token: 'tok' } },
		};
		expectEmitted((await post(SAMPLE_EVENTS['airline.status'], BEHIND_ALLOW_LIST)).result);
		expectEmitted((await post(SAMPLE_EVENTS['airline.status'], token)).result);
		const wrongCid = { ...SAMPLE_EVENTS['airline.status'], cid: 'someone-else' };
		expectRejected(await post(wrongCid, BEHIND_ALLOW_LIST), 403);
		expectRejected(await post(wrongCid, token), 403);
	});

	it('checks against an expected client ID given in the options instead of the credential', async () => {
		const parameters = { options: { expectedClientId: 'sub-account-7' } };
		expectEmitted(
			(await post({ ...SAMPLE_EVENTS['order.void'], cid: 'sub-account-7' }, { parameters })).result,
		);
		expectRejected(await post(SAMPLE_EVENTS['order.void'], { parameters }), 403);
	});

	it('accepts anything when the check is off', async () => {
		const parameters = { requireClientId: false };
		expectEmitted(
			(await post({ ...SAMPLE_EVENTS['order.void'], cid: 'someone-else' }, { parameters })).result,
		);
	});
});

describe('Atlas Trigger: shared token', () => {
	const TOKEN = ['shared', 'test', 'value'].join('-');

	it('in the URL: accepts the right token, 401 for a wrong or missing one', async () => {
		const parameters = { tokenLocation: 'query', token: TOKEN };
		const payload = SAMPLE_EVENTS['order.void'];
		expectEmitted(
			(await post(payload, { parameters, request: { query: { token: TOKEN } } })).result,
		);
		expectRejected(
			await post(payload, { parameters, request: { query: { token: `${TOKEN}x` } } }),
			401,
		);
		expectRejected(await post(payload, { parameters }), 401);
		expectRejected(
			await post(payload, { parameters, request: { headers: { 'x-atlas-token': TOKEN } } }),
			401,
		);
	});

	it('in a header: accepts the right token (Bearer or bare), 401 otherwise', async () => {
		const parameters = { tokenLocation: 'header', token: TOKEN, headerName: 'X-Gateway-Token' };
		const payload = SAMPLE_EVENTS['order.void'];
		const withHeader = (value: string) => ({
			parameters,
			request: { headers: { 'x-gateway-token': value } },
		});
		expectEmitted((await post(payload, withHeader(TOKEN))).result);
		expectEmitted((await post(payload, withHeader(`Bearer ${TOKEN}`))).result);
		expectRejected(await post(payload, withHeader('wrong')), 401);
		expectRejected(await post(payload, { parameters, request: { query: { token: TOKEN } } }), 401);
	});

	it('checks the token before reading the body', async () => {
		const call = await post('{not json', { parameters: { tokenLocation: 'query', token: TOKEN } });
		expectRejected(call, 401);
	});

	it('lives in the credential: the workflow holds no token', () => {
		const names = trigger.description.properties.map((p) => p.name);
		expect(names).not.toContain('token');
		const field = new AtlasApi().properties.find((p) => p.name === 'webhookToken');
		expect(field?.typeOptions?.password).toBe(true);
	});

	it('never echoes the token', async () => {
		const call = await post(SAMPLE_EVENTS['order.void'], {
			parameters: { tokenLocation: 'query', token: TOKEN },
			request: { query: { token: 'guess' } },
		});
		expect(JSON.stringify(call.response.body)).not.toContain(TOKEN);
	});
});

describe('Atlas Trigger: IP allow-list', () => {
	const allow = (allowedIps: string, ip: string) => ({
		parameters: { options: { allowedIps } },
		request: { ip },
	});
	const payload = SAMPLE_EVENTS['order.void'];

	it.each([
		['203.0.113.0/24', '203.0.113.77'],
		['203.0.113.0/24', '::ffff:203.0.113.77'],
		['198.51.100.7, 2001:db8::/32', '2001:db8::1234'],
		['198.51.100.7\n10.0.0.0/8', '10.9.8.7'],
	])('allows a caller inside %p (%s)', async (list, ip) => {
		expectEmitted((await post(payload, allow(list, ip))).result);
	});

	it.each([
		['203.0.113.0/24', '203.0.114.1'],
		['203.0.113.0/24', '::ffff:203.0.114.1'],
		['2001:db8::/32', '2001:db9::1'],
		['203.0.113.0/24', ''],
		['not-an-address', '203.0.113.77'],
	])('answers 403 to a caller outside %p (%p)', async (list, ip) => {
		const call = await post(payload, allow(list, ip));
		expectRejected(call, 403);
		expect(call.response.body).toEqual({ error: 'Source IP not allowed' });
	});

	it('checks the source before reading the body', async () => {
		expectRejected(await post('{broken', allow('10.0.0.0/8', '192.0.2.1')), 403);
	});
});

describe('Atlas Trigger: duplicates', () => {
	it('emits a notificationId once within the window', async () => {
		const staticData: IDataObject = {};
		const payload = SAMPLE_EVENTS['order.schedulechange'];
		expectEmitted((await post(payload, { staticData })).result);
		expectIgnored((await post(payload, { staticData })).result, /duplicate/);
		expectEmitted((await post({ ...payload, notificationId: 'N-SC-2' }, { staticData })).result);
		expect(Object.keys(staticData['node:Atlas Trigger'] as IDataObject)).toEqual([STATE_KEYS.seen]);
	});

	it('never drops events without a notificationId', async () => {
		const staticData: IDataObject = {};
		for (let i = 0; i < 3; i++) {
			expectEmitted((await post(SAMPLE_EVENTS['order.ticketed'], { staticData })).result);
		}
	});

	it('does not record filtered or rejected events', async () => {
		const staticData: IDataObject = {};
		const payload = SAMPLE_EVENTS['email.schedulechange'];
		await post(payload, { staticData, parameters: { events: ['order.void'] } });
		await post({ ...payload, cid: 'intruder' }, { staticData });
		expectEmitted((await post(payload, { staticData })).result);
	});

	it('can be switched off', async () => {
		const staticData: IDataObject = {};
		const parameters = { options: { dropDuplicates: false } };
		const payload = SAMPLE_EVENTS['email.all'];
		expectEmitted((await post(payload, { staticData, parameters })).result);
		expectEmitted((await post(payload, { staticData, parameters })).result);
	});
});
