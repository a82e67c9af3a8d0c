/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling: never shipped, runs under plain Node.js */
/** The sandbox's public types: what tests, e2e runs and benchmarks program against. */
import type { IncomingHttpHeaders } from 'node:http';

export type AtlasRouteId =
	| 'atlas.updateWebhookURL'
	| 'atlas.getPageList'
	| 'atlas.queryOrderDetails';
export type RapidRouteId =
	| 'rapid.getUndeliverable'
	| 'rapid.postTest'
	| 'rapid.getItinerary';
export type RouteId = AtlasRouteId | RapidRouteId;

export interface RecordedRequest {
	/** The provider route it matched, or 'unknown' (answered 404). */
	route: RouteId | 'unknown';
	method: string;
	path: string;
	query: Record<string, string>;
	/** As received (lower-case names), credentials included: this log never leaves the process. */
	headers: IncomingHttpHeaders;
	/** Parsed JSON, the raw text when it is not JSON, undefined when empty. */
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary fields of it
	body: any;
	/** Epoch milliseconds. */
	at: number;
}

/** The outcome of one outgoing POST. `status` is 0 when no HTTP answer arrived (see `error`). */
export interface PushResult {
	status: number;
	body: string;
	durationMs: number;
	error?: string;
}

/** 'cancelled' when the sandbox closed while retries were still pending. */
export type DeliveryOutcome = 'delivered' | 'undeliverable' | 'cancelled';

export interface Delivery {
	notification: object;
	/** Grows as attempts complete. */
	attempts: PushResult[];
	done: Promise<DeliveryOutcome>;
}

export type FaultKind =
	| 'latency'
	| 'http'
	| 'timeout'
	| 'malformed-json'
	| 'truncated-gzip'
	| 'atlas-status'
	| 'reset';

export interface FaultSpec {
	route: RouteId | '*';
	kind: FaultKind;
	/** 'latency' only. */
	latencyMs?: number;
	/** HTTP status for 'http' (default 503); envelope status for 'atlas-status' (default 2). */
	status?: number;
	/** 'http': seconds until the client may come back (Atlas: Retry-After; Rapid 429: Rate-Limit-Minute-Reset). */
	retryAfterSeconds?: number;
	/** Let the first N matching requests through. */
	skip?: number;
	/** Then apply to N requests (default: all of them). */
	times?: number;
}

export interface FaultState extends FaultSpec {
	/** Matching requests seen so far (skipped ones included). */
	seen: number;
	applied: number;
}

export interface FaultController {
	add(spec: FaultSpec): FaultState;
	clear(): void;
	list(): FaultState[];
}

/** One incident exactly as event/getPageList.do returns it, plus extra fields. */
export type AtlasIncident = {
	eventId: string;
	orderNo: string;
	eventType: string;
	eventStatus: number;
	eventTime: string;
	confirmedResult: string | null;
	confirmedRemark: string | null;
	createTime: string;
	airline: string;
	depTime: string;
	confirmTime: string | null;
	notified: number | null;
	pnr: string;
	paxName: string;
	paxEmail: string;
	updateTime: string;
	[extraField: string]: string | number | null | undefined;
};

export interface AtlasRegistration {
	url: string;
	cid?: string;
	at: number;
}

export interface RapidTestRequest {
	eventType: string;
	at: number;
	/** billing_terms, partner_point_of_sale, payment_terms, platform_name when given. */
	params: Record<string, string>;
}

export interface SandboxOptions {
	/** 0 = a free port (default). The host is always 127.0.0.1. */
	port?: number;
	/** The SMTP catcher's port; 0 = a free port (default). */
	smtpPort?: number;
	/** Generated incidents (default 300); deterministic for a given seed and anchor. */
	incidentCount?: number;
	seed?: number;
	/** Incident times lie in the 60 days before this instant (epoch ms or Date; default: now). */
	anchor?: number | Date;
	/** The server's clock in epoch ms (default Date.now): lets tests pin Rapid's timestamp window. */
	clock?: () => number;
	atlas?: { clientId?: string; clientSecret?: string };
	rapid?: {
		apiKey?: string;
		sharedSecret?: string;
		/** Seconds either way, inclusive (default 300). */
		toleranceSeconds?: number;
		/** Where Rapid pushes notifications (one URL per partner). */
		callbackUrl?: string;
		/** 1 = real time (default); 0.001 turns 5 minutes into 300 ms. */
		retryTimeScale?: number;
	};
	/** The Atlas webhook URL before any registration, as if set in the Atlas console. */
	atlasWebhookUrl?: string;
	/** One line per provider request and push (never headers or bodies); the CLI prints these. */
	log?: (line: string) => void;
}

export interface SandboxAtlas {
	/** The store, in the order the incident list returns it (eventTime desc, then eventId). */
	incidents: AtlasIncident[];
	/**
	 * Orders as the order lookup returns them (without status and msg), by order number: set by a
	 * test, or built on first use from the order's incident and changed by every callback sent.
	 */
	orders: Map<string, Record<string, unknown> & { orderNo: string }>;
	/** The order the lookup would return for `orderNo` (built from its incident if need be). */
	order(orderNo: string): (Record<string, unknown> & { orderNo: string }) | undefined;
	webhookUrl(): string | undefined;
	registrations: AtlasRegistration[];
	/** A callback payload of `type`; unknown types get the common shape. */
	sampleEvent(type: string, overrides?: object): Record<string, unknown>;
	/** One POST to the registered URL (or `opts.url`), no retries: Atlas delivery is best effort. */
	push(type: string, overrides?: object, opts?: { url?: string }): Promise<PushResult>;
	eventTypes: string[];
	/** A new unconfirmed incident, created and updated now (so polling triggers see it). */
	createIncident(overrides?: Partial<AtlasIncident>): AtlasIncident;
	/**
	 * Runs before each incident-list page is answered, with the request body: a test moves or
	 * empties the list while a client pages through it.
	 */
	beforeListPage?: (body: Record<string, unknown>) => void;
	/**
	 * How `updateTimeStart` (named by Atlas without a meaning) is read: in UTC+08:00 like the other
	 * times (default), ignored, or as UTC: what a real server might do instead.
	 */
	updateTimeStart: 'utc+8' | 'ignore' | 'utc';
	/** Confirms an incident now: status 1, a result, optionally a remark; undefined if unknown. */
	confirmIncident(
		eventId: string,
		outcome?: { result?: string; remark?: string | null },
	): AtlasIncident | undefined;
}

export interface SandboxRapid {
	eventTypes: string[];
	/** A notification of `type` with a fresh event_id. */
	sampleNotification(type: string, overrides?: object): Record<string, unknown>;
	callbackUrl(): string | undefined;
	setCallbackUrl(url: string | undefined): void;
	/** One signed POST, no retry. */
	push(
		notification: object,
		opts?: { url?: string; timestamp?: number; authorization?: string },
	): Promise<PushResult>;
	/**
	 * POSTs with Rapid's retry schedule; resolves once the first attempt has completed, while
	 * `done` settles when it is delivered or has moved to the undeliverable queue.
	 */
	deliver(notification: object): Promise<Delivery>;
	/** The undeliverable queue (mutable). */
	undeliverable: object[];
	enqueueUndeliverable(n: number | object[]): void;
	testRequests: RapidTestRequest[];
	/**
	 * The booking Retrieve Booking returns for `itineraryId` (a fresh copy), whatever the email;
	 * undefined when no notification pushed or queued named it.
	 */
	itinerary(itineraryId: string): Record<string, unknown> | undefined;
}

/** One POST to the catcher (/_catcher/NAME): what an example workflow "sent to Slack". */
export interface CaughtMessage {
	name: string;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary fields of it
	body: any;
	at: number;
}

export interface Sandbox {
	url: string;
	port: number;
	/** The SMTP catcher's port (plain SMTP, no TLS, no auth) on 127.0.0.1. */
	smtpPort: number;
	requests: RecordedRequest[];
	/** Messages example workflows posted to the catcher, oldest first. */
	caught: CaughtMessage[];
	faults: FaultController;
	atlas: SandboxAtlas;
	rapid: SandboxRapid;
	/** Stops the server, drops open connections and cancels pending retries and timers. */
	close(): Promise<void>;
}
