/**
 * The Atlas Trigger's settings and pure checks. Atlas does not sign its callbacks, so authenticity
 * comes from what can be checked here: the caller's IP address, a shared token the caller must
 * present, and the `cid` in the payload. Every check is a function of (settings, request): the
 * node's `webhook()` decides what a "no" means.
 */
import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { constantTimeEqual } from '../shared/constantTime';
import { DEFAULT_DEDUPE_MAX_AGE_SECONDS, DEFAULT_DEDUPE_MAX_ENTRIES } from '../shared/dedupe';
import type { OrderFacts } from '../shared/eventOrder';
import {
	checkedReceipt,
	type CommonTriggerOptions,
	type Denial,
	readCommonSettings,
	type TriggerRequest,
	type TriggerSettings,
} from '../shared/webhook';
import { callbackSchemaFor, type CallbackSummary } from './events';
import { ATLAS_CREDENTIAL_TYPE } from './transport';
import { atlasWebhookToken } from './transport/baseUrl';

/** Static-data key of the duplicate window (notificationIds seen). */
export const SEEN_KEY = 'atlasSeenNotificationIds';
/** Static-data key of the newest event time per order (out-of-order marks). */
export const ORDER_KEY = 'atlasNewestPerOrder';
export const TOKEN_QUERY_PARAMETER = 'token';

interface TriggerOptions extends CommonTriggerOptions {
	allowedIps?: string;
	expectedClientId?: string;
	acceptMissingClientId?: boolean;
}

export interface AtlasTriggerSettings extends TriggerSettings {
	/** Absent: any address. A list with no valid entry allows nobody: a typo must not open the URL. */
	allowList?: { cidrs: Cidr[]; invalid: string[] };
	/** Absent: no shared token. `expected` is the credential's Webhook Token ('' matches nothing). */
	token?: { location: 'query' | 'header'; headerName: string; expected: string };
	/** Absent: Require Client ID Match is off. */
	clientId?: { expected: string; acceptMissing: boolean };
}

/** Every node parameter the trigger uses, read once; the credential only when a check needs it. */
export async function readSettings(
	context: IWebhookFunctions | IHookFunctions,
): Promise<AtlasTriggerSettings> {
	const options = context.getNodeParameter('options', {}) as TriggerOptions;
	const tokenLocation = context.getNodeParameter('tokenLocation', 'none') as string;
	const requireClientId = context.getNodeParameter('requireClientId', true) as boolean;
	const expectedClientId = options.expectedClientId?.trim() ?? '';
	const needsCredential = tokenLocation !== 'none' || (requireClientId && !expectedClientId);
	const credentials = needsCredential
		? await context.getCredentials(ATLAS_CREDENTIAL_TYPE)
		: undefined;

	const allowText = (options.allowedIps ?? '').trim();
	const settings: AtlasTriggerSettings = {
		...readCommonSettings(context, options, {
			maxEntries: DEFAULT_DEDUPE_MAX_ENTRIES,
			maxAgeSeconds: DEFAULT_DEDUPE_MAX_AGE_SECONDS,
		}),
		allowList: allowText === '' ? undefined : parseCidrList(allowText),
	};
	if (tokenLocation === 'query' || tokenLocation === 'header') {
		settings.token = {
			location: tokenLocation,
			headerName:
				tokenLocation === 'header'
					? String(context.getNodeParameter('headerName', '')).trim().toLowerCase()
					: '',
			expected: atlasWebhookToken(credentials ?? {}),
		};
	}
	if (requireClientId) {
		settings.clientId = {
			expected: expectedClientId || String(credentials?.clientId ?? ''),
			acceptMissing: options.acceptMissingClientId ?? false,
		};
	}
	return settings;
}

// ---------------------------------------------------------------------------------------------
// Activation: Atlas has one URL per account, no "read" and no "delete".

/** Activations n8n performs by itself (start-up, leader change), as opposed to a user's. */
export const RESUMING: readonly string[] = ['init', 'leadershipChange'];

const isTestWebhook = (context: IHookFunctions) =>
	context.getMode() === 'manual' || context.getActivationMode() === 'manual';

/** Whether this activation should point Atlas at this node's URL. */
export function shouldRegister(context: IHookFunctions): boolean {
	if (!(context.getNodeParameter('registerOnActivation', true) as boolean)) return false;
	return !isTestWebhook(context) || (context.getNodeParameter('registerTestUrl', false) as boolean);
}

/** The URL Atlas should call: the node's URL, plus the shared token when it travels in the query. */
export async function callbackUrl(context: IHookFunctions): Promise<string> {
	const url = context.getNodeWebhookUrl('default') as string;
	const { token } = await readSettings(context);
	if (token?.location !== 'query') return url;
	const separator = url.includes('?') ? '&' : '?';
	return `${url}${separator}${TOKEN_QUERY_PARAMETER}=${encodeURIComponent(token.expected)}`;
}

export async function assertValidSettings(context: IHookFunctions): Promise<void> {
	const { allowList, token } = await readSettings(context);
	const invalid = allowList?.invalid ?? [];
	if (invalid.length > 0) {
		throw new NodeOperationError(
			context.getNode(),
			`IP Allow-List has entries that are not IP addresses or address ranges (like 203.0.113.0/24): ${invalid.join(', ')}`,
		);
	}
	if (token?.location === 'header' && !isHeaderName(token.headerName)) {
		throw new NodeOperationError(
			context.getNode(),
			token.headerName
				? `Header Name "${token.headerName}" is not a valid header name`
				: 'Header Name is empty',
			{
				description:
					'Enter the name of the header your gateway adds, such as X-Atlas-Token: letters, digits and hyphens, without spaces or a colon.',
			},
		);
	}
	if (token && !token.expected) {
		throw new NodeOperationError(
			context.getNode(),
			'Shared Token is on, but the Atlas API credential has no Webhook Token',
			{ description: 'Enter a long random value as Webhook Token in the credential.' },
		);
	}
}

// ---------------------------------------------------------------------------------------------
// Checks of a call

/** Source address, then shared token: decided before the body is read. */
export function checkCaller(
	settings: AtlasTriggerSettings,
	request: TriggerRequest,
): Denial | undefined {
	const { allowList, token } = settings;
	if (allowList && !isIpAllowed(request.ip, allowList.cidrs)) {
		return { status: 403, reason: 'Source IP not allowed', code: 'addressNotAllowed' };
	}
	if (!token) return undefined;
	const given =
		token.location === 'query'
			? queryParameter(request.query, TOKEN_QUERY_PARAMETER)
			: tokenFromHeader(request.headers[token.headerName]);
	return tokensMatch(given, token.expected)
		? undefined
		: { status: 401, reason: 'Missing or wrong token', code: 'wrongToken' };
}

/**
 * Atlas documents events without `cid` (airline status, cancellations). One that lacks it passes
 * when a secret guard (IP allow-list, shared token) already passed; with the client ID as the only
 * guard it would prove nothing, so it is refused unless the user accepts that.
 */
export function checkCid(
	settings: AtlasTriggerSettings,
	summary: CallbackSummary,
): Denial | undefined {
	const { clientId } = settings;
	if (!clientId) return undefined;
	const result = checkClientId(summary.cid, clientId.expected);
	if (result === 'match') return undefined;
	if (result === 'missing') {
		const secretGuardPassed = settings.allowList !== undefined || settings.token !== undefined;
		return secretGuardPassed || clientId.acceptMissing
			? undefined
			: { status: 403, reason: 'Payload has no cid', code: 'clientIdMissing' };
	}
	return {
		status: 403,
		reason: 'cid does not match this Atlas account',
		code: 'clientIdMismatch',
	};
}

/** Atlas' email links stop working about 10 minutes after the event. */
export const EMAIL_LINK_LIFETIME_MS = 10 * 60 * 1000;

/** The `Expires` (Unix seconds) a signed storage link carries, if it has a readable one. */
function linkExpiresParam(link: string): number | undefined {
	const match = /[?&]Expires=(\d{9,11})(?:&|#|$)/.exec(link);
	return match ? Number(match[1]) * 1000 : undefined;
}

/**
 * When the event's `data.emailLink`, if it has one, expires at the latest: 10 minutes after the
 * event, or earlier when the link itself says so (`Expires=` on signed storage links).
 */
function emailLinkExpiry(payload: unknown, receivedAt: Date): IDataObject {
	const link = (payload as { data?: { emailLink?: unknown } } | null)?.data?.emailLink;
	if (typeof link !== 'string' || link === '') return {};
	const byLifetime = receivedAt.getTime() + EMAIL_LINK_LIFETIME_MS;
	const byLink = linkExpiresParam(link) ?? byLifetime;
	return { emailLinkExpiresAt: new Date(Math.min(byLifetime, byLink)).toISOString() };
}

/** The emitted item: normalised fields on top, the payload exactly as received below. */
export function toTriggerItem(payload: unknown, summary: CallbackSummary, receivedAt: Date) {
	const { eventType, orderNo, notificationId } = summary;
	return {
		eventType,
		orderNo,
		notificationId,
		...checkedReceipt(callbackSchemaFor(eventType ?? ''), payload, receivedAt),
		...emailLinkExpiry(payload, receivedAt),
		payload: payload as IDataObject,
	};
}

/** Only airline emails (email.all) carry a documented event time: when Atlas received the email. */
export const orderFactsOf = (payload: unknown, summary: CallbackSummary): OrderFacts => ({
	subject: summary.orderNo,
	time: (payload as { data?: { emailReceivingDate?: unknown } } | null)?.data?.emailReceivingDate,
});

// ---------------------------------------------------------------------------------------------
// Client ID

export type CidCheck = 'match' | 'missing' | 'mismatch';

/** Whether the payload's `cid` names the expected Atlas account. */
export function checkClientId(cid: string | null, expected: string): CidCheck {
	if (cid === null || cid.trim() === '') return 'missing';
	return cid.trim() === expected.trim() ? 'match' : 'mismatch';
}

// ---------------------------------------------------------------------------------------------
// Shared token

/** A `+` put into a URL unencoded arrives as a space: both read as `+`. */
const plusForSpace = (token: string) => token.replace(/ /g, '+');

/** Whether the caller presented the configured token; an empty configured token matches nothing. */
export function tokensMatch(given: string | undefined, expected: string): boolean {
	if (given === undefined || expected === '') return false;
	return constantTimeEqual(plusForSpace(given), plusForSpace(expected));
}

/** An HTTP header name (RFC 9110 token): anything else can never arrive in a request. */
export const isHeaderName = (name: string): boolean => /^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(name);

/** The first value of a header or query parameter that may arrive as a list. */
export function firstValue(value: unknown): string | undefined {
	const first = Array.isArray(value) ? value[0] : value;
	return typeof first === 'string' ? first : undefined;
}

/**
 * A query parameter whatever the case of its name (`?Token=` as `?token=`), the exact spelling
 * first: Register URL treats any case of the name as the token too.
 */
export function queryParameter(query: Record<string, unknown>, name: string): string | undefined {
	const key = Object.prototype.hasOwnProperty.call(query, name)
		? name
		: Object.keys(query).find((k) => k.toLowerCase() === name.toLowerCase());
	return key === undefined ? undefined : firstValue(query[key]);
}

/** `Bearer x` and `x` both present the token `x` in a header. */
export function tokenFromHeader(value: unknown): string | undefined {
	const text = firstValue(value)?.trim();
	if (text === undefined) return undefined;
	return text.replace(/^bearer\s+/i, '');
}

// ---------------------------------------------------------------------------------------------
// IP allow-list

/** An address as 4 (IPv4) or 16 (IPv6) bytes. IPv4-mapped IPv6 addresses become IPv4. */
export type IpBytes = number[];

export interface Cidr {
	bytes: IpBytes;
	prefix: number;
}

function parseIpv4(text: string): IpBytes | undefined {
	const parts = text.split('.');
	if (parts.length !== 4) return undefined;
	const bytes = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : NaN));
	return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

function parseHextets(groups: string[]): number[] | undefined {
	const words = groups.map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN));
	return words.some(Number.isNaN) ? undefined : words;
}

function parseIpv6(text: string): IpBytes | undefined {
	let groups = text;
	const tail: number[] = [];
	// A dotted IPv4 tail (::ffff:1.2.3.4) stands for the last two groups.
	const lastColon = text.lastIndexOf(':');
	const last = text.slice(lastColon + 1);
	if (last.includes('.')) {
		const v4 = parseIpv4(last);
		if (!v4) return undefined;
		tail.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
		groups = text.slice(0, lastColon + 1);
		if (!groups.endsWith('::')) groups = groups.slice(0, -1);
	}
	const halves = groups.split('::');
	if (halves.length > 2) return undefined;
	const split = (part: string) => (part === '' ? [] : part.split(':'));
	const left = parseHextets(split(halves[0]));
	const right = parseHextets(halves.length === 2 ? split(halves[1]) : []);
	if (!left || !right) return undefined;
	const given = left.length + right.length + tail.length;
	if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
	const words = [...left, ...new Array<number>(8 - given).fill(0), ...right, ...tail];
	return words.flatMap((w) => [w >> 8, w & 0xff]);
}

const isV4Mapped = (bytes: IpBytes) =>
	bytes.length === 16 &&
	bytes.slice(0, 10).every((b) => b === 0) &&
	bytes[10] === 0xff &&
	bytes[11] === 0xff;

/** Parses an IPv4 or IPv6 address (zone ids and brackets tolerated); undefined when invalid. */
export function parseIp(text: string): IpBytes | undefined {
	const clean = text
		.trim()
		.replace(/^\[(.*)\]$/, '$1')
		.replace(/%.*$/, '');
	const bytes = clean.includes(':') ? parseIpv6(clean) : parseIpv4(clean);
	return bytes && isV4Mapped(bytes) ? bytes.slice(12) : bytes;
}

/** Parses `1.2.3.0/24`, `2001:db8::/32` or a single address; undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
	const [address, prefixText, extra] = text.trim().split('/');
	if (extra !== undefined) return undefined;
	const raw = address.includes(':') ? parseIpv6(address.trim()) : parseIpv4(address.trim());
	if (!raw) return undefined;
	const bits = raw.length * 8;
	const prefix =
		prefixText === undefined ? bits : /^\d+$/.test(prefixText) ? Number(prefixText) : NaN;
	if (!(prefix >= 0 && prefix <= bits)) return undefined;
	// ::ffff:a.b.c.d/n covers IPv4 addresses: keep it comparable with plain IPv4.
	if (isV4Mapped(raw) && prefix >= 96) return { bytes: raw.slice(12), prefix: prefix - 96 };
	return { bytes: raw, prefix };
}

export interface CidrList {
	cidrs: Cidr[];
	invalid: string[];
}

/** Splits a comma/space/newline separated list into ranges, reporting the entries it cannot read. */
export function parseCidrList(text: string): CidrList {
	const entries = text.split(/[\s,;]+/).filter((entry) => entry !== '');
	const cidrs: Cidr[] = [];
	const invalid: string[] = [];
	for (const entry of entries) {
		const cidr = parseCidr(entry);
		if (cidr) cidrs.push(cidr);
		else invalid.push(entry);
	}
	return { cidrs, invalid };
}

function inRange(ip: IpBytes, { bytes, prefix }: Cidr): boolean {
	if (ip.length !== bytes.length) return false;
	const full = Math.floor(prefix / 8);
	for (let i = 0; i < full; i++) if (ip[i] !== bytes[i]) return false;
	const rest = prefix % 8;
	if (rest === 0) return true;
	const mask = (0xff << (8 - rest)) & 0xff;
	return (ip[full] & mask) === (bytes[full] & mask);
}

/** Whether `ip` falls in any of `cidrs`. An unreadable address is never allowed. */
export function isIpAllowed(ip: string | undefined, cidrs: Cidr[]): boolean {
	const bytes = ip === undefined ? undefined : parseIp(ip);
	return bytes !== undefined && cidrs.some((cidr) => inRange(bytes, cidr));
}
