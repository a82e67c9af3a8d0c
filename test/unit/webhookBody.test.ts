/**
 * Both webhook triggers from version 1.1 on: n8n reads the body of such a node only for the content
 * types it parses itself, so a request without a Content-Type reaches the trigger unread. The
 * trigger reads it, and the event gets through exactly as with a JSON Content-Type.
 */
import type { IDataObject } from 'n8n-workflow';

import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { ExpediaRapidTrigger } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node';
import { buildAuthorizationHeader } from '../../nodes/ExpediaRapid/signature';
import { createWebhookContext } from '../helpers/n8n';
import { expectNoEvent } from '../helpers/refusals';

const rapid = new ExpediaRapidTrigger();
const atlas = new AtlasTrigger();

async function postRapid(body: string, headers: Record<string, string>, read: 'read' | 'unread') {
	const { context, response } = createWebhookContext({
		nodeType: rapid,
		typeVersion: 1.1,
		parameters: {},
		credentials: {
			expediaRapidApi: { environment: 'test', apiKey: 'key-1', sharedSecret: 'secret-1' },
		},
		staticData: {},
		request: {
			headers: { authorization: buildAuthorizationHeader('key-1', 'secret-1'), ...headers },
			...(read === 'read'
				? { rawBody: Buffer.from(body) }
				: { body: {}, unreadBody: Buffer.from(body) }),
		},
	});
	return { result: await rapid.webhook.call(context), response };
}

describe('a body n8n left unread', () => {
	const notification = {
		event_id: 'evt-unread-1',
		event_type: 'itinerary.agent.create',
		event_time: '2026-11-22T10:00:00.123Z',
		itinerary_id: '8091234567890',
	};

	it('Rapid Trigger: read by the trigger, same item as with a JSON Content-Type', async () => {
		const unread = await postRapid(JSON.stringify(notification), {}, 'unread');
		const read = await postRapid(
			JSON.stringify({ ...notification, event_id: 'evt-unread-2' }),
			{ 'content-type': 'application/json' },
			'read',
		);
		expect(unread.result.workflowData?.[0]?.[0]?.json).toMatchObject({
			event_id: 'evt-unread-1',
			event_type: 'itinerary.agent.create',
		});
		const withoutVariableFields = (item: IDataObject | undefined) => ({
			...item,
			event_id: undefined,
			receivedAt: undefined,
		});
		expect(withoutVariableFields(unread.result.workflowData?.[0]?.[0]?.json)).toEqual(
			withoutVariableFields(read.result.workflowData?.[0]?.[0]?.json),
		);
	});

	it('Rapid Trigger: an unread empty body is still a precise 400', async () => {
		const { result, response } = await postRapid('', {}, 'unread');
		expectNoEvent(result);
		expect(response.statusCode).toBe(400);
	});

	it('Atlas Trigger: read by the trigger and emitted', async () => {
		const event = {
			cid: 'client-1',
			type: 'order.ticketed',
			notificationId: '1234567890123456',
			status: 0,
			data: { orderNo: 'A1' },
		};
		const { context } = createWebhookContext({
			nodeType: atlas,
			typeVersion: 1.1,
			parameters: {},
			credentials: {
				atlasApi: { environment: 'sandbox', clientId: 'client-1', clientSecret: 's' },
			},
			staticData: {},
			request: { headers: {}, body: {}, unreadBody: Buffer.from(JSON.stringify(event)) },
		});
		const result = await atlas.webhook.call(context);
		expect(result.workflowData?.[0]?.[0]?.json).toMatchObject({
			payload: { type: 'order.ticketed', notificationId: '1234567890123456' },
		});
	});
});
