/**
 * Atlas Trigger webhookMethods, driven the way n8n drives them: on activation n8n calls
 * checkExists() and, when that says false, create(); on deactivation (and when "Listen for test
 * event" ends) delete(). Test webhooks run with mode and activation 'manual' and the test URL.
 */
import type { IDataObject, INodeParameters, WorkflowActivateMode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { DEFAULT_ATLAS_CLIENT_ID, DEFAULT_ATLAS_CLIENT_SECRET } from '../../dev/sandbox';
import { atlasApiRequest } from '../../nodes/Atlas/transport';
import { createHookContext, createWebhookContext } from '../helpers/n8n';
import { eventItems, refusalReportOf } from '../helpers/refusals';
import { atlasCredentials, requestsTo, useSandbox } from './sandbox';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

const trigger = new AtlasTrigger();
const methods = trigger.webhookMethods.default;
const PRODUCTION_URL = 'http://localhost:5678/webhook/test-webhook-id/webhook';
const TEST_URL = 'http://localhost:5678/webhook-test/test-webhook-id/webhook';
const SEEDED_URL = 'https://console.example.com/set-by-hand';

const sandbox = useSandbox(1);

/**
 * A hook context for the node with `parameters`; registration is switched on unless they say
 * otherwise (it is opt-in), and `token` goes where it lives: the credential's Webhook Token.
 */
function hookContext(
	{ token, ...parameters }: INodeParameters,
	how: { test?: boolean; activation?: WorkflowActivateMode; workflowId?: string } = {},
) {
	const { atlasApi } = atlasCredentials(sandbox());
	return createHookContext({
		nodeType: trigger,
		parameters: { registerOnActivation: true, ...parameters },
		credentials: { atlasApi: { ...atlasApi, webhookToken: (token as string) ?? '' } },
		isTest: how.test ?? false,
		mode: how.test ? 'manual' : 'trigger',
		activation: how.test ? 'manual' : (how.activation ?? 'activate'),
		workflowId: how.workflowId,
	});
}

/** What n8n's WebhookService.createWebhookIfNotExists does. */
async function activate(parameters: INodeParameters, how?: Parameters<typeof hookContext>[1]) {
	const context = hookContext(parameters, how);
	if (!(await methods.checkExists.call(context))) await methods.create.call(context);
}

/** An event from Atlas to the trigger node of workflow `workflowId`, as n8n hands it over. */
async function deliver(workflowId: string, payload: unknown) {
	const { context } = createWebhookContext({
		nodeType: trigger,
		workflowId,
		parameters: { registerOnActivation: true },
		credentials: atlasCredentials(sandbox()),
		request: { rawBody: Buffer.from(JSON.stringify(payload)) },
	});
	jest.spyOn(context.logger, 'warn').mockImplementation(() => undefined);
	return await trigger.webhook.call(context);
}

const registrations = () => requestsTo(sandbox(), 'atlas.updateWebhookURL');

/**
 * Sets the account's URL as if by hand in the Atlas console, then runs `action` and returns its
 * outcome with the registrations it made.
 */
async function fromSeededUrl(action: () => Promise<unknown>) {
	await atlasApiRequest.call(hookContext({}), 'Registering the webhook URL', 'updateWebhookURL', {
		url: SEEDED_URL,
	});
	const start = registrations().length;
	const outcome = await action().then(
		(value) => ({ value, error: undefined }),
		(error: unknown) => ({ value: undefined, error }),
	);
	return { ...outcome, calls: registrations().slice(start) };
}

describe('Atlas Trigger: activation', () => {
	it('registers the production URL through updateWebhookURL.do', async () => {
		const { calls } = await fromSeededUrl(async () => await activate({}));
		expect(calls).toHaveLength(1);
		expect(calls[0].body).toEqual({ url: PRODUCTION_URL });
		expect(sandbox().atlas.webhookUrl()).toBe(PRODUCTION_URL);
	});

	it('re-registers on every activation and restart, since Atlas cannot say what it has', async () => {
		const { calls } = await fromSeededUrl(async () => {
			await activate({}, { activation: 'activate' });
			await activate({}, { activation: 'init' });
		});
		expect(calls).toHaveLength(2);
		expect(sandbox().atlas.webhookUrl()).toBe(PRODUCTION_URL);
	});

	it('adds the shared token to the registered URL when it travels in the query', async () => {
		await activate({ tokenLocation: 'query', token: 'a b&c' });
		expect(sandbox().atlas.webhookUrl()).toBe(`${PRODUCTION_URL}?token=a%20b%26c`);
	});

	it('registers nothing unless the user opts in: the account has one URL for all its events', async () => {
		const context = createHookContext({
			nodeType: trigger,
			parameters: {},
			credentials: atlasCredentials(sandbox()),
		});
		const { calls } = await fromSeededUrl(async () => {
			if (!(await methods.checkExists.call(context))) await methods.create.call(context);
		});
		expect(calls).toHaveLength(0);
		expect(sandbox().atlas.webhookUrl()).toBe(SEEDED_URL);
		const notice = trigger.description.properties.find((p) => p.name === 'registerWarning');
		expect(notice?.displayOptions?.show?.registerOnActivation).toEqual([true]);
		expect(notice?.displayName).toMatch(/replace the webhook URL of this Atlas account/);
	});

	it('leaves the URL alone when registration is off', async () => {
		const { calls } = await fromSeededUrl(
			async () => await activate({ registerOnActivation: false }),
		);
		expect(calls).toHaveLength(0);
		expect(sandbox().atlas.webhookUrl()).toBe(SEEDED_URL);
	});

	it('fails activation with the Atlas error when a user activates', async () => {
		const { error } = await fromSeededUrl(async () => {
			sandbox().faults.add({ route: 'atlas.updateWebhookURL', kind: 'atlas-status', status: 902 });
			await activate({});
		});
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).message).toMatch(/status 902/);
	});

	it('keeps serving at n8n start-up when Atlas cannot be reached (the earlier URL stands)', async () => {
		const { error, calls } = await fromSeededUrl(async () => {
			sandbox().faults.add({ route: 'atlas.updateWebhookURL', kind: 'http', status: 503 });
			await activate({}, { activation: 'init' });
		});
		expect(error).toBeUndefined();
		expect(calls.length).toBeGreaterThan(1);
	});

	it('at start-up, a failed registration shows in the report of the next call, while the URL keeps serving', async () => {
		const workflowId = 'restart-with-atlas-down';
		sandbox().faults.add({ route: 'atlas.updateWebhookURL', kind: 'http', status: 503 });
		const restart = hookContext({}, { activation: 'init', workflowId });
		const warn = jest.spyOn(restart.logger, 'warn').mockImplementation(() => undefined);
		expect(await methods.checkExists.call(restart)).toBe(false);
		// Activation succeeds: n8n keeps the webhook, so events still arrive.
		await expect(methods.create.call(restart)).resolves.toBe(true);
		expect(warn).toHaveBeenCalledWith(expect.stringMatching(/could not re-register its URL/));
		warn.mockRestore();
		sandbox().faults.clear();

		// The next event is emitted as usual, with the report on the Refused output beside it.
		const event = await deliver(workflowId, sandbox().atlas.sampleEvent('order.ticketed', {}));
		expect(eventItems(event)).toHaveLength(1);
		expect(refusalReportOf(event)).toMatchObject({
			refusedDeliveries: true,
			refusedCount: 0,
			refusals: [],
			problems: [
				{
					code: 'urlNotRegistered',
					reason: 'Could not point Atlas at this URL when n8n started',
					whatToDo: expect.stringMatching(/publish the workflow again/),
					detail: expect.stringMatching(/503/),
					count: 1,
				},
			],
		});
		expect(JSON.stringify(refusalReportOf(event))).not.toContain(DEFAULT_ATLAS_CLIENT_SECRET);
	});

	it('a later successful registration takes the problem back before it is reported', async () => {
		const workflowId = 'restart-then-recovered';
		sandbox().faults.add({ route: 'atlas.updateWebhookURL', kind: 'http', status: 503 });
		const restart = hookContext({}, { activation: 'init', workflowId });
		jest.spyOn(restart.logger, 'warn').mockImplementation(() => undefined);
		await methods.create.call(restart);
		sandbox().faults.clear();
		await methods.create.call(hookContext({}, { activation: 'init', workflowId }));

		const event = await deliver(workflowId, sandbox().atlas.sampleEvent('order.ticketed', {}));
		expect(eventItems(event)).toHaveLength(1);
		expect(refusalReportOf(event)).toBeUndefined();
	});

	it('refuses to activate with an unreadable IP allow-list or an empty token', async () => {
		await expect(activate({ options: { allowedIps: '10.0.0.0/8, 10.0.0.300' } })).rejects.toThrow(
			NodeOperationError,
		);
		await expect(activate({ options: { allowedIps: '10.0.0.0/8, 10.0.0.300' } })).rejects.toThrow(
			/10\.0\.0\.300/,
		);
		await expect(activate({ tokenLocation: 'header', token: '' })).rejects.toThrow(
			/credential has no Webhook Token/,
		);
	});
});

describe('Atlas Trigger: "Listen for test event"', () => {
	it('does NOT register the test URL without the opt-in', async () => {
		const { calls } = await fromSeededUrl(async () => await activate({}, { test: true }));
		expect(calls).toHaveLength(0);
		expect(sandbox().atlas.webhookUrl()).toBe(SEEDED_URL);
	});

	it('registers the test URL only with the explicit opt-in', async () => {
		const { calls } = await fromSeededUrl(
			async () => await activate({ registerTestUrl: true }, { test: true }),
		);
		expect(calls.map((call) => call.body)).toEqual([{ url: TEST_URL }]);
		expect(sandbox().atlas.webhookUrl()).toBe(TEST_URL);
	});

	it('ignores the opt-in when registration is off altogether', async () => {
		const { calls } = await fromSeededUrl(
			async () =>
				await activate({ registerOnActivation: false, registerTestUrl: true }, { test: true }),
		);
		expect(calls).toHaveLength(0);
	});
});

describe('Atlas Trigger: deactivation', () => {
	it.each([false, true])('delete() succeeds and calls nothing (test webhook: %p)', async (test) => {
		const { calls, value } = await fromSeededUrl(
			async () => await methods.delete.call(hookContext({ registerTestUrl: true }, { test })),
		);
		expect(value).toBe(true);
		expect(calls).toHaveLength(0);
		expect(sandbox().atlas.webhookUrl()).toBe(SEEDED_URL);
	});
});

describe('Atlas Trigger: sandbox events', () => {
	it('emits every event type the sandbox sends, in the documented shape', async () => {
		expect(sandbox().atlas.eventTypes.length).toBeGreaterThan(0);
		for (const type of sandbox().atlas.eventTypes) {
			const payload = sandbox().atlas.sampleEvent(type, {}) as IDataObject;
			const { context } = createWebhookContext({
				nodeType: trigger,
				// Airline status comes without cid: it passes behind a secret guard.
				parameters: { options: { allowedIps: '127.0.0.1' } },
				credentials: atlasCredentials(sandbox()),
				request: {
					headers: { 'content-type': 'application/json;charset=UTF-8' },
					rawBody: Buffer.from(JSON.stringify(payload)),
				},
			});
			const result = await trigger.webhook.call(context);
			const item = result.workflowData?.[0]?.[0]?.json;
			expect({ type, item: item && { ...item, receivedAt: 'x' } }).toEqual({
				type,
				item: expect.objectContaining({ eventType: type, payload }),
			});
			expect({ type, unexpectedShape: item?.unexpectedShape }).toEqual({
				type,
				unexpectedShape: undefined,
			});
		}
	});

	it('uses the account client ID as cid', () => {
		const payload = sandbox().atlas.sampleEvent('order.ticketed', {}) as IDataObject;
		expect(payload.cid).toBe(DEFAULT_ATLAS_CLIENT_ID);
	});
});
