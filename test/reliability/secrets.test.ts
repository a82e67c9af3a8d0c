/**
 * No key or secret in any output item or error, for every node and operation, on success and on
 * each kind of failure (wrong keys, provider errors, unreachable host, Continue On Fail).
 */
import { randomUUID } from 'crypto';
import type { INodeParameters, INodeType } from 'n8n-workflow';

import { Atlas } from '../../nodes/Atlas/Atlas.node';
import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { ExpediaRapid } from '../../nodes/ExpediaRapid/ExpediaRapid.node';
import { ExpediaRapidTrigger } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node';
import { buildAuthorizationHeader } from '../../nodes/ExpediaRapid/signature';
import { startSandbox, type Sandbox } from '../../dev/sandbox';
import { createExecuteContext, createWebhookContext, useRequestLimits } from '../helpers/n8n';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

// Distinctive values, made at run time, that must never show up anywhere.
const marker = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;
const ATLAS_ID = marker('atlas-id');
const ATLAS_SECRET = marker('atlas-secret');
const RAPID_KEY = marker('rapid-key');
const RAPID_SECRET = marker('rapid-secret');
const SECRETS = [ATLAS_SECRET, RAPID_KEY, RAPID_SECRET];

let sb: Sandbox;
beforeAll(async () => {
	useRequestLimits({ timeoutMs: 300 });
	sb = await startSandbox({
		port: 0,
		incidentCount: 30,
		atlas: { clientId: ATLAS_ID, clientSecret: ATLAS_SECRET },
		rapid: { apiKey: RAPID_KEY, sharedSecret: RAPID_SECRET },
	});
	sb.rapid.enqueueUndeliverable(30);
});
afterAll(async () => await sb.close());

type Variant = 'good' | 'wrongSecret' | 'unreachable';
const credentials = (variant: Variant) => {
	const baseUrl = variant === 'unreachable' ? 'http://127.0.0.1:9' : sb.url;
	const wrong = variant === 'wrongSecret';
	return {
		atlasApi: {
			environment: 'custom',
			baseUrl,
			clientId: ATLAS_ID,
			clientSecret: wrong ? `${ATLAS_SECRET}-wrong` : ATLAS_SECRET,
		},
		expediaRapidApi: {
			environment: 'custom',
			baseUrl,
			apiKey: RAPID_KEY,
			sharedSecret: wrong ? `${RAPID_SECRET}-wrong` : RAPID_SECRET,
		},
	};
};

/** Everything a user could see of an error: message, description, details, context, cause. */
function visible(value: unknown): string {
	if (!(value instanceof Error)) return JSON.stringify(value);
	const error = value as Error & Record<string, unknown>;
	return JSON.stringify({
		message: error.message,
		description: error.description,
		stack: error.stack,
		own: Object.fromEntries(Object.entries(error)),
		cause: error.cause instanceof Error ? visible(error.cause) : error.cause,
	});
}

const ACTIONS: Array<[string, INodeType, INodeParameters]> = [
	['Atlas Get Many', new Atlas(), { resource: 'incident', operation: 'getMany', returnAll: true }],
	[
		'Atlas Register URL',
		new Atlas(),
		{ resource: 'webhook', operation: 'register', url: 'https://n8n.example.com/webhook/x' },
	],
	[
		'Rapid Get Undeliverable',
		new ExpediaRapid(),
		{ resource: 'notification', operation: 'getUndeliverable' },
	],
	[
		'Rapid Send Test',
		new ExpediaRapid(),
		{ resource: 'notification', operation: 'sendTest', eventType: 'itinerary.agent.create' },
	],
];

describe.each(ACTIONS)('%s', (_name, nodeType, parameters) => {
	it.each([
		['succeeds', 'good', false],
		['fails on wrong keys', 'wrongSecret', false],
		['fails on wrong keys (Continue On Fail)', 'wrongSecret', true],
		['cannot reach the host', 'unreachable', false],
	] as Array<[string, Variant, boolean]>)(
		'%s without revealing a secret',
		async (_case, variant, continueOnFail) => {
			const context = createExecuteContext({
				nodeType,
				parameters,
				credentials: credentials(variant),
			});
			if (continueOnFail) context.continueOnFail = () => true;
			let seen: string;
			try {
				seen = visible(await nodeType.execute!.call(context));
			} catch (error) {
				seen = visible(error);
			}
			expect(seen.length).toBeGreaterThan(10);
			for (const secret of SECRETS) expect(seen).not.toContain(secret);
		},
	);
});

describe('triggers', () => {
	it.each([
		['a genuine notification', () => buildAuthorizationHeader(RAPID_KEY, RAPID_SECRET)],
		['a forged one', () => buildAuthorizationHeader(RAPID_KEY, 'guess')],
		['a stale one', () => buildAuthorizationHeader(RAPID_KEY, RAPID_SECRET, 1_000_000)],
	])('Rapid Trigger answers %s without echoing key or secret', async (_name, header) => {
		const trigger = new ExpediaRapidTrigger();
		const { context, response } = createWebhookContext({
			nodeType: trigger,
			credentials: credentials('good'),
			request: {
				headers: { authorization: header() },
				rawBody: Buffer.from(JSON.stringify(sb.rapid.sampleNotification('itinerary.agent.create'))),
			},
		});
		const seen = visible({ result: await trigger.webhook.call(context), body: response.body });
		for (const secret of SECRETS) expect(seen).not.toContain(secret);
	});

	it('Atlas Trigger output and rejections carry no secret', async () => {
		const trigger = new AtlasTrigger();
		for (const cid of [ATLAS_ID, 'someone-else']) {
			const { context, response } = createWebhookContext({
				nodeType: trigger,
				credentials: credentials('good'),
				request: {
					rawBody: Buffer.from(JSON.stringify(sb.atlas.sampleEvent('order.void', { cid }))),
				},
			});
			const seen = visible({ result: await trigger.webhook.call(context), body: response.body });
			for (const secret of SECRETS) expect(seen).not.toContain(secret);
		}
	});
});
