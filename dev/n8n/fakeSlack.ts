/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling: never shipped, runs under plain Node.js */
/**
 * A stand-in for Slack's Web API that n8n's own Slack node reaches without any change to the
 * workflow: an HTTPS proxy (n8n honours HTTPS_PROXY / NO_PROXY) that answers CONNECT to slack.com
 * itself (httpsIntercept.ts), terminating TLS with a certificate for slack.com signed by a CA made
 * at start-up (n8n trusts it through NODE_EXTRA_CA_CERTS). Every other CONNECT is refused, so
 * nothing leaves the machine. It records each chat.postMessage and answers the credential test.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { startHttpsInterceptor } from './httpsIntercept';

/** The host n8n's Slack node and credential test call. */
export const SLACK_HOST = 'slack.com';
/** The access token of the demo's Slack credential; any other token gets `invalid_auth`. */
export const FAKE_SLACK_TOKEN = 'xoxb-travel-ops-demo-token';

/** GET on the proxy's own address lists the messages received (`curl <proxyUrl>/_messages`). */
export const MESSAGES_PATH = '/_messages';

export interface SlackMessage {
	channel: string;
	text: string;
	/** The whole request body (blocks of a Send and Wait message, etc.). */
	body: Record<string, unknown>;
	/** Whether the fake answered ok (a message answered with an error was not posted). */
	ok: boolean;
	at: number;
}

export interface FakeSlack {
	/** `http://127.0.0.1:<port>`: the proxy to give n8n. */
	proxyUrl: string;
	/** The CA certificate (PEM) n8n must trust. */
	caCertPath: string;
	/** HTTPS_PROXY, NO_PROXY (loopback goes direct) and NODE_EXTRA_CA_CERTS for n8n's process. */
	env: Record<string, string>;
	/** Every chat.postMessage received, answered ok or not. */
	messages: SlackMessage[];
	/** Posts to `channel` are answered `{ ok: false, error }` (as Slack does) until cleared. */
	failChannel(channel: string, error?: string): void;
	clearFailures(): void;
	close(): Promise<void>;
}

/** Slack accepts JSON and form-encoded bodies. */
function parseBody(req: IncomingMessage, raw: string): Record<string, unknown> {
	if (!raw) return {};
	if (String(req.headers['content-type']).includes('json'))
		return JSON.parse(raw) as Record<string, unknown>;
	return Object.fromEntries(new URLSearchParams(raw));
}

function answer(res: ServerResponse, body: Record<string, unknown>) {
	res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
	res.end(JSON.stringify(body));
}

function slackApi(state: { messages: SlackMessage[]; failing: Map<string, string> }) {
	let ts = 1_700_000_000;
	return (req: IncomingMessage, res: ServerResponse) => {
		let raw = '';
		req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
		req.on('end', () => {
			if (req.headers.authorization !== `Bearer ${FAKE_SLACK_TOKEN}`)
				return answer(res, { ok: false, error: 'invalid_auth' });
			const method = (req.url ?? '').split('?')[0].replace(/^\/api\//, '');
			let body: Record<string, unknown>;
			try {
				body = parseBody(req, raw);
			} catch {
				return answer(res, { ok: false, error: 'invalid_json' });
			}
			if (method === 'auth.test' || method === 'users.profile.get')
				return answer(res, {
					ok: true,
					user: 'travel-ops-demo',
					team: 'Travel Ops (fake Slack)',
					profile: { real_name: 'Travel Ops demo' },
				});
			if (method !== 'chat.postMessage') return answer(res, { ok: false, error: 'unknown_method' });
			const channel = String(body.channel ?? '');
			const error = state.failing.get(channel);
			state.messages.push({
				channel,
				text: String(body.text ?? ''),
				body,
				ok: !error,
				at: Date.now(),
			});
			if (error) return answer(res, { ok: false, error });
			ts++;
			answer(res, { ok: true, channel, ts: `${ts}.000100`, message: { text: body.text } });
		});
	};
}

export async function startFakeSlack(): Promise<FakeSlack> {
	const state = { messages: [] as SlackMessage[], failing: new Map<string, string>() };
	const proxy = await startHttpsInterceptor({
		hosts: { [SLACK_HOST]: slackApi(state) },
		// What "Slack" received, for people watching the demo; no plain-HTTP proxying otherwise.
		plain: (req, res) => {
			if (req.method === 'GET' && req.url === MESSAGES_PATH) {
				res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
				res.end(JSON.stringify(state.messages, null, 2));
				return;
			}
			res.writeHead(403).end();
		},
	});
	return {
		proxyUrl: proxy.proxyUrl,
		caCertPath: proxy.caCertPath,
		env: proxy.env,
		messages: state.messages,
		failChannel: (channel, error = 'channel_not_found') => {
			state.failing.set(channel, error);
		},
		clearFailures: () => state.failing.clear(),
		close: proxy.close,
	};
}
