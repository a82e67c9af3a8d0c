/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling: never shipped, runs under Node.js in jest */
/**
 * Issue 21, item 11: an event whose execution n8n could not record must not be dropped as a
 * duplicate when the provider sends it again.
 *
 * Each call runs the Rapid Trigger's webhook() in a real n8n-core WebhookContext whose response is
 * a real Node.js `ServerResponse` (a client on a local server waits for the answer), and the test
 * plays n8n 2.40.7's part after webhook() returns (packages/cli webhooks/live-webhooks.js and
 * webhook-helpers.js, responseMode onReceived):
 * - execution recorded: n8n saves the call's static data if it changed, then answers 200;
 * - execution not recorded (WorkflowRunner.run threw: database locked, shutting down): n8n answers
 *   500 and saves nothing.
 * Every call loads the workflow's static data afresh from "the database", as n8n does.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, IWebhookResponseData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { ExpediaRapidTrigger } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node';
import { buildAuthorizationHeader } from '../../nodes/ExpediaRapid/signature';
import { pendingClaimCount } from '../../nodes/shared/dedupe';
import { createWebhookContext } from '../helpers/n8n';

const trigger = new ExpediaRapidTrigger();
const credentials = { expediaRapidApi: { environment: 'test', apiKey: 'k', sharedSecret: 's' } };

let server: ReturnType<typeof createServer>;
const waiting: Array<(res: ServerResponse) => void> = [];
beforeAll(async () => {
	server = createServer((req: IncomingMessage, res: ServerResponse) => {
		req.resume();
		// The two methods of Express's response that a trigger uses to answer by itself.
		Object.assign(res, {
			status: (code: number) => Object.assign(res, { statusCode: code }),
			json: (body: unknown) => res.end(JSON.stringify(body)),
		});
		waiting.shift()?.(res);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
});

/** One HTTP exchange: the server side's response, what the client heard, and hanging up. */
async function exchange() {
	const res = new Promise<ServerResponse>((resolve) => waiting.push(resolve));
	const { port } = server.address() as AddressInfo;
	let hangUp = () => {};
	const heard = new Promise<number>((resolve) => {
		const req = request({ host: '127.0.0.1', port, method: 'POST' }, (answer) => {
			answer.resume();
			resolve(answer.statusCode ?? 0);
		});
		req.on('error', () => resolve(0));
		hangUp = () => req.destroy();
		req.end('{}');
	});
	return { res: await res, heard, hangUp };
}

let workflows = 0;

/** One workflow as n8n keeps it: static data in its database row, every call a fresh copy. */
function workflow(id = `unrecorded-${++workflows}`, db = { staticData: {} as IDataObject }) {
	const call = async (eventId: string) => {
		const { res, heard, hangUp } = await exchange();
		const staticData = JSON.parse(JSON.stringify(db.staticData)) as IDataObject;
		const body = { event_id: eventId, event_type: 'itinerary.agent.create', itinerary_id: '1' };
		const { context } = createWebhookContext({
			nodeType: trigger,
			credentials,
			workflowId: id,
			staticData,
			request: {
				headers: {
					'content-type': 'application/json',
					authorization: buildAuthorizationHeader('k', 's'),
				},
				rawBody: Buffer.from(JSON.stringify(body)),
			},
		});
		(context.additionalData as { httpResponse?: unknown }).httpResponse = res;
		const result: IWebhookResponseData = await trigger.webhook.call(context);
		const emitted = result.workflowData?.[0]?.length === 1;
		/** n8n's answer once it knows whether the execution was recorded; resolves once sent. */
		const answer = async (recorded: boolean) => {
			if (recorded) db.staticData = JSON.parse(JSON.stringify(staticData)) as IDataObject;
			const closed = new Promise((resolve) =>
				res.closed ? resolve(null) : res.once('close', resolve),
			);
			res.statusCode = recorded ? 200 : 500;
			res.end(JSON.stringify(recorded ? result.webhookResponse : { message: 'problem' }));
			await closed;
		};
		if (!emitted && !res.writableEnded) {
			// Ignored: n8n answers 200 with the trigger's response and starts nothing.
			res.end(JSON.stringify(result.webhookResponse));
		}
		return { emitted, status: res.statusCode, answer, heard, hangUp, res };
	};
	/** The same database, a new process: nothing in memory. */
	return { call, restarted: () => workflow(`${id}-after-restart`, db) };
}

describe('Duplicate window: an event whose execution n8n did not record', () => {
	// Every accepted call below gets n8n's answer: none may stay claimed.
	afterEach(() => expect(pendingClaimCount()).toBe(0));

	it("is let through on the provider's retry (n8n answered 500)", async () => {
		const { call } = workflow();
		const first = await call('evt-failed');
		expect(first.emitted).toBe(true);
		await first.answer(false);
		expect(await first.heard).toBe(500);

		const retry = await call('evt-failed');
		expect(retry.emitted).toBe(true);
		await retry.answer(true);
		expect(await retry.heard).toBe(200);
		// Recorded now: the next copy is a duplicate.
		expect((await call('evt-failed')).emitted).toBe(false);
	});

	it('never reaches the static data another call saves, so a restart does not drop the retry', async () => {
		const flow = workflow();
		const failing = await flow.call('evt-lost-at-restart');
		const other = await flow.call('evt-other');
		await other.answer(true);
		await failing.answer(false);
		await Promise.all([failing.heard, other.heard]);

		// After a restart (or on another webhook process) only the database's static data counts.
		const after = flow.restarted();
		const retry = await after.call('evt-lost-at-restart');
		expect(retry.emitted).toBe(true);
		await retry.answer(true);
		expect((await after.call('evt-other')).emitted).toBe(false);
	});

	it('answers a copy arriving while the first is not yet recorded with a retryable 503, then by the outcome', async () => {
		const { call } = workflow();
		const first = await call('evt-in-flight');
		const copy = await call('evt-in-flight');
		expect(copy.emitted).toBe(false);
		expect(copy.status).toBe(503);
		await first.answer(true);
		await first.heard;
		expect((await call('evt-in-flight')).emitted).toBe(false);

		const second = await call('evt-in-flight-failing');
		expect((await call('evt-in-flight-failing')).status).toBe(503);
		await second.answer(false);
		await second.heard;
		const retry = await call('evt-in-flight-failing');
		expect(retry.emitted).toBe(true);
		await retry.answer(true);
	});

	it("waits for n8n's answer when the provider hung up first", async () => {
		const { call } = workflow();
		const first = await call('evt-hung-up');
		first.hangUp();
		await first.heard;
		await new Promise((resolve) =>
			first.res.closed ? resolve(null) : first.res.once('close', resolve),
		);
		// n8n goes on and then fails to record the execution.
		await first.answer(false);
		let retry = await call('evt-hung-up');
		for (let i = 0; retry.status === 503 && i < 100; i++) {
			await sleep(50);
			retry = await call('evt-hung-up');
		}
		expect(retry.emitted).toBe(true);
		await retry.answer(true);
	});

	it("keeps an id whose execution was recorded though the provider hung up before n8n's answer", async () => {
		const { call } = workflow();
		const first = await call('evt-hung-up-kept');
		first.hangUp();
		await first.heard;
		await new Promise((resolve) =>
			first.res.closed ? resolve(null) : first.res.once('close', resolve),
		);
		await first.answer(true);
		let retry = await call('evt-hung-up-kept');
		for (let i = 0; retry.status === 503 && i < 100; i++) {
			await sleep(50);
			retry = await call('evt-hung-up-kept');
		}
		expect(retry.emitted).toBe(false);
		expect(retry.status).toBe(200);
	});
});
