/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling: never shipped, runs under plain Node.js */
/**
 * The repository-webhook part of GitHub's REST API, enough for n8n's own GitHub Trigger to be
 * published here: its activation asks GitHub to create a hook (POST …/hooks, which carries the
 * secret the node will verify deliveries with) or checks that the one it made still exists (GET
 * …/hooks/<id>). n8n reaches it through the GitHub credential's Server field (GitHub Enterprise's
 * base URL), so nothing is intercepted and nothing leaves the machine. It keeps the last secret so
 * the benchmark can sign deliveries as GitHub does.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_GITHUB_TOKEN = 'travel-ops-bench-token';

export interface FakeGithub {
	/** The credential's Server: `http://127.0.0.1:<port>`. */
	url: string;
	/** The secret of the hook made last (undefined before the trigger is published). */
	secret(): string | undefined;
	close(): Promise<void>;
}

function answer(res: ServerResponse, status: number, body?: unknown) {
	res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
	res.end(body === undefined ? '' : JSON.stringify(body));
}

export async function startFakeGithub(): Promise<FakeGithub> {
	const hooks = new Map<number, { events: string[]; config: Record<string, unknown> }>();
	let lastSecret: string | undefined;
	let nextId = 1;
	const server = createServer((req: IncomingMessage, res: ServerResponse) => {
		let raw = '';
		req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
		req.on('end', () => {
			if (req.headers.authorization !== `token ${FAKE_GITHUB_TOKEN}`)
				return answer(res, 401, { message: 'Bad credentials' });
			const path = (req.url ?? '').split('?')[0];
			const match = path.match(/^\/repos\/[^/]+\/[^/]+\/hooks(?:\/(\d+))?$/);
			if (!match) return answer(res, 404, { message: 'Not Found' });
			const id = match[1] === undefined ? undefined : Number(match[1]);
			if (req.method === 'POST' && id === undefined) {
				const body = JSON.parse(raw || '{}') as {
					events?: string[];
					config?: Record<string, unknown>;
				};
				const hook = { events: body.events ?? [], config: body.config ?? {} };
				const hookId = nextId++;
				hooks.set(hookId, hook);
				lastSecret = String(hook.config.secret ?? '');
				// GitHub never shows a hook's secret back.
				const shown = { ...hook.config };
				delete shown.secret;
				return answer(res, 201, { id: hookId, active: true, events: hook.events, config: shown });
			}
			const hook = id === undefined ? undefined : hooks.get(id);
			if (!hook) return answer(res, 404, { message: 'Not Found' });
			if (req.method === 'GET') return answer(res, 200, { id, active: true, ...hook });
			if (req.method === 'DELETE') {
				hooks.delete(id as number);
				return answer(res, 204);
			}
			return answer(res, 404, { message: 'Not Found' });
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		secret: () => lastSecret,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** The `X-Hub-Signature-256` header GitHub sends: HMAC-SHA256 of the raw body with the hook's secret. */
export function githubSignature(secret: string, body: string): string {
	return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
