/**
 * The sample items of docs/sample-events.md: what each trigger emits for one event of each type,
 * so a user can set them as mock data. Posted through the real triggers to make and to check them.
 */
import type { IDataObject } from 'n8n-workflow';

import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { ExpediaRapidTrigger } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node';
import { createWebhookContext } from '../helpers/n8n';

export const SAMPLES_PAGE = 'docs/sample-events.md';

/** Fields that depend on the moment an event arrives: a sample shows one such moment. */
export const MOMENT_FIELDS = ['receivedAt', 'emailLinkExpiresAt'];

export type Provider = 'atlas' | 'rapid';

/** The item a trigger emits for `payload` (no guard in the way: the sample shows the event). */
export async function emittedItem(provider: Provider, payload: IDataObject): Promise<IDataObject> {
	const atlas = provider === 'atlas';
	const { context } = createWebhookContext({
		nodeType: atlas ? new AtlasTrigger() : new ExpediaRapidTrigger(),
		parameters: atlas
			? { requireClientId: false, options: { allowedIps: '127.0.0.1' } }
			: { verifySignature: false },
		credentials: atlas
			? {
					atlasApi: {
						environment: 'custom',
						baseUrl: 'http://127.0.0.1:9',
						clientId: 'x',
						clientSecret: 'x',
					},
				}
			: {
					expediaRapidApi: {
						environment: 'custom',
						baseUrl: 'http://127.0.0.1:9',
						apiKey: 'x',
						sharedSecret: 'x',
					},
				},
		staticData: {},
		request: {
			headers: { 'content-type': 'application/json' },
			rawBody: Buffer.from(JSON.stringify(payload), 'utf8'),
		},
	});
	const trigger = atlas ? new AtlasTrigger() : new ExpediaRapidTrigger();
	const result = await trigger.webhook.call(context);
	const item = result.workflowData?.[0]?.[0]?.json;
	if (!item)
		throw new Error(`The ${provider} trigger emitted nothing for ${JSON.stringify(payload)}`);
	return item;
}

/** The payload as received, read back from a sample item. */
export function payloadOf(provider: Provider, item: IDataObject): IDataObject {
	if (provider === 'atlas') return item.payload as IDataObject;
	const added = new Set(['receivedAt', 'newerEventSeen', 'newestEventTime']);
	return Object.fromEntries(Object.entries(item).filter(([key]) => !added.has(key)));
}
