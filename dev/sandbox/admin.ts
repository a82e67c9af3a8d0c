/* eslint-disable @n8n/community-nodes/require-node-api-error -- development tooling: never shipped, runs under plain Node.js */
/**
 * Admin API under /_admin/ on the sandbox's own port, for the CLI and for tests running in other
 * processes (n8n end-to-end). No provider auth: the server only listens on loopback. Admin calls
 * are not recorded as provider requests.
 *
 *   GET    /_admin/state                     counts, URLs, queue length, faults
 *   GET    /_admin/requests?route=ID          recorded provider requests (credentials redacted)
 *   POST   /_admin/atlas/push                 {type, overrides?, url?} → PushResult
 *   POST   /_admin/atlas/incidents            {overrides?} → a new unconfirmed incident, updated now
 *   POST   /_admin/atlas/incidents/confirm    {eventId, result?, remark?} → the confirmed incident
 *   POST   /_admin/rapid/push                 {type | notification, overrides?, url?, timestamp?, authorization?} → PushResult
 *   POST   /_admin/rapid/deliver              {type | notification, overrides?} → first attempt; retries continue
 *   POST   /_admin/rapid/undeliverable        {count} or {notifications: [...]}
 *   PUT    /_admin/rapid/callback             {url} (null or missing clears it)
 *   GET    /_admin/faults, POST /_admin/faults {route, kind, ...}, DELETE /_admin/faults
 *   GET    /_admin/caught?name=NAME           what was POSTed to the catcher
 *   POST   /_catcher/NAME                     the catcher: stands in for Slack incoming webhooks and
 *                                             other outbound calls of example workflows, so that
 *                                             nothing leaves the machine
 */
import { FaultSpecError } from './faults';
import { isDelivered } from './pusher';
import type { AdminHandler, RouteRequest, RouteResult } from './server';
import type { FaultSpec, RecordedRequest, Sandbox } from './types';

/** Headers that carry credentials: kept in memory for tests, never handed out. */
const REDACTED_HEADERS = ['authorization', 'x-atlas-client-secret'];

class AdminError extends Error {}

type Body = Record<string, unknown>;

function objectBody(request: RouteRequest): Body {
	const { body } = request;
	if (body === undefined) return {};
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		throw new AdminError('The request body must be a JSON object');
	}
	return body as Body;
}

function text(body: Body, field: string, required = true): string | undefined {
	const value = body[field];
	if (value === undefined || value === null) {
		if (required) throw new AdminError(`"${field}" is required`);
		return undefined;
	}
	if (typeof value !== 'string') throw new AdminError(`"${field}" must be a string`);
	return value;
}

const optionalObject = (body: Body, field: string): object | undefined => {
	const value = body[field];
	if (value === undefined) return undefined;
	if (typeof value !== 'object' || value === null)
		throw new AdminError(`"${field}" must be an object`);
	return value;
};

const redact = (request: RecordedRequest): RecordedRequest => ({
	...request,
	headers: Object.fromEntries(
		Object.entries(request.headers).map(([name, value]) => [
			name,
			REDACTED_HEADERS.includes(name) ? '[redacted]' : value,
		]),
	),
});

const json = (body: unknown, status = 200): RouteResult => ({ status, body });

export interface AdminDeps {
	sandbox: Sandbox;
	pendingDeliveries: () => number;
}

export function createAdmin({ sandbox, pendingDeliveries }: AdminDeps): AdminHandler {
	const { atlas, rapid, faults } = sandbox;

	/** A notification given whole, or a sample of `type` with overrides. */
	const notificationFrom = (body: Body) =>
		optionalObject(body, 'notification') ??
		rapid.sampleNotification(text(body, 'type') as string, optionalObject(body, 'overrides'));

	const state = () => ({
		url: sandbox.url,
		requests: sandbox.requests.length,
		faults: faults.list(),
		atlas: {
			incidents: atlas.incidents.length,
			webhookUrl: atlas.webhookUrl() ?? null,
			registrations: atlas.registrations.length,
			eventTypes: atlas.eventTypes,
		},
		rapid: {
			callbackUrl: rapid.callbackUrl() ?? null,
			undeliverable: rapid.undeliverable.length,
			pendingDeliveries: pendingDeliveries(),
			testRequests: rapid.testRequests.length,
			eventTypes: rapid.eventTypes,
		},
	});

	const routes: Record<string, (request: RouteRequest) => Promise<RouteResult>> = {
		'GET /_admin/state': async () => json(state()),
		'GET /_admin/requests': async ({ query }) =>
			json(sandbox.requests.filter((r) => !query.route || r.route === query.route).map(redact)),
		'POST /_admin/atlas/push': async (request) => {
			const body = objectBody(request);
			const result = await atlas.push(
				text(body, 'type') as string,
				optionalObject(body, 'overrides'),
				{
					url: text(body, 'url', false),
				},
			);
			return json(result);
		},
		'POST /_admin/atlas/incidents': async (request) =>
			json(atlas.createIncident(optionalObject(objectBody(request), 'overrides')), 201),
		'POST /_admin/atlas/incidents/confirm': async (request) => {
			const body = objectBody(request);
			const eventId = text(body, 'eventId') as string;
			const incident = atlas.confirmIncident(eventId, {
				result: text(body, 'result', false),
				remark: text(body, 'remark', false),
			});
			if (!incident) throw new AdminError(`No incident "${eventId}"`);
			return json(incident);
		},
		'POST /_admin/rapid/push': async (request) => {
			const body = objectBody(request);
			const timestamp = body.timestamp;
			if (timestamp !== undefined && typeof timestamp !== 'number')
				throw new AdminError('"timestamp" must be Unix seconds');
			const result = await rapid.push(notificationFrom(body), {
				url: text(body, 'url', false),
				timestamp,
				authorization: text(body, 'authorization', false),
			});
			return json(result);
		},
		'POST /_admin/rapid/deliver': async (request) => {
			const delivery = await rapid.deliver(notificationFrom(objectBody(request)));
			const [firstAttempt] = delivery.attempts;
			const retrying = firstAttempt !== undefined && !isDelivered(firstAttempt);
			return json({ notification: delivery.notification, firstAttempt, retrying }, 202);
		},
		'POST /_admin/rapid/undeliverable': async (request) => {
			const body = objectBody(request);
			const { count, notifications } = body;
			if (Array.isArray(notifications)) rapid.enqueueUndeliverable(notifications as object[]);
			else if (typeof count === 'number' && Number.isInteger(count) && count >= 0)
				rapid.enqueueUndeliverable(count);
			else throw new AdminError('Send {"count": n} or {"notifications": [...]}');
			return json({ queued: rapid.undeliverable.length });
		},
		'PUT /_admin/rapid/callback': async (request) => {
			rapid.setCallbackUrl(text(objectBody(request), 'url', false));
			return json({ callbackUrl: rapid.callbackUrl() ?? null });
		},
		'GET /_admin/faults': async () => json(faults.list()),
		'POST /_admin/faults': async (request) => {
			const fault = faults.add(objectBody(request) as unknown as FaultSpec);
			return json({ fault, faults: faults.list() }, 201);
		},
		'GET /_admin/caught': async ({ query }) =>
			json(sandbox.caught.filter((c) => !query.name || c.name === query.name)),
		'DELETE /_admin/faults': async () => {
			faults.clear();
			return json({ faults: [] });
		},
	};

	const CATCHER = /^\/_catcher\/([\w.-]+)\/?$/;
	const catcher = async (request: RouteRequest, name: string): Promise<RouteResult> => {
		sandbox.caught.push({ name, body: request.body, at: Date.now() });
		return json({ ok: true });
	};

	return async (request) => {
		const caughtName = request.method === 'POST' ? CATCHER.exec(request.path)?.[1] : undefined;
		if (caughtName) return await catcher(request, caughtName);
		const route = routes[`${request.method} ${request.path.replace(/\/+$/, '')}`];
		if (!route) return undefined;
		try {
			return await route(request);
		} catch (error) {
			if (error instanceof AdminError || error instanceof FaultSpecError) {
				return json({ error: error.message }, 400);
			}
			throw error;
		}
	};
}
