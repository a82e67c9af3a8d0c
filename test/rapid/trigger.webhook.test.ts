/**
 * Expedia Rapid Trigger webhook(): each request runs through a real n8n-core WebhookContext with
 * the raw body n8n keeps for webhooks and the workflow's static data.
 */
import type { IDataObject, INodeParameters, IWebhookResponseData } from 'n8n-workflow';

import { RAPID_EVENT_TYPES } from '../../nodes/ExpediaRapid/events';
import { ExpediaRapidTrigger } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node';
import { STATE_KEYS } from '../../nodes/ExpediaRapid/ExpediaRapidTriggerHelpers';
import {
	buildAuthorizationHeader,
	computeSignature,
	nowInSeconds,
} from '../../nodes/ExpediaRapid/signature';
import { createWebhookContext } from '../helpers/n8n';
import { readStoredWindow } from '../../nodes/shared/dedupe';
import { expectNoEvent } from '../helpers/refusals';

const trigger = new ExpediaRapidTrigger();
const KEY = 'partner-api-key';
const SECRET = 'partner-shared-secret';
const credentials = {
	expediaRapidApi: { environment: 'test', apiKey: KEY, sharedSecret: SECRET },
};

let counter = 0;
const notification = (type = 'itinerary.agent.create', extra: IDataObject = {}): IDataObject => ({
	event_id: `evt-${++counter}`,
	event_type: type,
	event_time: '2026-11-22T10:00:00.123Z',
	itinerary_id: '8091234567890',
	email: 'customer@example.com',
	message: 'An agent created a new itinerary.',
	affiliate_reference_id: 'R194193582',
	...extra,
});

interface Call {
	parameters?: INodeParameters;
	/** undefined: a fresh valid header; null: no header at all. */
	authorization?: string | string[] | null;
	staticData?: IDataObject;
}

/** POSTs `body` (a string is sent as raw text) the way Rapid does. */
async function post(body: unknown, { parameters = {}, authorization, staticData = {} }: Call = {}) {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	const header =
		authorization === undefined ? buildAuthorizationHeader(KEY, SECRET) : authorization;
	const { context, response } = createWebhookContext({
		nodeType: trigger,
		parameters,
		credentials,
		staticData,
		request: {
			headers: {
				'content-type': 'application/json',
				...(header === null ? {} : { authorization: header }),
			},
			rawBody: Buffer.from(text, 'utf8'),
		},
	});
	const result = await trigger.webhook.call(context);
	return { result, response, item: result.workflowData?.[0]?.[0]?.json };
}

function expectEmitted(result: IWebhookResponseData) {
	expect(result.workflowData).toHaveLength(1);
	expect(result.workflowData?.[0]).toHaveLength(1);
	// n8n answers, once it has recorded the execution, with the trigger's acknowledgement.
	expect(result.noWebhookResponse).toBeUndefined();
	expect(result.webhookResponse).toEqual({ received: true });
}

function expectRejected(call: Awaited<ReturnType<typeof post>>, status: number, reason?: RegExp) {
	expectNoEvent(call.result);
	expect(call.response.statusCode).toBe(status);
	expect(call.response.ended).toBe(true);
	if (reason) expect(JSON.stringify(call.response.body)).toMatch(reason);
	expect(JSON.stringify(call.response.body)).not.toContain(SECRET);
}

function expectIgnored(result: IWebhookResponseData, reason: RegExp) {
	expect(result.workflowData).toBeUndefined();
	expect(result.noWebhookResponse).toBeUndefined();
	expect(JSON.stringify(result.webhookResponse)).toMatch(reason);
}

describe('Expedia Rapid Trigger: description', () => {
	it('answers as soon as the event is accepted and offers every notification type', () => {
		expect(trigger.description.webhooks).toEqual([
			expect.objectContaining({ httpMethod: 'POST', responseMode: 'onReceived' }),
		]);
		const events = trigger.description.properties.find((p) => p.name === 'events');
		const values = (events?.options as Array<{ value: string }>).map((o) => o.value);
		expect(values).toEqual(expect.arrayContaining(['*', ...RAPID_EVENT_TYPES]));
	});

	it('shows a warning only when verification is switched off', () => {
		const warning = trigger.description.properties.find((p) => p.name === 'noVerificationWarning');
		expect(warning?.type).toBe('notice');
		expect(warning?.displayOptions?.show?.verifySignature).toEqual([false]);
	});
});

describe('Expedia Rapid Trigger: signature verification', () => {
	const TS = nowInSeconds();
	const SIG = computeSignature(KEY, SECRET, TS);
	const GOOD = `EAN APIKey=${KEY},Signature=${SIG},timestamp=${TS}`;
	const at = (ts: number) => buildAuthorizationHeader(KEY, SECRET, ts);

	it('accepts a correctly signed notification', async () => {
		expectEmitted((await post(notification(), { authorization: GOOD })).result);
	});

	it.each([
		['upper-case hex', GOOD.replace(SIG, SIG.toUpperCase())],
		['extra whitespace', `EAN  APIKey=${KEY} , Signature=${SIG},  timestamp=${TS} `],
		['another parameter order', `EAN timestamp=${TS},Signature=${SIG},APIKey=${KEY}`],
		['tolerance - 1 s in the past', at(nowInSeconds() - 299)],
		['tolerance - 1 s in the future', at(nowInSeconds() + 299)],
	])('accepts %s', async (_name, authorization) => {
		expectEmitted((await post(notification(), { authorization })).result);
	});

	it.each([
		['a missing header', null, /Missing Authorization/],
		['an empty header', '', /Missing Authorization/],
		['a wrong scheme', GOOD.replace('EAN', 'Basic'), /scheme/],
		['a missing APIKey', `EAN Signature=${SIG},timestamp=${TS}`, /APIKey is missing/],
		['a missing Signature', `EAN APIKey=${KEY},timestamp=${TS}`, /Signature is missing/],
		['a missing timestamp', `EAN APIKey=${KEY},Signature=${SIG}`, /timestamp is missing/],
		['a duplicated part', `${GOOD},Signature=${SIG}`, /more than once/],
		['two Authorization headers', [GOOD, GOOD], /More than one/],
		[
			'a wrong API key',
			GOOD.replace(`APIKey=${KEY}`, 'APIKey=someone-else'),
			/Signature does not match/,
		],
		['a wrong signature', GOOD.replace(SIG, computeSignature(KEY, 'guess', TS)), /Signature/],
		['a truncated signature', GOOD.replace(SIG, SIG.slice(0, 100)), /hexadecimal/],
		['a non-numeric timestamp', GOOD.replace(`timestamp=${TS}`, 'timestamp=soon'), /Unix/],
		// Exact boundaries are pinned in the signature unit tests; here the clock keeps running
		// between signing and checking, so the future side keeps one second of slack.
		['tolerance + 1 s in the past', at(nowInSeconds() - 301), /tolerance 300/],
		['tolerance + 2 s in the future', at(nowInSeconds() + 302), /tolerance 300/],
		['a header signed with an empty secret', buildAuthorizationHeader(KEY, ''), /Signature/],
	])('answers 401 to %s and starts nothing', async (_name, authorization, reason) => {
		expectRejected(await post(notification(), { authorization }), 401, reason);
	});

	it('answers 401 when the credential has an empty secret', async () => {
		const { context, response } = createWebhookContext({
			nodeType: trigger,
			credentials: { expediaRapidApi: { apiKey: KEY, sharedSecret: '' } },
			request: {
				headers: { authorization: buildAuthorizationHeader(KEY, '') },
				rawBody: Buffer.from(JSON.stringify(notification())),
			},
		});
		const result = await trigger.webhook.call(context);
		expectNoEvent(result);
		expect(response.statusCode).toBe(401);
	});

	it('honours a configured tolerance', async () => {
		const parameters = { options: { toleranceSeconds: 60 } };
		expectRejected(
			await post(notification(), { parameters, authorization: at(nowInSeconds() - 62) }),
			401,
		);
		expectEmitted(
			(await post(notification(), { parameters, authorization: at(nowInSeconds() - 58) })).result,
		);
	});

	it('checks the signature before reading the body', async () => {
		expectRejected(
			await post('{not json', { authorization: GOOD.replace(SIG, '0'.repeat(128)) }),
			401,
		);
	});

	it('lets anything through only when verification is switched off explicitly', async () => {
		const call = await post(notification(), {
			authorization: null,
			parameters: { verifySignature: false },
		});
		expectEmitted(call.result);
	});
});

describe('Expedia Rapid Trigger: events', () => {
	it.each(RAPID_EVENT_TYPES)('emits %s with every field kept, plus receivedAt', async (type) => {
		const body = notification(type);
		const { result, item } = await post(body);
		expectEmitted(result);
		expect(item).toEqual({
			...body,
			receivedAt: expect.stringMatching(/^\d{4}-.*Z$/),
			// Out-of-order fields (test/reliability/eventOrder.test.ts): first event of its itinerary.
			newerEventSeen: false,
			newestEventTime: body.event_time,
		});
	});

	it('keeps rooms, topic_tags and fields nobody documented yet', async () => {
		const body = notification('itinerary.supplier.confirm', {
			rooms: [
				{ confirmation_id: { expedia: '926784314', property: 'BEF23123AA' } },
				{ confirmation_id: { expedia: '926784315' } },
			],
			topic_tags: ['cancellation', 'supplier'],
			brand_new_field: { nested: [1, 2, 3] },
		});
		const { item } = await post(body);
		expect(item).toMatchObject(body);
		expect(item).not.toHaveProperty('unexpectedShape');
	});

	it('passes an unknown event type through', async () => {
		const body = notification('itinerary.hologram.beamed');
		const { result, item } = await post(body, {
			parameters: { events: ['itinerary.supplier.cancel'] },
		});
		expectEmitted(result);
		expect(item?.event_type).toBe('itinerary.hologram.beamed');
	});

	it('drops unknown types too when asked', async () => {
		const { result } = await post(notification('itinerary.hologram.beamed'), {
			parameters: { events: ['itinerary.supplier.cancel'], options: { includeUnknown: false } },
		});
		expectIgnored(result, /not selected/);
	});

	it('emits only the selected types and acknowledges the rest', async () => {
		const parameters = { events: ['itinerary.supplier.cancel', 'itinerary.fraud.cancel'] };
		expectEmitted((await post(notification('itinerary.fraud.cancel'), { parameters })).result);
		expectIgnored(
			(await post(notification('itinerary.agent.change'), { parameters })).result,
			/not selected/,
		);
	});

	it('emits a body of unexpected shape, flagged with what differs', async () => {
		const body = { event_id: 42, event_type: 'itinerary.agent.cancel', rooms: 'none' };
		const { result, item } = await post(body);
		expectEmitted(result);
		expect(item).toMatchObject({ ...body, unexpectedShape: true });
		expect(item?.shapeIssues).toEqual(
			expect.arrayContaining([
				'event_id: Expected string, received number',
				'event_time: Required',
				'rooms: Expected array, received string',
			]),
		);
	});

	it('emits valid JSON that is not an object under `payload`, flagged', async () => {
		for (const body of [[notification()], 'just a string', 7, null]) {
			const { result, item } = await post(JSON.stringify(body));
			expectEmitted(result);
			expect(item).toMatchObject({ payload: body, unexpectedShape: true });
		}
	});

	it.each([
		['malformed JSON', '{"event_id": "x",'],
		['an empty body', ''],
		['only whitespace', '   '],
		['a JSON prefix followed by junk', '{"a":1} trailing'],
	])('answers 400 to %s and starts nothing', async (_name, text) => {
		expectRejected(await post(text), 400);
	});

	it('handles a huge body (1 MB of messages) without losing fields', async () => {
		const body = notification('itinerary.message.received', { message: 'x'.repeat(1024 * 1024) });
		const { result, item } = await post(body);
		expectEmitted(result);
		expect((item?.message as string).length).toBe(1024 * 1024);
	});
});

describe('Expedia Rapid Trigger: duplicates', () => {
	it('emits each event_id once and still answers 200 to a repeat', async () => {
		const staticData: IDataObject = {};
		const body = notification();
		expectEmitted((await post(body, { staticData })).result);
		const retry = await post({ ...body, message: 'retried' }, { staticData });
		expectIgnored(retry.result, /duplicate event_id/);
		expect(retry.response.statusCode).toBe(200);
		expectEmitted((await post(notification(), { staticData })).result);
	});

	it('keeps the window bounded by the configured size', async () => {
		const staticData: IDataObject = {};
		const parameters = { options: { dedupeWindowSize: 3 } };
		const bodies = [1, 2, 3, 4].map(() => notification());
		for (const body of bodies) await post(body, { staticData, parameters });
		const [nodeState] = Object.values(staticData) as IDataObject[];
		expect(readStoredWindow(nodeState[STATE_KEYS.seen])).toHaveLength(3);
		// The oldest id fell out of the window: it is emitted again.
		expectEmitted((await post(bodies[0], { staticData, parameters })).result);
		expectIgnored((await post(bodies[3], { staticData, parameters })).result, /duplicate/);
	});

	it('lets duplicates through when dropping is switched off', async () => {
		const staticData: IDataObject = {};
		const parameters = { options: { dropDuplicates: false } };
		const body = notification();
		expectEmitted((await post(body, { staticData, parameters })).result);
		expectEmitted((await post(body, { staticData, parameters })).result);
	});

	it('does not record forged, malformed or filtered requests', async () => {
		const staticData: IDataObject = {};
		const body = notification('itinerary.agent.change');
		await post(body, { staticData, authorization: null });
		await post(body, { staticData, parameters: { events: ['itinerary.fraud.cancel'] } });
		expectEmitted((await post(body, { staticData })).result);
		expect(JSON.stringify(staticData)).toContain(STATE_KEYS.seen);
	});
});
