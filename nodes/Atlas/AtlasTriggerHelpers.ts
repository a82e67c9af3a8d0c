/**
 * The Atlas Trigger's settings and pure checks. Atlas does not sign its callbacks, so authenticity
 * comes from what can be checked here: the caller's IP address, a shared token the caller must
 * present, and the `cid` in the payload. The checks are functions of (settings, request), but for
 * checkAccount, which may read the credential: the node's `webhook()` decides what a "no" means.
 */
import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import { constantTimeEqual } from '../shared/constantTime';
import {
	DEFAULT_DEDUPE_MAX_AGE_SECONDS,
	DEFAULT_DEDUPE_MAX_ENTRIES,
	markForSave,
} from '../shared/dedupe';
import type { OrderFacts } from '../shared/eventOrder';
import {
	type CommonTriggerOptions,
	readCommonSettings,
	type TriggerSettings,
} from '../shared/triggerOptions';
import { checkedReceipt } from '../shared/json';
import type { Denial, TriggerRequest } from '../shared/webhook';
import { callbackSchemaFor, type CallbackSummary, emailLinkExpiry } from './events';
import { type CidrList, isIpAllowed, parseCidrList } from './ipRanges';
import { ATLAS_CREDENTIAL_TYPE } from './transport';
import { atlasWebhookToken } from './transport/baseUrl';

/** Static-data keys: the duplicate window (notificationIds seen), the newest event per order. */
export const STATE_KEYS = { seen: 'atlasSeenNotificationIds', order: 'atlasNewestPerOrder' };
export const TOKEN_QUERY_PARAMETER = 'token';

interface TriggerOptions extends CommonTriggerOptions {
	allowedIps?: string;
	expectedClientId?: string;
	acceptMissingClientId?: boolean;
}

export interface AtlasTriggerSettings extends TriggerSettings {
	/** Absent: any address. A list with no valid entry allows nobody: a typo must not open the URL. */
	allowList?: CidrList;
	/** Absent: no shared token. `expected` is the credential's Webhook Token ('' matches nothing). */
	token?: { location: 'query' | 'header'; headerName: string; expected: string };
	/** Absent: Require Client ID Match is off. `fromCopy`: `expected` is the kept copy. */
	clientId?: { expected: string; acceptMissing: boolean; fromCopy: boolean };
}

/** Every node parameter the trigger uses, read once; the credential only when a check needs it. */
export async function readSettings(
	context: IWebhookFunctions | IHookFunctions,
): Promise<AtlasTriggerSettings> {
	const options = context.getNodeParameter('options', {}) as TriggerOptions;
	const tokenLocation = context.getNodeParameter('tokenLocation', 'none') as string;
	const requireClientId = context.getNodeParameter('requireClientId', true) as boolean;
	const expectedClientId = options.expectedClientId?.trim() ?? '';
	const checksCredentialId = requireClientId && !expectedClientId;
	const usesCopy = checksCredentialId && tokenLocation === 'none' && isProductionCall(context);
	const copy = usesCopy ? usableCopy(context) : undefined;
	const needsCredential = tokenLocation !== 'none' || (checksCredentialId && copy === undefined);
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
			expected: expectedClientId || (copy ?? String(credentials?.clientId ?? '')),
			acceptMissing: options.acceptMissingClientId ?? false,
			fromCopy: copy !== undefined,
		};
	}
	return settings;
}

// ---------------------------------------------------------------------------------------------
// The credential's client ID, kept with the workflow

/**
 * Static-data key of a copy of the credential's client ID. n8n reads a credential during a webhook
 * call in an expression sandbox of its own (a quarter of a call's CPU under n8n's defaults), so
 * production calls without a Shared Token check against this copy, as n8n's GitHub Trigger keeps
 * its secret (the client ID is no secret: Atlas puts it in every callback). Written when n8n sets
 * the trigger up, and renewed by a call whose `cid` differs from it and matches the credential
 * (checkAccount): a corrected client ID counts at once, and the old one is refused from then on.
 * Other calls never write it: without a usable copy they read the credential, as before. The
 * renewal is marked for n8n's save as the duplicate window is (markForSave, shared/dedupe.ts).
 */
export const CLIENT_ID_KEY = 'atlasCredentialClientId';

export interface KeptClientId {
	credentialId: string | null;
	clientId: string;
}

const credentialIdOf = (context: IWebhookFunctions | IHookFunctions): string | null =>
	context.getNode().credentials?.[ATLAS_CREDENTIAL_TYPE]?.id ?? null;

const isProductionCall = (context: IWebhookFunctions | IHookFunctions) =>
	'getRequestObject' in context && context.getMode() !== 'manual';

/**
 * Keeps `clientId`, just read from the node's credential, as the copy calls check against; an
 * equal copy is left as it is (a write makes n8n save all of the static data it loaded).
 */
export function keepCopy(context: IWebhookFunctions | IHookFunctions, clientId: string): void {
	if (usableCopy(context) === clientId) return;
	const kept: KeptClientId = { credentialId: credentialIdOf(context), clientId };
	context.getWorkflowStaticData('node')[CLIENT_ID_KEY] = kept as unknown as IDataObject;
}

/** The copy, when it is one of the node's credential. */
function usableCopy(context: IWebhookFunctions | IHookFunctions): string | undefined {
	const kept = context.getWorkflowStaticData('node')[CLIENT_ID_KEY] as
		| Partial<KeptClientId>
		| null
		| undefined;
	if (kept === null || typeof kept !== 'object') return undefined;
	const ofThisCredential = kept.credentialId === credentialIdOf(context);
	return ofThisCredential && typeof kept.clientId === 'string' ? kept.clientId : undefined;
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

/**
 * The client ID check of a call. A `cid` that differs from the kept copy is checked against the
 * credential itself (and the copy renewed): a corrected credential counts at once.
 */
export async function checkAccount(
	context: IWebhookFunctions,
	settings: AtlasTriggerSettings,
	summary: CallbackSummary,
): Promise<Denial | undefined> {
	const refused = checkCid(settings, summary);
	if (refused?.code !== 'clientIdMismatch' || !settings.clientId?.fromCopy) return refused;
	let clientId: string;
	try {
		clientId = String((await context.getCredentials(ATLAS_CREDENTIAL_TYPE)).clientId ?? '');
	} catch (error) {
		return {
			...refused,
			detail: `The Atlas API credential could not be read: ${(error as Error).message}`,
		};
	}
	const checked = checkCid(
		{ ...settings, clientId: { ...settings.clientId, expected: clientId } },
		summary,
	);
	if (checked === undefined) {
		keepCopy(context, clientId);
		markForSave(context.getWorkflowStaticData('node'), CLIENT_ID_KEY);
	}
	return checked;
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
