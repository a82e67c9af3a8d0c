/**
 * The sandbox pushes signed notifications with Rapid's retry schedule (scaled down) to an HTTP
 * endpoint that runs the Expedia Rapid Trigger on each request. The endpoint loses the
 * acknowledgement of the first tries, as a flaky network would, so Rapid retries with the same
 * event_id: the workflow must start once per event_id.
 */
import type { IDataObject } from 'n8n-workflow';

import { ExpediaRapidTrigger } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node';
import {
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	startSandbox,
	type Sandbox,
} from '../../dev/sandbox';
import { createWebhookContext } from '../helpers/n8n';
import { startReceiver, type ReceivedRequest, type Receiver } from '../helpers/receiver';
import { eventItems } from '../helpers/refusals';

const trigger = new ExpediaRapidTrigger();
const credentials = {
	expediaRapidApi: {
		environment: 'test',
		apiKey: DEFAULT_RAPID_API_KEY,
		sharedSecret: DEFAULT_RAPID_SHARED_SECRET,
	},
};

let sb: Sandbox;
let endpoint: Receiver;
const staticData: IDataObject = {};
const emitted: IDataObject[] = [];
const attemptsPerEvent = new Map<string, number>();
/** Tries of each event whose acknowledgement is "lost" before one gets through. */
const LOST_ACKS = 2;

/** Runs the trigger as n8n would, then decides what Rapid gets to see. */
async function handle(_index: number, request: ReceivedRequest): Promise<number> {
	const { context, response } = createWebhookContext({
		nodeType: trigger,
		credentials,
		staticData,
		request: {
			headers: request.headers as Record<string, string>,
			rawBody: Buffer.from(request.body, 'utf8'),
		},
	});
	const result = await trigger.webhook.call(context);
	// Rejected (answered by the trigger without starting anything): Rapid sees that answer.
	if (result.noWebhookResponse) return response.statusCode;
	for (const item of eventItems(result)) emitted.push(item.json);
	const id = String((request.json as IDataObject).event_id);
	const attempt = (attemptsPerEvent.get(id) ?? 0) + 1;
	attemptsPerEvent.set(id, attempt);
	return attempt <= LOST_ACKS ? 504 : 200;
}

beforeAll(async () => {
	endpoint = await startReceiver(handle);
	// 5 min → 30 ms, 1 h → 360 ms.
	sb = await startSandbox({
		port: 0,
		rapid: { callbackUrl: endpoint.url, retryTimeScale: 0.0001 },
	});
});
afterAll(async () => {
	await sb.close();
	await endpoint.close();
});

it('emits each event_id once although Rapid delivered it three times', async () => {
	const types = sb.rapid.eventTypes;
	const deliveries = await Promise.all(
		types.map(async (type) => await sb.rapid.deliver(sb.rapid.sampleNotification(type))),
	);
	const outcomes = await Promise.all(deliveries.map(async (d) => await d.done));
	expect(outcomes.every((o) => o === 'delivered')).toBe(true);

	// Every event reached the trigger 1 + LOST_ACKS times, with the same event_id and body.
	expect(endpoint.received).toHaveLength(types.length * (1 + LOST_ACKS));
	for (const delivery of deliveries) {
		const id = (delivery.notification as IDataObject).event_id;
		const copies = endpoint.received.filter((r) => (r.json as IDataObject).event_id === id);
		expect(copies).toHaveLength(1 + LOST_ACKS);
		expect(new Set(copies.map((c) => c.body)).size).toBe(1);
	}
	// …and started the workflow once.
	expect(emitted.map((item) => item.event_id).sort()).toEqual(
		deliveries.map((d) => (d.notification as IDataObject).event_id).sort(),
	);
	expect(sb.rapid.undeliverable).toHaveLength(0);
});

it('answers a notification signed with another secret 401, so Rapid keeps retrying', async () => {
	const forged = sb.rapid.sampleNotification('itinerary.agent.cancel');
	const before = emitted.length;
	const result = await sb.rapid.push(forged, {
		authorization: `EAN APIKey=${DEFAULT_RAPID_API_KEY},Signature=${'ab'.repeat(64)},timestamp=${Math.floor(Date.now() / 1000)}`,
	});
	expect(result.status).toBe(401);
	expect(emitted.length).toBe(before);
});
