/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling: never shipped, runs under Node.js in jest */
/**
 * A tiny HTTP endpoint that records what is POSTed to it, for tests that catch the sandbox's pushes
 * (Atlas callbacks, Rapid notifications).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
	method: string;
	path: string;
	headers: IncomingHttpHeaders;
	body: string;
	/** The body parsed as JSON, undefined when it is not JSON. */
	json: unknown;
}

export interface Receiver {
	url: string;
	received: ReceivedRequest[];
	/** Resolves once `count` requests have arrived (at once if they already have). */
	waitFor(count: number): Promise<ReceivedRequest[]>;
	close(): Promise<void>;
}

/** `respond` picks the status for the n-th request (0-based); default 200. */
export type Responder = (index: number, request: ReceivedRequest) => number | Promise<number>;

const parseJson = (text: string): unknown => {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
};

export async function startReceiver(respond: Responder = () => 200): Promise<Receiver> {
	const received: ReceivedRequest[] = [];
	const waiters: Array<{ count: number; resolve: (list: ReceivedRequest[]) => void }> = [];

	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			const request = {
				method: req.method ?? '',
				path: req.url ?? '',
				headers: req.headers,
				body,
				json: parseJson(body),
			};
			const index = received.length;
			received.push(request);
			void Promise.resolve(respond(index, request))
				.catch(() => 500)
				.then((status) => {
					res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
					for (const waiter of waiters.filter((w) => received.length >= w.count)) {
						waiters.splice(waiters.indexOf(waiter), 1);
						waiter.resolve([...received]);
					}
				});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as AddressInfo;

	return {
		url: `http://127.0.0.1:${port}/hook`,
		received,
		waitFor: async (count) =>
			received.length >= count
				? [...received]
				: await new Promise<ReceivedRequest[]>((resolve) => waiters.push({ count, resolve })),
		close: async () => {
			const closed = new Promise<void>((resolve) => server.close(() => resolve()));
			server.closeAllConnections();
			await closed;
		},
	};
}
