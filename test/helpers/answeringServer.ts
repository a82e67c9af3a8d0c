/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling: never shipped, runs under Node.js in jest */
/**
 * A local HTTP server that gives every request the same configurable answer (status, content type,
 * body) and records what it was sent: a stand-in for a wrong base URL (a web page, a proxy's error
 * page, some other API).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
	status: number;
	/** Extra response headers, e.g. a redirect's Location. */
	headers?: Record<string, string>;
	contentType?: string;
	body?: string;
}

export interface SeenRequest {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
	body: string;
}

export interface AnsweringServer {
	url: string;
	/** What the next requests get; default 200 with an empty body. */
	answer: Answer;
	seen: SeenRequest[];
	close(): Promise<void>;
}

export const jsonAnswer = (status: number, body: unknown): Answer => ({
	status,
	contentType: 'application/json',
	body: JSON.stringify(body),
});

export const htmlAnswer = (status: number, body: string): Answer => ({
	status,
	contentType: 'text/html; charset=utf-8',
	body,
});

export async function startAnsweringServer(): Promise<AnsweringServer> {
	const state: Omit<AnsweringServer, 'url' | 'close'> = { answer: { status: 200 }, seen: [] };
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			state.seen.push({
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				body: Buffer.concat(chunks).toString(),
			});
			const { status, contentType, body } = state.answer;
			res.writeHead(status, {
				...(contentType ? { 'Content-Type': contentType } : {}),
				...state.answer.headers,
			});
			res.end(body);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return Object.assign(state, {
		url: `http://127.0.0.1:${port}`,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve, reject) =>
				server.close((error) => (error ? reject(error) : resolve())),
			);
		},
	});
}
