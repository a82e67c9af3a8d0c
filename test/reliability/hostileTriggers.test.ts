/**
 * Both triggers against callers that probe, forge or overload them, and against settings that an
 * expression turned into nonsense: each case gets a precise answer and starts nothing it should not.
 */
import type { IDataObject, INodeParameters, INodeType, IWebhookResponseData } from 'n8n-workflow';

import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { canonicalEventType } from '../../nodes/Atlas/events';
import { ExpediaRapidTrigger } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node';
import {
	buildAuthorizationHeader,
	computeSignature,
	nowInSeconds,
} from '../../nodes/ExpediaRapid/signature';
import { CID, offlineTriggerCredentials } from '../atlas/fixtures';
import { createHookContext, createWebhookContext } from '../helpers/n8n';
import { expectNoEvent, refusalReportOf } from '../helpers/refusals';

const KEY = 'partner-api-key';
const SECRET = 'partner-shared-secret';
const credentials = offlineTriggerCredentials(
	{ apiKey: KEY, sharedSecret: SECRET },
	{ clientSecret: 'x' },
);

let counter = 0;
const rapidEvent = (): IDataObject => ({
	event_id: `evt-${++counter}`,
	event_type: 'itinerary.agent.create',
	itinerary_id: '8091234567890',
});

async function call(
	nodeType: INodeType,
	body: string,
	{ parameters = {}, headers = {} }: { parameters?: INodeParameters; headers?: IDataObject } = {},
) {
	const { context, response } = createWebhookContext({
		nodeType,
		parameters,
		credentials,
		request: {
			headers: { 'content-type': 'application/json', ...(headers as Record<string, string>) },
			rawBody: Buffer.from(body, 'utf8'),
		},
	});
	const result = (await nodeType.webhook?.call(context)) as IWebhookResponseData;
	return { result, response };
}

const rapid = new ExpediaRapidTrigger();
const atlas = new AtlasTrigger();
const signed = () => ({ authorization: buildAuthorizationHeader(KEY, SECRET) });

describe('the Rapid Trigger does not tell a caller which part of a forged header was wrong', () => {
	it('a wrong API key and a wrong signature get the same 401 answer', async () => {
		const ts = nowInSeconds();
		const goodSignature = computeSignature(KEY, SECRET, ts);
		const wrongKey = `EAN APIKey=guessed-key,Signature=${goodSignature},timestamp=${ts}`;
		const wrongSignature = `EAN APIKey=${KEY},Signature=${'0'.repeat(128)},timestamp=${ts}`;
		const body = JSON.stringify(rapidEvent());
		const a = await call(rapid, body, { headers: { authorization: wrongKey } });
		const b = await call(rapid, body, { headers: { authorization: wrongSignature } });
		expect(a.response.statusCode).toBe(401);
		expect(b.response.statusCode).toBe(401);
		expect(a.response.body).toEqual(b.response.body);
		expectNoEvent(a.result);
		expectNoEvent(b.result);
	});
});

describe('provider text that names a prototype property is an ordinary unknown type', () => {
	it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('%s', async (type) => {
		expect(canonicalEventType(type)).toBe(type);
		const payload = `{"cid":"${CID}","type":"${type}","notificationId":"n-${type}","data":{}}`;
		const { result } = await call(atlas, payload);
		const item = result.workflowData?.[0]?.[0]?.json;
		expect(item?.eventType).toBe(type);
		expect(typeof item?.eventType).toBe('string');
	});
});

describe('bodies nested deeper than any real payload are refused with 400', () => {
	const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

	it.each([
		['Rapid', rapid, signed],
		['Atlas', atlas, () => ({})],
	] as const)('%s Trigger: 20,000 levels → 400, nothing started', async (_name, node, headers) => {
		const { result, response } = await call(node, deep(20_000), { headers: headers() });
		expect(response.statusCode).toBe(400);
		expect(JSON.stringify(response.body)).toMatch(/nested deeper than 64 levels/);
		expectNoEvent(result);
	});

	it('64 levels are still accepted (inside a string, brackets do not count)', async () => {
		const body = JSON.stringify({
			...rapidEvent(),
			note: '[[[[{{{{'.repeat(100),
			x: JSON.parse(deep(62)),
		});
		const { result } = await call(rapid, body, { headers: signed() });
		expect(result.workflowData).toHaveLength(1);
	});
});

describe('numeric settings from expressions fail closed', () => {
	const signedAt = (secondsAgo: number) => ({
		authorization: buildAuthorizationHeader(KEY, SECRET, nowInSeconds() - secondsAgo),
	});

	it.each([
		['Timestamp Tolerance', { toleranceSeconds: 'abc' }],
		['Timestamp Tolerance', { toleranceSeconds: Infinity }],
		['Timestamp Tolerance', { toleranceSeconds: -5 }],
		['Duplicate Window (Events)', { dedupeWindowSize: Number.NaN }],
		['Duplicate Window (Events)', { dedupeWindowSize: 'abc' }],
		['Duplicate Window (Days)', { dedupeWindowDays: 'abc' }],
	])(
		'%s = %p: the call is refused (500) with no event, the report names the setting; in the editor and at activation it is an error',
		async (label, options) => {
			const parameters = { options } as INodeParameters;
			const body = JSON.stringify(rapidEvent());
			const setting = new RegExp(`Invalid setting: ${label.replace(/[()]/g, '\\$&')}`);
			// Signed 30 days ago: an unchecked "no limit" would let it through.
			const { result, response } = await call(rapid, body, {
				parameters,
				headers: signedAt(30 * 86400),
			});
			expectNoEvent(result);
			expect(response.statusCode).toBe(500);
			// The caller learns nothing about the setup; the report says which setting.
			expect(JSON.stringify(response.body)).not.toMatch(setting);
			const refusals = refusalReportOf(result)?.refusals as IDataObject[];
			expect(refusals).toEqual([
				expect.objectContaining({
					code: 'invalidSettings',
					detail: expect.stringMatching(setting),
				}),
			]);

			const { context } = createWebhookContext({
				nodeType: rapid,
				parameters,
				credentials,
				mode: 'manual',
				request: { headers: signedAt(30 * 86400), rawBody: Buffer.from(body) },
			});
			await expect(rapid.webhook.call(context)).rejects.toThrow(setting);
			const hook = createHookContext({ nodeType: rapid, parameters, credentials });
			await expect(rapid.webhookMethods.default.checkExists.call(hook)).rejects.toThrow(
				/Invalid setting/,
			);
		},
	);

	it('valid numbers given as text still work', async () => {
		const parameters = {
			options: { toleranceSeconds: '600', dedupeWindowSize: '5' },
		} as INodeParameters;
		const { result } = await call(rapid, JSON.stringify(rapidEvent()), {
			parameters,
			headers: signedAt(500),
		});
		expect(result.workflowData).toHaveLength(1);
	});
});

describe('an accepted event is acknowledged with JSON once n8n has recorded it', () => {
	const atlasBody = `{"cid":"${CID}","type":"order.ticketed","notificationId":"n-ack","data":{}}`;
	it.each<[string, INodeType, () => string, () => IDataObject]>([
		['Rapid', rapid, () => JSON.stringify(rapidEvent()), signed],
		['Atlas', atlas, () => atlasBody, () => ({})],
	])(
		'%s Trigger: n8n answers {"received":true}, not its default text',
		async (_name, node, body, headers) => {
			const { result, response } = await call(node, body(), { headers: headers() });
			expect(result.workflowData).toHaveLength(1);
			// n8n answers (after recording the execution), with this body: an empty responseData
			// makes it use the trigger's webhookResponse instead of the text "firstEntryJson".
			expect(result.noWebhookResponse).toBeUndefined();
			expect(response.ended).toBe(false);
			expect(result.webhookResponse).toEqual({ received: true });
			expect(node.description.webhooks?.[0]).toMatchObject({
				responseMode: 'onReceived',
				responseData: '',
			});
		},
	);
});
