/**
 * The Expedia Rapid Trigger's settings and pure checks: its settings read and checked once per
 * call, the signature check (signature.ts, shared with the credential) as a function of
 * (settings, header), and the item it emits.
 */
import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	DEFAULT_DEDUPE_MAX_AGE_SECONDS,
	DEFAULT_DEDUPE_MAX_ENTRIES,
	MAX_DEDUPE_MAX_ENTRIES,
} from '../shared/dedupe';
import type { OrderFacts } from '../shared/eventOrder';
import type { RefusalCode } from '../shared/refusalReport';
import { readNumberSetting } from '../shared/settings';
import {
	type CommonTriggerOptions,
	readCommonSettings,
	type TriggerSettings,
} from '../shared/triggerOptions';
import { checkedReceipt } from '../shared/json';
import type { Denial } from '../shared/webhook';
import { rapidNotificationSchema } from './events';
import {
	DEFAULT_TOLERANCE_SECONDS,
	type RapidVerifyFailure,
	verifyAuthorizationHeader,
	type VerifyOptions,
} from './signature';
import { RAPID_CREDENTIAL_TYPE } from './transport';

/** Static-data keys: the duplicate window (event_ids seen), the newest event per itinerary. */
export const STATE_KEYS = { seen: 'rapidSeenEventIds', order: 'rapidNewestPerItinerary' };

const SECONDS_PER_DAY = 86400;
export const DEFAULT_WINDOW_DAYS = DEFAULT_DEDUPE_MAX_AGE_SECONDS / SECONDS_PER_DAY;
export const MAX_TOLERANCE_SECONDS = 3600;
export const MAX_WINDOW_DAYS = 30;

interface TriggerOptions extends CommonTriggerOptions {
	toleranceSeconds?: unknown;
	dedupeWindowSize?: unknown;
	dedupeWindowDays?: unknown;
}

export interface RapidTriggerSettings extends TriggerSettings {
	/** Absent: Verify Signature is off. */
	signature?: VerifyOptions & { toleranceSeconds: number };
}

/**
 * Every node parameter the trigger uses, read once and checked, and the credential when the
 * signature is verified. An invalid setting (from an expression) is an error, never "no limit".
 */
export async function readSettings(
	context: IWebhookFunctions | IHookFunctions,
): Promise<RapidTriggerSettings> {
	const options = context.getNodeParameter('options', {}) as TriggerOptions;
	const tolerance = readNumberSetting(options.toleranceSeconds, DEFAULT_TOLERANCE_SECONDS, {
		label: 'Timestamp Tolerance (Seconds)',
		min: 1,
		max: MAX_TOLERANCE_SECONDS,
	});
	const windowSize = readNumberSetting(options.dedupeWindowSize, DEFAULT_DEDUPE_MAX_ENTRIES, {
		label: 'Duplicate Window (Events)',
		min: 1,
		max: MAX_DEDUPE_MAX_ENTRIES,
		integer: true,
	});
	const windowDays = readNumberSetting(options.dedupeWindowDays, DEFAULT_WINDOW_DAYS, {
		label: 'Duplicate Window (Days)',
		min: 1,
		max: MAX_WINDOW_DAYS,
	});
	if (!tolerance.ok || !windowSize.ok || !windowDays.ok) {
		const problem = [tolerance, windowSize, windowDays].find((s) => !s.ok) as { problem: string };
		throw new NodeOperationError(context.getNode(), `Invalid setting: ${problem.problem}`, {
			description:
				'Nothing was started. Fix the setting (or the expression behind it) in the Expedia Rapid Trigger; Rapid retries undelivered notifications.',
		});
	}
	const settings: RapidTriggerSettings = readCommonSettings(context, options, {
		maxEntries: windowSize.value,
		maxAgeSeconds: windowDays.value * SECONDS_PER_DAY,
	});
	if (context.getNodeParameter('verifySignature', true) as boolean) {
		const credentials = await context.getCredentials(RAPID_CREDENTIAL_TYPE);
		settings.signature = {
			apiKey: String(credentials.apiKey ?? ''),
			sharedSecret: String(credentials.sharedSecret ?? ''),
			toleranceSeconds: tolerance.value,
		};
	}
	return settings;
}

/** How each signature failure is counted in the refusal report. */
const REFUSAL_CODES: Record<RapidVerifyFailure, RefusalCode> = {
	missing_header: 'missingSignature',
	malformed_header: 'missingSignature',
	wrong_api_key: 'apiKeyMismatch',
	bad_signature: 'signatureMismatch',
	timestamp_out_of_tolerance: 'staleTimestamp',
	not_configured: 'credentialIncomplete',
};

/** The signature of the call, when Verify Signature is on. */
export function checkSignature(
	settings: RapidTriggerSettings,
	authorization: unknown,
): Denial | undefined {
	if (!settings.signature) return undefined;
	const verdict = verifyAuthorizationHeader(authorization, settings.signature);
	return verdict.ok
		? undefined
		: { status: 401, reason: verdict.message, code: REFUSAL_CODES[verdict.reason] };
}

/** The emitted item: the notification exactly as received, plus when it arrived. */
export function toTriggerItem(notification: unknown, receivedAt: Date): IDataObject {
	const fields = checkedReceipt(rapidNotificationSchema, notification, receivedAt);
	// A body that is not an object (an array, a string) is still emitted, under `payload`.
	return typeof notification === 'object' && notification !== null && !Array.isArray(notification)
		? { ...(notification as IDataObject), ...fields }
		: { payload: notification as IDataObject, ...fields };
}

/** Rapid: "messages may arrive out of order: use the timestamp" (event_time) "to order them". */
export function orderFactsOf(notification: unknown): OrderFacts {
	const { itinerary_id: subject, event_time: time } = (notification ?? {}) as IDataObject;
	return { subject: typeof subject === 'string' ? subject : null, time };
}
