/**
 * The Atlas Trigger's Webhook Token on its way into a URL and back: registered by the trigger or by
 * the Atlas node's Register URL, called by Atlas (the sandbox), read by the trigger as n8n hands the
 * query over. The token never shows in what a user sees.
 */
import type { INodeParameters } from 'n8n-workflow';

import { AtlasApi } from '../../credentials/AtlasApi.credentials';
import { Atlas } from '../../nodes/Atlas/Atlas.node';
import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { jsonAnswer, startAnsweringServer, type AnsweringServer } from '../helpers/answeringServer';
import { createHookContext, createWebhookContext, executeNode } from '../helpers/n8n';
import { startReceiver, type Receiver } from '../helpers/receiver';
import { atlasCredentials, requestsTo, useSandbox } from './sandbox';
import { eventItems } from '../helpers/refusals';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

const atlas = new Atlas();
const trigger = new AtlasTrigger();
const sandbox = useSandbox(1);

/** A token as a password generator makes it: `+`, `/` and `=` included. */
const TOKEN = ['Kq7+vR', '2xZ9w+Lp4=='].join('/');
const NODE_URL = 'https://n8n.example.com/webhook/abc/webhook';

let receiver: Receiver;
let impostor: AnsweringServer;
beforeAll(async () => {
	receiver = await startReceiver();
	impostor = await startAnsweringServer();
});
afterAll(async () => {
	await receiver.close();
	await impostor.close();
});

/** Everything of an outcome a user can see: items, or the error's message, description and context. */
async function visibleOutcome(run: Promise<unknown>): Promise<string> {
	try {
		return JSON.stringify(await run);
	} catch (error) {
		const { message, description, context } = error as Record<string, unknown>;
		return JSON.stringify({ error: true, message, description, context });
	}
}

const credentials = (baseUrl: string, webhookToken = TOKEN) => ({
	atlasApi: { ...atlasCredentials(sandbox()).atlasApi, baseUrl, webhookToken },
});

const register = async (url: string, baseUrl = sandbox().url, webhookToken = TOKEN) =>
	await executeNode({
		nodeType: atlas,
		parameters: { resource: 'webhook', operation: 'register', url },
		credentials: credentials(baseUrl, webhookToken),
	});

describe('Webhook → Register URL keeps the token out of sight', () => {
	const withToken = `${NODE_URL}?token=${encodeURIComponent(TOKEN)}`;

	it('registers the URL as given, and shows it without the token', async () => {
		const seen = await visibleOutcome(register(withToken));
		const [last] = requestsTo(sandbox(), 'atlas.updateWebhookURL').slice(-1);
		expect(last.body).toEqual({ url: withToken });
		expect(seen).toContain('registered');
		expect(seen).toContain(`${NODE_URL}?token=`);
		expect(seen).not.toContain(encodeURIComponent(TOKEN));
		expect(seen).not.toContain(TOKEN);
	});

	it.each(['?token=', '?a=1&Token=', '?a=1&amp;token='])(
		'hides a token typed into the URL (%s) that is not the credential’s',
		async (parameter) => {
			const typed = 'hand-typed-0123456789';
			const url = `${NODE_URL}${parameter}${typed}`;
			const seen = await visibleOutcome(register(url, sandbox().url, ''));
			expect(seen).toContain('registered');
			expect(seen).not.toContain(typed);
		},
	);

	it.each([
		['an HTML-escaped separator', `${NODE_URL}?a=1&amp;token=${TOKEN}`],
		['another parameter name', `${NODE_URL}?access_token=${encodeURIComponent(TOKEN)}`],
		['a percent-encoded parameter name', `${NODE_URL}?tok%65n=${encodeURIComponent(TOKEN)}`],
		['the path', `https://n8n.example.com/hook/${encodeURIComponent(TOKEN)}/webhook`],
	])('hides the credential’s Webhook Token wherever the URL carries it: %s', async (_case, url) => {
		const seen = await visibleOutcome(register(url));
		expect(requestsTo(sandbox(), 'atlas.updateWebhookURL').at(-1)?.body).toEqual({ url });
		expect(seen).toContain('registered');
		expect(seen).toContain('[redacted]');
		expect(seen).not.toContain(TOKEN);
		expect(seen).not.toContain(encodeURIComponent(TOKEN));
	});

	it('quotes a refused URL without its token', async () => {
		const seen = await visibleOutcome(register(`ftp://n8n.example.com/hook?token=${TOKEN}`));
		expect(seen).toContain('not an http(s) URL');
		expect(seen).not.toContain(TOKEN);
	});

	it.each([
		['an error', 2],
		['a success', 0],
	])('keeps the token out of %s in which Atlas repeats the URL', async (_case, status) => {
		const typed = 'hand-typed-9876543210';
		const url = `${NODE_URL}?token=${typed}`;
		impostor.answer = jsonAnswer(200, { status, msg: `url ${url} (token ${typed})` });
		const seen = await visibleOutcome(register(url, impostor.url, ''));
		expect(JSON.parse(impostor.seen.at(-1)?.body ?? '{}')).toEqual({ url });
		expect(seen).toContain('url ');
		expect(seen).not.toContain(typed);
	});

	it("points to the Atlas Trigger's own registration, which takes the token from the credential", () => {
		const texts = atlas.description.properties
			.filter((p) => p.displayOptions?.show?.operation?.includes('register'))
			.map((p) => `${p.displayName} ${p.description ?? ''}`)
			.join(' ');
		expect(texts).toMatch(/Register URL on Publish/);
		expect(texts).toMatch(/Webhook Token/);
	});
});

/** Posts a sample event to the trigger with `query` and `headers` as n8n hands them over. */
async function post(
	parameters: INodeParameters,
	request: { query?: Record<string, string>; headers?: Record<string, string> },
	webhookToken = TOKEN,
) {
	const { context, response } = createWebhookContext({
		nodeType: trigger,
		parameters: { requireClientId: false, ...parameters },
		credentials: credentials(sandbox().url, webhookToken),
		request: {
			query: request.query,
			headers: { 'content-type': 'application/json', ...request.headers },
			rawBody: Buffer.from(JSON.stringify(sandbox().atlas.sampleEvent('order.void'))),
		},
	});
	const result = await trigger.webhook.call(context);
	return eventItems(result).length > 0 ? 200 : response.statusCode;
}

/**
 * Has the sandbox call `search` on the receiver as Atlas calls a registered URL, and returns the
 * query as n8n's web server parses it (its query parsers, like browsers, read `+` as a space).
 */
async function queryAtlasSends(search: string): Promise<Record<string, string>> {
	const count = receiver.received.length;
	await sandbox().atlas.push('order.void', undefined, { url: `${receiver.url}${search}` });
	const [arrived] = (await receiver.waitFor(count + 1)).slice(count);
	return Object.fromEntries(new URL(arrived.path, 'http://n8n.local').searchParams);
}

describe('Atlas Trigger: a token in the URL', () => {
	it('registers the token encoded, so that it arrives intact', async () => {
		const context = createHookContext({
			nodeType: trigger,
			parameters: { registerOnActivation: true, tokenLocation: 'query' },
			credentials: credentials(sandbox().url),
		});
		await trigger.webhookMethods.default.create.call(context);
		const registered = new URL(sandbox().atlas.webhookUrl() as string);
		expect(registered.search).toBe('?token=Kq7%2BvR%2F2xZ9w%2BLp4%3D%3D');
		const query = await queryAtlasSends(registered.search);
		expect(query.token).toBe(TOKEN);
		expect(await post({ tokenLocation: 'query' }, { query })).toBe(200);
	});

	it('accepts a token added to the URL by hand, whose + arrives as a space', async () => {
		const query = await queryAtlasSends(`?token=${TOKEN}`);
		expect(query.token).toBe(TOKEN.replace(/\+/g, ' '));
		expect(await post({ tokenLocation: 'query' }, { query })).toBe(200);
	});

	it.each(['Token', 'TOKEN'])(
		'accepts the token under ?%s=, as Register URL treats any case of the name',
		async (name) => {
			const query = await queryAtlasSends(`?${name}=${encodeURIComponent(TOKEN)}`);
			expect(await post({ tokenLocation: 'query' }, { query })).toBe(200);
			expect(await post({ tokenLocation: 'query' }, { query: { [name]: 'wrong' } })).toBe(401);
		},
	);

	it('still refuses a token that differs in anything but + and space', async () => {
		for (const wrong of [TOKEN.replace('+', '-'), TOKEN.replace('/', ' '), `${TOKEN} `, ' ']) {
			expect(await post({ tokenLocation: 'query' }, { query: { token: wrong } })).toBe(401);
		}
	});

	it.each(['Ab3%41cd-ef9', 'Ab3&cd-ef9xx', 'Ab3#cd-ef9xx'])(
		'the help says to percent-encode all but letters, digits, - and _: %s added that way is accepted',
		async (token) => {
			const panel = trigger.description.triggerPanel;
			const help = typeof panel === 'object' ? JSON.stringify(panel.executionsHelp) : '';
			expect(help).toMatch(/every character other than letters, digits, - and _ percent-encoded/);
			const byTheHelp = token.replace(
				/[^A-Za-z0-9_-]/g,
				(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
			);
			const query = await queryAtlasSends(`?token=${byTheHelp}`);
			expect(await post({ tokenLocation: 'query' }, { query }, token)).toBe(200);
		},
	);

	it('tells users how to add a token by hand: URL-safe characters, or + written as %2B', () => {
		const panel = trigger.description.triggerPanel;
		const help = typeof panel === 'object' ? JSON.stringify(panel.executionsHelp) : '';
		const tokenField = new AtlasApi().properties.find((p) => p.name === 'webhookToken');
		for (const text of [help, tokenField?.description ?? '']) {
			expect(text).toMatch(/letters, digits/);
		}
		expect(help).toContain('%2B');
		expect(help).toMatch(/Register URL on Publish/);
	});
});

describe('Atlas Trigger: a token in a header', () => {
	it('finds the header when its name was entered with spaces around it', async () => {
		const parameters = { tokenLocation: 'header', headerName: ' X-Gateway-Token ' };
		expect(await post(parameters, { headers: { 'x-gateway-token': TOKEN } })).toBe(200);
		expect(await post(parameters, { headers: { 'x-gateway-token': 'wrong' } })).toBe(401);
	});

	it('matches a Webhook Token pasted into the credential with spaces around it', async () => {
		const { context } = createWebhookContext({
			nodeType: trigger,
			parameters: { requireClientId: false, tokenLocation: 'header' },
			credentials: credentials(sandbox().url, ` ${TOKEN}\n`),
			request: {
				headers: { 'content-type': 'application/json', 'x-atlas-token': TOKEN },
				rawBody: Buffer.from(JSON.stringify(sandbox().atlas.sampleEvent('order.void'))),
			},
		});
		expect((await trigger.webhook.call(context)).workflowData).toHaveLength(1);
	});

	it.each(['', '   ', 'X-Gateway-Token:', 'X Gateway Token'])(
		'refuses to activate with a header name no request can carry (%j)',
		async (headerName) => {
			const context = createHookContext({
				nodeType: trigger,
				parameters: { tokenLocation: 'header', headerName },
				credentials: credentials(sandbox().url),
			});
			await expect(trigger.webhookMethods.default.checkExists.call(context)).rejects.toThrow(
				/Header Name/,
			);
		},
	);
});
