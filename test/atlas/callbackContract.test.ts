/**
 * Contract: every callback sample Atlas publishes, posted through the Atlas Trigger as Atlas sends
 * it. Each is emitted whole and in the documented shape; one without `cid` passes a secret guard
 * (IP allow-list, shared token) and is refused when the client ID is the only guard.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { canonicalEventType } from '../../nodes/Atlas/events';
import { createWebhookContext } from '../helpers/n8n';
import { DOCUMENTED_CALLBACKS, type DocumentedCallback } from './documentedCallbacks';
import { expectNoEvent } from '../helpers/refusals';

const trigger = new AtlasTrigger();
const SHARED = 'contract-value_1';
const ATLAS_IP = '203.0.113.9';

type Guard = 'client ID only' | 'shared token' | 'IP allow-list';

const GUARDS: Record<Guard, { parameters: INodeParameters; query?: IDataObject }> = {
	'client ID only': { parameters: {} },
	'shared token': { parameters: { tokenLocation: 'query' }, query: { token: SHARED } },
	'IP allow-list': { parameters: { options: { allowedIps: '203.0.113.0/24' } } },
};

async function post({ payload }: DocumentedCallback, guard: Guard) {
	const { parameters, query } = GUARDS[guard];
	const { context, response } = createWebhookContext({
		nodeType: trigger,
		parameters,
		credentials: {
			atlasApi: {
				environment: 'custom',
				baseUrl: 'http://127.0.0.1:9',
				// The account the sample was sent to: its own cid.
				clientId: String(payload.cid ?? 'the-account'),
				clientSecret: 'x',
				webhookToken: SHARED,
			},
		},
		request: {
			ip: ATLAS_IP,
			query,
			headers: { 'content-type': 'application/json;charset=UTF-8' },
			rawBody: Buffer.from(JSON.stringify(payload), 'utf8'),
		},
	});
	const result = await trigger.webhook.call(context);
	return { result, response, item: result.workflowData?.[0]?.[0]?.json };
}

const byName = DOCUMENTED_CALLBACKS.map((sample) => [sample.name, sample] as const);
const withoutCid = byName.filter(([, sample]) => sample.payload.cid === undefined);
const withCid = byName.filter(([, sample]) => sample.payload.cid !== undefined);

describe('Atlas Trigger: the documented callback samples', () => {
	it('include types without cid and with status -1', () => {
		expect(withoutCid.map(([, s]) => s.payload.type)).toEqual(
			expect.arrayContaining(['airline.status', 'order.cancelled']),
		);
		expect(DOCUMENTED_CALLBACKS.filter((s) => s.payload.status === -1).length).toBeGreaterThan(3);
	});

	describe.each<Guard>(['shared token', 'IP allow-list'])('behind the %s', (guard) => {
		it.each(byName)('%s: emitted whole, in the documented shape', async (_name, sample) => {
			const { result, item } = await post(sample, guard);
			expect(result.webhookResponse).toEqual({ received: true });
			const data = sample.payload.data as IDataObject;
			expect(item).toMatchObject({
				eventType: canonicalEventType(String(sample.payload.type)),
				orderNo: data.orderNo ?? null,
				notificationId: sample.payload.notificationId ?? null,
				payload: sample.payload,
			});
			expect(item).not.toHaveProperty('unexpectedShape');
		});
	});

	describe('with the client ID check as the only guard', () => {
		it.each(withCid)('%s: emitted', async (_name, sample) => {
			const { result, item } = await post(sample, 'client ID only');
			expect(result.webhookResponse).toEqual({ received: true });
			expect(item).not.toHaveProperty('unexpectedShape');
		});

		it.each(withoutCid)('%s (no cid): refused with 403', async (_name, sample) => {
			const { result, response } = await post(sample, 'client ID only');
			expectNoEvent(result);
			expect(response.statusCode).toBe(403);
		});
	});
});
