/**
 * The fake Rapid: signature auth on every request, the undeliverable queue
 * (GET /v3/notifications?undeliverable=true), test notifications (POST /v3/notifications), and
 * signed pushes to the partner's callback URL with Rapid's retry schedule, the spoken-languages
 * reference list (GET /v3/references/spoken-languages) that the credential test reads, and
 * Retrieve Booking (GET /v3/itineraries/{itinerary_id}?email=) for the bookings it notified about.
 */
import { RAPID_RETRY_DELAYS_MS, RAPID_UNDELIVERABLE_PAGE_SIZE } from './defaults';
import { rapidError, type RapidErrorIndividual, rapidHttpError, rapidInvalidInput } from './errors';
import {
	checkRapidAuthorization,
	rapidAuthorization,
	readRapidAuthorization,
} from './rapidSignature';
import type { Lifecycle } from './lifecycle';
import { postJson, retryLoop } from './pusher';
import { createRandom } from './random';
import { RAPID_EVENT_TYPES, sampleRapidNotification } from './rapidEvents';
import { createItineraryStore } from './rapidItineraries';
import type { ProviderRoute, RouteRequest, RouteResult } from './server';
import type { DeliveryOutcome, RapidRouteId, RapidTestRequest, SandboxRapid } from './types';

export interface RapidConfig {
	apiKey: string;
	sharedSecret: string;
	toleranceSeconds: number;
	callbackUrl?: string;
	retryTimeScale: number;
	seed: number;
	clock: () => number;
	lifecycle: Lifecycle;
	log?: (line: string) => void;
}

/** The optional query parameters both endpoints take; recorded with test requests. */
const OPTIONAL_PARAMS = [
	'billing_terms',
	'partner_point_of_sale',
	'payment_terms',
	'platform_name',
];

/** The languages listed in the spec's `language.required` example (spoken-languages, 400). */
const SUPPORTED_LANGUAGES =
	'ar-SA, cs-CZ, da-DK, de-DE, el-GR, en-US, es-ES, es-MX, fi-FI, fr-CA, fr-FR, hr-HR, hu-HU, id-ID, is-IS, it-IT, ja-JP, lt-LT, ko-KR, ms-MY, nb-NO, nl-NL, pl-PL, pt-BR, pt-PT, ru-RU, sk-SK, sv-SE, th-TH, tr-TR, uk-UA, vi-VN, zh-CN, zh-TW';

const ITINERARY_PREFIX = '/v3/itineraries/';

/** `{itinerary_id}` of /v3/itineraries/{itinerary_id}; undefined for any other path. */
function itineraryIdOf(path: string): string | undefined {
	if (!path.startsWith(ITINERARY_PREFIX)) return undefined;
	const segment = path.slice(ITINERARY_PREFIX.length);
	if (segment === '' || segment.includes('/')) return undefined;
	try {
		return decodeURIComponent(segment);
	} catch {
		return undefined;
	}
}

/** Why a Retrieve Booking request is refused with a 400, or undefined when it is not. */
function invalidLookup(
	customerIp: string,
	query: Record<string, string>,
): RapidErrorIndividual | undefined {
	if (customerIp === '') {
		const fields = [{ name: 'Customer-Ip', type: 'header' }];
		return { type: 'customer_ip.required', message: 'Customer-Ip header is required.', fields };
	}
	if (query.token !== undefined) return { type: 'link.invalid', message: 'Link is invalid.' };
	if (query.email === undefined || query.email === '') {
		const message = 'Email is required when no token is given.';
		return { type: 'email.required', message, fields: [{ name: 'email', type: 'querystring' }] };
	}
	return undefined;
}

/** A pushed body as JSON, or undefined (tests push broken bodies on purpose). */
function parsed(body: string): unknown {
	try {
		return JSON.parse(body);
	} catch {
		return undefined;
	}
}

export function createRapid(config: RapidConfig) {
	const testRequests: RapidTestRequest[] = [];
	const samplesRnd = createRandom(config.seed ^ 0x7a91d);
	const itineraries = createItineraryStore(createRandom(config.seed ^ 0x171e), config.clock);
	let callbackUrl = config.callbackUrl;
	let pendingDeliveries = 0;
	const nowSeconds = () => Math.floor(config.clock() / 1000);

	/** Echoes what the caller sent (never the secret) and the server's clock, like Rapid's 401. */
	function unauthenticated(header: unknown, reason: string): RouteResult {
		const read = readRapidAuthorization(header);
		const parts = typeof read === 'string' ? undefined : read;
		return {
			status: 401,
			headers: { 'x-sandbox-auth-failure': reason },
			body: rapidHttpError(401, [
				{ name: 'apikey', type: 'header', value: parts?.apiKey ?? '' },
				{ name: 'signature', type: 'header', value: parts?.signature ?? '' },
				{ name: 'timestamp', type: 'header', value: parts ? String(parts.timestamp) : '' },
				{ name: 'servertimestamp', type: 'server', value: String(nowSeconds()) },
			]),
		};
	}

	const signed =
		(handler: (request: RouteRequest) => RouteResult) =>
		(request: RouteRequest): RouteResult => {
			const header = request.headers.authorization;
			const verdict = checkRapidAuthorization(header, {
				apiKey: config.apiKey,
				sharedSecret: config.sharedSecret,
				toleranceSeconds: config.toleranceSeconds,
				now: nowSeconds(),
			});
			return verdict.ok ? handler(request) : unauthenticated(header, verdict.reason);
		};

	/** Each notification is returned once: what a response carries leaves the queue for good. */
	const getUndeliverable = ({ query }: RouteRequest): RouteResult => {
		if (String(query.undeliverable).toLowerCase() !== 'true') {
			const field = { name: 'undeliverable', type: 'querystring' };
			const value = query.undeliverable;
			return {
				status: 400,
				body: rapidInvalidInput({
					type: value === undefined ? 'undeliverable.required' : 'undeliverable.invalid',
					message: 'Undeliverable notifications are returned when undeliverable is true.',
					fields: [value === undefined ? field : { ...field, value }],
				}),
			};
		}
		return { status: 200, body: api.undeliverable.splice(0, RAPID_UNDELIVERABLE_PAGE_SIZE) };
	};

	const postTest = ({ body, query }: RouteRequest): RouteResult => {
		const eventType = (body as { event_type?: unknown } | undefined)?.event_type;
		if (typeof eventType !== 'string' || !RAPID_EVENT_TYPES.includes(eventType)) {
			return {
				status: 400,
				body: rapidInvalidInput({
					type: 'event_type.not_supported',
					message: `Event type is not supported. Supported event types are: [${RAPID_EVENT_TYPES.join(', ')}]`,
					fields: [{ name: 'event_type', type: 'path' }],
				}),
			};
		}
		const params = Object.fromEntries(
			Object.entries(query).filter(([name]) => OPTIONAL_PARAMS.includes(name)),
		);
		testRequests.push({ eventType, at: config.clock(), params });
		// Queued, not sent inline: the 204 does not wait for the partner's endpoint.
		if (callbackUrl) void deliver(sampleNotification(eventType));
		return { status: 204 };
	};

	/**
	 * Spec: paths./v3/references/spoken-languages.get in ExpediaGroup/rapid-java-sdk,
	 * code/transformedSpecs.yaml. `language` is required (400 is the spec's example); the 200 body is
	 * the spec's example. Read-only: nothing is recorded or changed.
	 */
	const getSpokenLanguages = ({ query }: RouteRequest): RouteResult => {
		if (query.language === undefined || query.language === '') {
			return {
				status: 400,
				body: rapidInvalidInput({
					type: 'language.required',
					message: `A language is required. Supported languages are: [${SUPPORTED_LANGUAGES}]`,
					fields: [{ name: 'language', type: 'querystring' }],
				}),
			};
		}
		return {
			status: 200,
			body: {
				el: { id: 'el', name: 'Greek' },
				en: { id: 'en', name: 'English' },
				fr: { id: 'fr', name: 'French' },
			},
		};
	};

	/**
	 * Spec: paths./v3/itineraries/{itinerary_id}.get (Retrieve Booking). The 404 body is the spec's
	 * example; the 400s for a missing Customer-Ip or email are the sandbox's own (the spec requires
	 * both without showing their error); a token gets the spec's `link.invalid` 400, since the
	 * sandbox hands out no links.
	 */
	const getItinerary = ({ path, query, headers }: RouteRequest): RouteResult => {
		const invalid = invalidLookup(String(headers['customer-ip'] ?? '').trim(), query);
		if (invalid) return { status: 400, body: rapidInvalidInput(invalid) };
		const found = itineraries.find(itineraryIdOf(path) ?? '', query.email);
		if (!found) {
			return {
				status: 404,
				body: rapidError('resource_not_found', 'Itinerary was not found with provided request.'),
			};
		}
		return { status: 200, body: found };
	};

	const sampleNotification = (type: string, overrides?: object) =>
		sampleRapidNotification(type, { now: config.clock(), rnd: samplesRnd }, overrides);

	/** One signed POST of an already serialised body; each call signs afresh. */
	async function pushBody(
		body: string,
		opts: { url?: string; timestamp?: number; authorization?: string } = {},
	) {
		const url = opts.url ?? callbackUrl;
		// Before sending: the receiver may look the booking up while the push is still open.
		itineraries.record(parsed(body));
		const authorization =
			opts.authorization ??
			rapidAuthorization(config.apiKey, config.sharedSecret, opts.timestamp ?? nowSeconds());
		const result = await postJson(config.lifecycle, url, body, {
			'content-type': 'application/json',
			authorization,
			'user-agent': 'Rapid-Notifications (sandbox)',
		});
		config.log?.(`rapid push → ${url ?? '(no callback URL)'}: ${result.status || result.error}`);
		return result;
	}

	/** Same body (so same event_id) on every try; after the last failure it becomes undeliverable. */
	const deliver: SandboxRapid['deliver'] = async (notification) => {
		const body = JSON.stringify(notification);
		const loop = retryLoop(
			config.lifecycle,
			() => pushBody(body),
			RAPID_RETRY_DELAYS_MS,
			config.retryTimeScale,
		);
		pendingDeliveries++;
		const done = loop.done.then((outcome): DeliveryOutcome => {
			pendingDeliveries--;
			if (outcome !== 'failed') return outcome;
			api.undeliverable.push(JSON.parse(body) as object);
			return 'undeliverable';
		});
		await loop.firstAttempt;
		return { notification, attempts: loop.attempts, done };
	};

	const enqueueUndeliverable = (n: number | object[]) => {
		const items = Array.isArray(n)
			? n
			: Array.from({ length: n }, (_, i) =>
					sampleNotification(RAPID_EVENT_TYPES[i % RAPID_EVENT_TYPES.length]),
				);
		items.forEach(itineraries.record);
		api.undeliverable.push(...items);
	};

	const routes: ProviderRoute[] = [
		{
			id: 'rapid.getUndeliverable',
			provider: 'rapid',
			method: 'GET',
			path: '/v3/notifications',
			handle: signed(getUndeliverable),
		},
		{
			id: 'rapid.postTest',
			provider: 'rapid',
			method: 'POST',
			path: '/v3/notifications',
			handle: signed(postTest),
		},
		{
			// Not yet in RapidRouteId (types.ts) nor ROUTE_IDS (faults.ts): no fault can target it.
			id: 'rapid.getSpokenLanguages' as string as RapidRouteId,
			provider: 'rapid',
			method: 'GET',
			path: '/v3/references/spoken-languages',
			handle: signed(getSpokenLanguages),
		},
		{
			id: 'rapid.getItinerary',
			provider: 'rapid',
			method: 'GET',
			path: ITINERARY_PREFIX,
			matches: (path) => itineraryIdOf(path) !== undefined,
			handle: signed(getItinerary),
		},
	];

	// Handlers read api.undeliverable at call time: tests may edit or replace the queue.
	const api: SandboxRapid = {
		eventTypes: [...RAPID_EVENT_TYPES],
		sampleNotification,
		callbackUrl: () => callbackUrl,
		setCallbackUrl: (url) => {
			callbackUrl = url;
		},
		push: async (notification, opts) => await pushBody(JSON.stringify(notification), opts),
		deliver,
		undeliverable: [],
		enqueueUndeliverable,
		testRequests,
		itinerary: itineraries.get,
	};
	return { routes, api, pendingDeliveries: () => pendingDeliveries };
}
