/** Plain-fetch clients for the sandbox's provider routes, as a caller of each real API would be. */
import { buildAuthorizationHeader, nowInSeconds } from '../../nodes/ExpediaRapid/signature';
import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	type AtlasIncident,
	type Sandbox,
} from '../../dev/sandbox';

export interface AtlasEnvelope {
	status: number;
	msg: string | null;
	records?: AtlasIncident[];
	pageIndex?: string;
	pageSize?: string;
	total?: string;
}

interface RapidField {
	name: string;
	type: string;
	value?: string;
}

export interface RapidErrorBody {
	type: string;
	message: string;
	fields?: RapidField[];
	errors?: Array<{ type: string; message: string; fields?: RapidField[] }>;
}

export interface Reply<T> {
	status: number;
	headers: Headers;
	body: T;
}

/** The body parsed as JSON; undefined when empty, the raw text when it is not JSON. */
async function readReply<T>(response: Response): Promise<Reply<T>> {
	const text = await response.text();
	let body: unknown = text === '' ? undefined : text;
	try {
		body = JSON.parse(text);
	} catch {
		// not JSON: keep the text
	}
	return { status: response.status, headers: response.headers, body: body as T };
}

export interface AtlasCallOptions {
	clientId?: string;
	clientSecret?: string;
	headers?: Record<string, string>;
}

/** POST {sandbox}/{endpoint}.do with Atlas' client headers. */
export async function atlasCall(
	sb: Sandbox,
	endpoint: string,
	body: unknown,
	options: AtlasCallOptions = {},
): Promise<Reply<AtlasEnvelope>> {
	const response = await fetch(`${sb.url}/${endpoint}.do`, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			'x-atlas-client-id': options.clientId ?? DEFAULT_ATLAS_CLIENT_ID,
			'x-atlas-client-secret': options.clientSecret ?? DEFAULT_ATLAS_CLIENT_SECRET,
			...options.headers,
		},
		body: JSON.stringify(body),
	});
	return await readReply<AtlasEnvelope>(response);
}

/** Every record of a filtered list, read page by page. */
export async function listAll(sb: Sandbox, filters: object, pageSize = 100) {
	const records: AtlasIncident[] = [];
	for (let pageIndex = 1; ; pageIndex++) {
		const { body } = await atlasCall(sb, 'event/getPageList', { ...filters, pageSize, pageIndex });
		records.push(...(body.records ?? []));
		if (records.length >= Number(body.total) || body.records?.length === 0) return records;
	}
}

export interface RapidCallOptions {
	apiKey?: string;
	sharedSecret?: string;
	/** Unix seconds to sign with (default: now). */
	timestamp?: number;
	/** Sent as is instead of a signed header; null sends none. */
	authorization?: string | null;
	body?: unknown;
	/** Extra request headers (e.g. Customer-Ip). */
	headers?: Record<string, string>;
}

/** A request to the sandbox's Rapid routes, signed as Rapid's clients sign. */
export async function rapidCall<T = unknown>(
	sb: Sandbox,
	method: 'GET' | 'POST',
	pathAndQuery: string,
	options: RapidCallOptions = {},
): Promise<Reply<T>> {
	const authorization =
		options.authorization === undefined
			? buildAuthorizationHeader(
					options.apiKey ?? DEFAULT_RAPID_API_KEY,
					options.sharedSecret ?? DEFAULT_RAPID_SHARED_SECRET,
					options.timestamp ?? nowInSeconds(),
				)
			: options.authorization;
	const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
	if (authorization !== null) headers.authorization = authorization;
	if (options.body !== undefined) headers['content-type'] = 'application/json';
	const response = await fetch(`${sb.url}${pathAndQuery}`, {
		method,
		headers,
		body: options.body === undefined ? undefined : JSON.stringify(options.body),
	});
	return await readReply<T>(response);
}

export const drain = async (sb: Sandbox) =>
	await rapidCall<object[]>(sb, 'GET', '/v3/notifications?undeliverable=true');

/** Calls the admin API. */
export async function adminCall<T = unknown>(
	sb: Sandbox,
	method: string,
	path: string,
	body?: unknown,
): Promise<Reply<T>> {
	const response = await fetch(`${sb.url}/_admin/${path}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return await readReply<T>(response);
}
