/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling: never shipped, runs under plain Node.js */
/**
 * The HTTP side of the sandbox: routing, the request log, gzip, and applying faults around the
 * provider handlers. Provider behaviour lives in atlas.ts and rapid.ts, the admin API in admin.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

import { HOST } from './defaults';
import { atlasError, rapidError, rapidHttpError } from './errors';
import type { FaultPlan, Faults } from './faults';
import { CancelledError, type Lifecycle } from './lifecycle';
import type { FaultState, RecordedRequest, RouteId } from './types';

export interface RouteRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	headers: IncomingMessage['headers'];
	/** Parsed JSON, the raw text when it is not JSON, undefined when empty. */
	body: unknown;
}

export interface RouteResult {
	status: number;
	/** Sent as JSON unless it is a string; no body when undefined. */
	body?: unknown;
	headers?: Record<string, string>;
}

export interface ProviderRoute {
	id: RouteId;
	provider: 'atlas' | 'rapid';
	method: string;
	path: string;
	/** For paths with a parameter: whether `path` is this route (default: equal to `path`). */
	matches?: (path: string) => boolean;
	handle(request: RouteRequest): RouteResult | Promise<RouteResult>;
}

/** Answers `/_admin/…`; undefined means no such admin route. */
export type AdminHandler = (request: RouteRequest) => Promise<RouteResult | undefined>;

export interface ServerDeps {
	routes: ProviderRoute[];
	admin: AdminHandler;
	faults: Faults;
	lifecycle: Lifecycle;
	requests: RecordedRequest[];
	clock: () => number;
	log?: (line: string) => void;
}

export interface RunningServer {
	port: number;
	close(): Promise<void>;
}

/** Admin API and the catcher: not provider routes, never faulted or recorded. */
const ADMIN_PREFIXES = ['/_admin/', '/_catcher/'];

async function readBody(req: IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const text = Buffer.concat(chunks).toString('utf8');
	if (text === '') return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

const acceptsGzip = (req: IncomingMessage) =>
	/\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));

const serialise = (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body));

/** Writes a result, gzip-compressed when the client asked for gzip (both providers do this). */
function send(req: IncomingMessage, res: ServerResponse, result: RouteResult): void {
	if (result.body === undefined) {
		res.writeHead(result.status, result.headers).end();
		return;
	}
	const headers: Record<string, string> = {
		'content-type': 'application/json;charset=UTF-8',
		...result.headers,
	};
	let payload = Buffer.from(serialise(result.body), 'utf8');
	if (acceptsGzip(req)) {
		payload = gzipSync(payload);
		headers['content-encoding'] = 'gzip';
		headers.vary = 'Accept-Encoding';
	}
	headers['content-length'] = String(payload.length);
	res.writeHead(result.status, headers).end(payload);
}

/** 200 with the first half of the body: never valid JSON, since bodies are objects or arrays. */
function sendMalformedJson(res: ServerResponse, result: RouteResult): void {
	const text = result.body === undefined ? '{' : serialise(result.body);
	const broken = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
	res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' }).end(broken);
}

/** Half of the gzip stream, with no Content-Length: the client only finds out when it inflates. */
function sendTruncatedGzip(res: ServerResponse, result: RouteResult): void {
	const gzipped = gzipSync(Buffer.from(serialise(result.body ?? {}), 'utf8'));
	res
		.writeHead(result.status, {
			'content-type': 'application/json;charset=UTF-8',
			'content-encoding': 'gzip',
		})
		.end(gzipped.subarray(0, Math.floor(gzipped.length / 2)));
}

const GATEWAY_PAGE = (status: number) =>
	`<html><head><title>${status}</title></head><body><center><h1>${status}</h1></center></body></html>`;

/**
 * Rapid's documented rate-limit headers on a 429: capacity 0 % left this minute, back at
 * `retryAfterSeconds` from now (default: the next whole minute).
 */
function rapidRateLimitHeaders(now: number, retryAfterSeconds?: number): Record<string, string> {
	const reset =
		retryAfterSeconds === undefined
			? (Math.floor(now / 60_000) + 1) * 60_000
			: now + retryAfterSeconds * 1000;
	return {
		'rate-limit-minute-remaining': '0',
		'rate-limit-minute-reset': String(reset),
		'rate-limit-reduction-status': 'inactive',
	};
}

/** The response of an 'http' fault: what each provider's front end sends. */
function httpFaultResult(route: ProviderRoute, fault: FaultState, now: number): RouteResult {
	const status = fault.status ?? 503;
	if (route.provider === 'rapid') {
		const headers = status === 429 ? rapidRateLimitHeaders(now, fault.retryAfterSeconds) : {};
		return { status, body: rapidHttpError(status), headers };
	}
	const headers: Record<string, string> = { 'content-type': 'text/html' };
	if (fault.retryAfterSeconds !== undefined)
		headers['retry-after'] = String(fault.retryAfterSeconds);
	return { status, body: GATEWAY_PAGE(status), headers };
}

const describeFaults = (plan: FaultPlan) =>
	[
		plan.latencyMs > 0 ? `latency ${plan.latencyMs} ms` : '',
		plan.fault
			? `${plan.fault.kind}${plan.fault.status !== undefined ? ` ${plan.fault.status}` : ''}`
			: '',
	]
		.filter(Boolean)
		.join(', ');

/**
 * Runs one provider request through its faults and handler. Faults that stand for a failure in
 * front of the provider (reset, timeout, http, atlas-status) answer before the handler runs, so
 * they change no state: a request hit by one consumes no undeliverable notifications.
 * malformed-json and truncated-gzip damage the handler's real answer on its way out.
 */
async function handleProvider(
	route: ProviderRoute,
	request: RouteRequest,
	req: IncomingMessage,
	res: ServerResponse,
	deps: ServerDeps,
): Promise<string> {
	const plan = deps.faults.plan(route.id);
	const faultNote = describeFaults(plan);
	if (plan.latencyMs > 0) await deps.lifecycle.sleep(plan.latencyMs);

	switch (plan.fault?.kind) {
		case 'reset':
			req.socket.destroy();
			return `reset (${faultNote})`;
		case 'timeout':
			return `no answer (${faultNote})`; // the socket stays open until the client gives up or close()
		case 'http': {
			const result = httpFaultResult(route, plan.fault, deps.clock());
			send(req, res, result);
			return `${result.status} (${faultNote})`;
		}
		case 'atlas-status':
			send(req, res, { status: 200, body: atlasError(plan.fault.status ?? 2) });
			return `200 (${faultNote})`;
	}

	const result = await route.handle(request);
	if (plan.fault?.kind === 'malformed-json') sendMalformedJson(res, result);
	else if (plan.fault?.kind === 'truncated-gzip') sendTruncatedGzip(res, result);
	else send(req, res, result);
	return faultNote ? `${res.statusCode} (${faultNote})` : String(res.statusCode);
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
	const url = new URL(req.url ?? '/', `http://${HOST}`);
	const request: RouteRequest = {
		method: req.method ?? 'GET',
		path: url.pathname,
		query: Object.fromEntries(url.searchParams),
		headers: req.headers,
		body: await readBody(req),
	};

	if (ADMIN_PREFIXES.some((prefix) => request.path.startsWith(prefix))) {
		const result = await deps.admin(request);
		send(
			req,
			res,
			result ?? {
				status: 404,
				body: { error: `No admin route ${request.method} ${request.path}` },
			},
		);
		return;
	}

	const route = deps.routes.find(
		(r) =>
			r.method === request.method && (r.matches?.(request.path) ?? r.path === request.path),
	);
	deps.requests.push({
		route: route?.id ?? 'unknown',
		method: request.method,
		path: request.path,
		query: request.query,
		headers: request.headers,
		body: request.body,
		at: deps.clock(),
	});
	const outcome = route
		? await handleProvider(route, request, req, res, deps)
		: notFound(req, res, request);
	deps.log?.(`${request.method} ${request.path} → ${outcome} [${route?.id ?? 'unknown'}]`);
}

function notFound(req: IncomingMessage, res: ServerResponse, request: RouteRequest): string {
	const message = `No resource at ${request.method} ${request.path}`;
	send(req, res, { status: 404, body: rapidError('resource_not_found', message) });
	return '404';
}

export async function startServer(port: number, deps: ServerDeps): Promise<RunningServer> {
	const server = createServer((req, res) => {
		handle(req, res, deps).catch((error: unknown) => {
			if (error instanceof CancelledError) return; // closing: the socket is going away anyway
			deps.log?.(`${req.method} ${req.url} → 500: ${(error as Error).message}`);
			if (!res.headersSent)
				send(req, res, { status: 500, body: { error: (error as Error).message } });
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, HOST, () => resolve());
	});
	return {
		port: (server.address() as AddressInfo).port,
		close: async () => {
			deps.lifecycle.close();
			const closed = new Promise<void>((resolve) => server.close(() => resolve()));
			server.closeAllConnections();
			await closed;
		},
	};
}
