/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test tooling: never shipped, runs under Node.js in jest */
/**
 * A local HTTP server that misbehaves on cue, the way a hostile server or a broken network would:
 * it hangs, drops the connection, cuts a body short, trickles bytes, sends a body far too large,
 * redirects elsewhere, or echoes what it was sent. Each request takes the next scripted behaviour
 * (the last one repeats) and is recorded with its headers.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export type Behaviour =
	| { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string> }
	| { kind: 'text'; status?: number; body: string; contentType?: string }
	/** Says nothing, holds the connection open. */
	| { kind: 'hang' }
	/** Closes the connection without an answer. */
	| { kind: 'drop' }
	/** Announces `length` bytes, sends the first `sent` of `body`, then closes. */
	| { kind: 'cut'; body: string; sent: number }
	/** Sends `body` one byte every `everyMs`. */
	| { kind: 'trickle'; body: string; everyMs: number }
	/** Streams `bytes` bytes of filler. */
	| { kind: 'huge'; bytes: number }
	| { kind: 'redirect'; status: number; location: string }
	/** Answers with the request's own headers (or the named ones), as some debugging front ends do. */
	| { kind: 'echoHeaders'; status: number; only?: string[] }
	/** Writes `bytes` on the socket as they are (no HTTP framing of ours), then closes. */
	| { kind: 'raw'; bytes: string }
	/** A 200 whose gzip of `body` is cut after `sent` bytes, with a Content-Length that matches the cut. */
	| { kind: 'cutGzip'; body: string; sent: number };

export interface SeenRequest {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
	body: string;
}

export interface HostileServer {
	url: string;
	seen: SeenRequest[];
	/** Behaviours for the next requests, in order; the last one repeats. */
	script(...behaviours: Behaviour[]): void;
	close(): Promise<void>;
}

function behave(
	res: ServerResponse,
	behaviour: Behaviour,
	request: SeenRequest,
	timers: Set<NodeJS.Timeout>,
) {
	switch (behaviour.kind) {
		case 'json':
			res.writeHead(behaviour.status ?? 200, {
				'content-type': 'application/json',
				...behaviour.headers,
			});
			res.end(JSON.stringify(behaviour.body));
			return;
		case 'text':
			res.writeHead(behaviour.status ?? 200, {
				'content-type': behaviour.contentType ?? 'text/plain',
			});
			res.end(behaviour.body);
			return;
		case 'hang':
			return;
		case 'drop':
			res.socket?.destroy();
			return;
		case 'cut': {
			const body = Buffer.from(behaviour.body, 'utf8');
			res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
			res.write(body.subarray(0, behaviour.sent), () => res.socket?.destroy());
			return;
		}
		case 'trickle': {
			const body = Buffer.from(behaviour.body, 'utf8');
			res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
			let at = 0;
			const timer = setInterval(() => {
				if (res.destroyed || at >= body.length) {
					clearInterval(timer);
					timers.delete(timer);
					if (!res.destroyed) res.end();
					return;
				}
				res.write(body.subarray(at, at + 1));
				at++;
			}, behaviour.everyMs);
			timers.add(timer);
			return;
		}
		case 'huge': {
			res.writeHead(200, { 'content-type': 'text/plain' });
			const chunk = Buffer.alloc(64 * 1024, 'x');
			let left = behaviour.bytes;
			const pump = () => {
				while (left > 0 && !res.destroyed) {
					const part = chunk.subarray(0, Math.min(chunk.length, left));
					left -= part.length;
					if (!res.write(part)) return void res.once('drain', pump);
				}
				if (!res.destroyed) res.end();
			};
			pump();
			return;
		}
		case 'redirect':
			res.writeHead(behaviour.status, { location: behaviour.location });
			res.end();
			return;
		case 'echoHeaders': {
			res.writeHead(behaviour.status, { 'content-type': 'application/json' });
			const { only } = behaviour;
			const echoed = only
				? Object.fromEntries(only.map((name) => [name, request.headers[name]]))
				: request.headers;
			res.end(JSON.stringify({ error: 'bad request', requestHeaders: echoed }));
			return;
		}
		case 'raw':
			res.socket?.end(Buffer.from(behaviour.bytes, 'latin1'));
			return;
		case 'cutGzip': {
			const body = gzipSync(behaviour.body).subarray(0, behaviour.sent);
			res.writeHead(200, {
				'content-type': 'application/json',
				'content-encoding': 'gzip',
				'content-length': body.length,
			});
			res.end(body);
			return;
		}
	}
}

export async function startHostileServer(): Promise<HostileServer> {
	let queue: Behaviour[] = [{ kind: 'json', body: {} }];
	const seen: SeenRequest[] = [];
	const timers = new Set<NodeJS.Timeout>();
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const request: SeenRequest = {
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
			};
			seen.push(request);
			const behaviour = queue.length > 1 ? (queue.shift() as Behaviour) : queue[0];
			behave(res, behaviour, request, timers);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		seen,
		script: (...behaviours) => {
			queue = behaviours;
		},
		close: async () => {
			for (const timer of timers) clearInterval(timer);
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
