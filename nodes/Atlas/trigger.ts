/**
 * What the Atlas Trigger does with a call, as steps of the shared pipeline: its settings read once
 * per call, then pure checks of (settings, request): source IP, shared token, client ID.
 */
import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import { DEFAULT_DEDUPE_MAX_AGE_SECONDS, DEFAULT_DEDUPE_MAX_ENTRIES } from '../shared/dedupe';
import {
	type CommonTriggerOptions,
	type Denial,
	readCommonSettings,
	type TriggerSettings,
	type TriggerSteps,
} from '../shared/triggerPipeline';
import { checkedReceipt } from '../shared/webhook';
import {
	ATLAS_EVENT_TYPES,
	callbackSchemaFor,
	summariseCallback,
	type CallbackSummary,
} from './events';
import {
	checkClientId,
	type Cidr,
	isIpAllowed,
	parseCidrList,
	queryParameter,
	tokenFromHeader,
	tokensMatch,
} from './guards';
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

function authenticate(
	settings: AtlasTriggerSettings,
	request: { ip?: string; headers: Record<string, unknown>; query: Record<string, unknown> },
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
function checkCid(settings: AtlasTriggerSettings, summary: CallbackSummary): Denial | undefined {
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

export const ATLAS_TRIGGER_STEPS: TriggerSteps<AtlasTriggerSettings, CallbackSummary> = {
	readSettings,
	authenticate,
	summarise: summariseCallback,
	eventId: (summary) => summary.notificationId,
	checkEvent: checkCid,
	knownTypes: ATLAS_EVENT_TYPES,
	seenKey: SEEN_KEY,
	idName: 'notificationId',
	toItem: toTriggerItem,
	// Only airline emails (email.all) carry a documented event time: when Atlas received the email,
	// in UTC. Other types have none and are emitted not compared.
	eventOrder: {
		key: ORDER_KEY,
		factsOf: (payload, summary) => ({
			subject: summary.orderNo,
			time: (payload as { data?: { emailReceivingDate?: unknown } } | null)?.data
				?.emailReceivingDate,
		}),
	},
};
