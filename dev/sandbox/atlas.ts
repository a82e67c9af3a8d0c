/**
 * The fake Atlas: client-header auth, updateWebhookURL.do, event/getPageList.do over the incident
 * store, queryOrderDetails.do over the orders those incidents and the sent callbacks describe, and
 * webhook callbacks pushed to the registered URL (best effort, no retries, unsigned).
 */
import { ATLAS_EVENT_TYPES, sampleAtlasEvent, type SampleOrder } from './atlasEvents';
import {
	applyCallback,
	type AtlasOrderRecord,
	buildOrder,
	lookUpOrder,
	orderFromIncident,
	scheduleChangeOf,
} from './atlasOrders';
import { parseIncidentQuery, runIncidentQuery } from './atlasQuery';
import { ATLAS_STATUS, atlasError } from './errors';
import type { Lifecycle } from './lifecycle';
import { generateIncidents, RESULTS } from './atlasData';
import { postJson } from './pusher';
import { createRandom } from './random';
import type { ProviderRoute, RouteRequest, RouteResult } from './server';
import type { AtlasIncident, AtlasRegistration, SandboxAtlas } from './types';
import { constantTimeEqual, formatAtlasTime, withOverrides } from './util';

/** The request as a server reading `updateTimeStart` another way would filter it. */
function readUpdateTimeAs(body: unknown, reading: SandboxAtlas['updateTimeStart']): unknown {
	if (reading === 'utc+8' || typeof body !== 'object' || body === null) return body;
	const { updateTimeStart, ...rest } = body as Record<string, unknown>;
	if (reading === 'ignore' || typeof updateTimeStart !== 'string') return rest;
	// Read as UTC, the bound falls 8 hours later in the UTC+08:00 frame the records use.
	const asUtc = Date.parse(`${updateTimeStart.trim().replace(' ', 'T')}Z`);
	return {
		...rest,
		updateTimeStart: Number.isNaN(asUtc) ? updateTimeStart : formatAtlasTime(asUtc),
	};
}

export interface AtlasConfig {
	clientId: string;
	clientSecret: string;
	incidents: AtlasIncident[];
	initialWebhookUrl?: string;
	seed: number;
	clock: () => number;
	lifecycle: Lifecycle;
	log?: (line: string) => void;
}

/** For samples when the store is empty. */
const FALLBACK_ORDER: SampleOrder = {
	orderNo: 'TO0000000001',
	pnr: 'NX4K2P',
	airline: 'CA',
	paxName: 'ZHANG/SAN',
	paxEmail: 'san.zhang@example.com',
};

const ok = (payload: Record<string, unknown>): RouteResult => ({
	status: 200,
	body: { status: ATLAS_STATUS.ok, ...payload },
});
const fail = (status: number, msg?: string): RouteResult => ({
	status: 200,
	body: atlasError(status, msg),
});

const header = (request: RouteRequest, name: string) => {
	const value = request.headers[name];
	return typeof value === 'string' ? value : '';
};

function isHttpUrl(value: unknown): value is string {
	if (typeof value !== 'string') return false;
	try {
		const { protocol } = new URL(value);
		return protocol === 'http:' || protocol === 'https:';
	} catch {
		return false;
	}
}

const isObject = (body: unknown): body is Record<string, unknown> =>
	typeof body === 'object' && body !== null && !Array.isArray(body);

export function createAtlas(config: AtlasConfig): { routes: ProviderRoute[]; api: SandboxAtlas } {
	const registrations: AtlasRegistration[] = [];
	const samplesRnd = createRandom(config.seed ^ 0x5eed);

	/** Atlas answers bad keys with HTTP 200 and status 900, before looking at the body. */
	const authenticated =
		(handler: (request: RouteRequest) => RouteResult) => (request: RouteRequest) =>
			constantTimeEqual(header(request, 'x-atlas-client-id'), config.clientId) &&
			constantTimeEqual(header(request, 'x-atlas-client-secret'), config.clientSecret)
				? handler(request)
				: fail(ATLAS_STATUS.unauthorized);

	// Invalid parameters get the codes Atlas' common-and-access-errors page documents: 100 when
	// required data is missing, 901 when the request is not JSON or a field has the wrong type or
	// form. The msg texts are the sandbox's own.
	const updateWebhookUrl = ({ body }: RouteRequest): RouteResult => {
		if (!isObject(body))
			return fail(ATLAS_STATUS.illegalData, 'The request body must be a JSON object');
		if (body.url === undefined || body.url === null) {
			return fail(ATLAS_STATUS.missingData, 'url is required');
		}
		if (!isHttpUrl(body.url)) return fail(ATLAS_STATUS.illegalData, 'url must be an http(s) URL');
		const { cid } = body;
		if (cid !== undefined && cid !== null && typeof cid !== 'string' && typeof cid !== 'number') {
			return fail(ATLAS_STATUS.illegalData, 'cid must be a string');
		}
		registrations.push({
			url: body.url,
			...(cid === undefined || cid === null ? {} : { cid: String(cid) }),
			at: config.clock(),
		});
		// msg is free text that clients must ignore; this endpoint sends some, the list sends null.
		return ok({ msg: 'success' });
	};

	const getPageList = ({ body }: RouteRequest): RouteResult => {
		if (typeof body === 'object' && body !== null) {
			api.beforeListPage?.(body as Record<string, unknown>);
		}
		const parsed = parseIncidentQuery(readUpdateTimeAs(body, api.updateTimeStart));
		if (!parsed.ok) {
			return fail(parsed.missing ? ATLAS_STATUS.missingData : ATLAS_STATUS.illegalData, parsed.msg);
		}
		const page = runIncidentQuery(api.incidents, parsed.query);
		// Atlas types pageIndex, pageSize and total as strings.
		return ok({
			msg: null,
			records: page.records,
			pageIndex: String(page.pageIndex),
			pageSize: String(page.pageSize),
			total: String(page.total),
		});
	};

	/** An order set by a test or changed by a callback, else the one its incidents describe. */
	const findOrder = (orderNo: string): AtlasOrderRecord | undefined => {
		const known = api.orders.get(orderNo);
		if (known) return known;
		const incident = api.incidents.find((i) => i.orderNo === orderNo);
		if (!incident) return undefined;
		const order = orderFromIncident(incident, config.clock());
		api.orders.set(orderNo, order);
		return order;
	};
	const ordersWithPnr = (pnrCode: string): AtlasOrderRecord[] => {
		const numbers = new Set([...api.orders.keys(), ...api.incidents.map((i) => i.orderNo)]);
		return [...numbers]
			.map(findOrder)
			.filter((order): order is AtlasOrderRecord => order?.pnrCode === pnrCode);
	};

	const queryOrderDetails = ({ body }: RouteRequest): RouteResult => {
		const result = lookUpOrder(body, findOrder, ordersWithPnr);
		// The documented example answers msg "success".
		return result.ok ? ok({ msg: 'success', ...result.order }) : fail(result.status, result.msg);
	};

	const webhookUrl = () => registrations.at(-1)?.url ?? config.initialWebhookUrl;

	/** The callback's order, as the sandbox's order store holds it (created when it is new). */
	const orderFor = (sample: SampleOrder, orderNo: string): AtlasOrderRecord => {
		const existing = findOrder(orderNo);
		if (existing) return existing;
		const order = buildOrder({ ...sample, orderNo }, config.clock());
		api.orders.set(orderNo, order);
		return order;
	};

	const sampleEvent = (type: string, overrides?: object) => {
		const { incidents } = api;
		const order = incidents.length > 0 ? samplesRnd.pick(incidents) : FALLBACK_ORDER;
		const ctx = { cid: config.clientId, now: config.clock(), rnd: samplesRnd, order };
		// A schedule change moves the order's own flights, so its old segments are the order's.
		const wanted = (overrides as { data?: { orderNo?: unknown } } | undefined)?.data?.orderNo;
		const orderNo = typeof wanted === 'string' ? wanted : order.orderNo;
		const base =
			type === 'order.schedulechange'
				? { data: scheduleChangeOf(orderFor(order, orderNo)) }
				: undefined;
		return sampleAtlasEvent(type, ctx, withOverrides(base ?? {}, overrides));
	};

	/** What a sent callback does to its order, so that a lookup afterwards reads accordingly. */
	const recordCallback = (event: Record<string, unknown>) => {
		const data = event.data as Record<string, unknown> | undefined;
		const orderNo = data?.orderNo;
		if (typeof orderNo !== 'string' && typeof orderNo !== 'number') return;
		const sample = api.incidents.find((i) => i.orderNo === String(orderNo)) ?? FALLBACK_ORDER;
		applyCallback(orderFor(sample, String(orderNo)), String(event.type), data ?? {});
	};

	const push: SandboxAtlas['push'] = async (type, overrides, opts) => {
		const url = opts?.url ?? webhookUrl();
		const event = sampleEvent(type, overrides);
		recordCallback(event);
		const result = await postJson(config.lifecycle, url, JSON.stringify(event), {
			'content-type': 'application/json;charset=UTF-8',
			'user-agent': 'Atlas-Webhook (sandbox)',
		});
		config.log?.(`atlas push ${type} → ${url ?? '(no URL)'}: ${result.status || result.error}`);
		return result;
	};

	const routes: ProviderRoute[] = [
		{
			id: 'atlas.updateWebhookURL',
			provider: 'atlas',
			method: 'POST',
			path: '/updateWebhookURL.do',
			handle: authenticated(updateWebhookUrl),
		},
		{
			id: 'atlas.getPageList',
			provider: 'atlas',
			method: 'POST',
			path: '/event/getPageList.do',
			handle: authenticated(getPageList),
		},
		{
			id: 'atlas.queryOrderDetails',
			provider: 'atlas',
			method: 'POST',
			path: '/queryOrderDetails.do',
			handle: authenticated(queryOrderDetails),
		},
	];

	let created = 0;
	const createIncident: SandboxAtlas['createIncident'] = (overrides = {}) => {
		const now = config.clock();
		const [base] = generateIncidents({ count: 1, seed: samplesRnd.int(1, 1e9), anchorMs: now });
		const stamp = formatAtlasTime(now);
		const incident: AtlasIncident = {
			...base,
			eventId: `EVN${now}${String(++created).padStart(4, '0')}`,
			eventStatus: 0,
			eventTime: stamp,
			createTime: stamp,
			updateTime: stamp,
			confirmTime: null,
			confirmedResult: null,
			confirmedRemark: null,
			notified: 0,
			...overrides,
		};
		api.incidents.unshift(incident);
		return incident;
	};

	const confirmIncident: SandboxAtlas['confirmIncident'] = (eventId, outcome = {}) => {
		const incident = api.incidents.find((i) => i.eventId === eventId);
		if (!incident) return undefined;
		const stamp = formatAtlasTime(config.clock());
		Object.assign(incident, {
			eventStatus: 1,
			confirmedResult: outcome.result ?? RESULTS[incident.eventType]?.[0] ?? 'Checked',
			confirmedRemark: outcome.remark ?? null,
			confirmTime: stamp,
			updateTime: stamp,
		});
		return incident;
	};

	// Handlers read api.incidents at call time, so a test may replace the store as well as edit it.
	const api: SandboxAtlas = {
		incidents: config.incidents,
		orders: new Map(),
		order: findOrder,
		webhookUrl,
		registrations,
		sampleEvent,
		push,
		eventTypes: [...ATLAS_EVENT_TYPES],
		createIncident,
		confirmIncident,
		updateTimeStart: 'utc+8',
	};
	return { routes, api };
}
