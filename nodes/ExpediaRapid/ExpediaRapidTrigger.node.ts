import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import {
	DEFAULT_DEDUPE_MAX_AGE_SECONDS,
	DEFAULT_DEDUPE_MAX_ENTRIES,
	isDuplicateAndRecord,
	processKeyOf,
	MAX_DEDUPE_MAX_ENTRIES,
} from '../shared/dedupe';
import {
	ALL_EVENTS,
	eventsProperty,
	EVENTS_SUBTITLE,
	includeUnknownOption,
	isEventWanted,
	keepAcrossRestartsOption,
} from '../shared/eventFilter';
import { readNumberSetting } from '../shared/settings';
import {
	describeShapeIssues,
	readJsonBody,
	receiptFields,
	rejectRequest,
	accepted,
	ignored,
	TRIGGER_WEBHOOK,
} from '../shared/webhook';
import {
	RAPID_EVENT_TYPES,
	rapidEventOptions,
	rapidNotificationSchema,
	summariseNotification,
} from './events';
import { DEFAULT_TOLERANCE_SECONDS, verifyAuthorizationHeader } from './signature';
import { RAPID_CREDENTIAL_TYPE } from './transport';

/** Static-data key of the duplicate window (event_ids seen). */
export const SEEN_KEY = 'rapidSeenEventIds';

const SECONDS_PER_DAY = 86400;
const DEFAULT_WINDOW_DAYS = DEFAULT_DEDUPE_MAX_AGE_SECONDS / SECONDS_PER_DAY;

const URL_NOTICE =
	'Rapid sends every notification of your partner account to one URL, set by Rapid support: give them the Production URL below (HTTPS, TLS 1.2+) and the event types to enable. Use a separate workflow and URL for test notifications.';
const NO_VERIFICATION_WARNING =
	'Signature verification is off: anyone who knows this URL can start the workflow with any payload. Turn it back on before going live.';

interface TriggerOptions {
	toleranceSeconds?: unknown;
	includeUnknown?: boolean;
	dropDuplicates?: boolean;
	dedupeWindowSize?: unknown;
	dedupeWindowDays?: unknown;
	keepAcrossRestarts?: boolean;
}

/** The node's settings, read once per call and checked: what every step below works from. */
export interface RapidTriggerSettings {
	verifySignature: boolean;
	events: string[];
	includeUnknown: boolean;
	dropDuplicates: boolean;
	keepAcrossRestarts: boolean;
	toleranceSeconds: number;
	windowSize: number;
	windowSeconds: number;
}

export const MAX_TOLERANCE_SECONDS = 3600;
const MAX_WINDOW_DAYS = 30;

/** Reads and checks the settings; an invalid one (from an expression) is an error, never "no limit". */
export function readTriggerSettings(
	context: IWebhookFunctions | IHookFunctions,
): RapidTriggerSettings {
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
	for (const setting of [tolerance, windowSize, windowDays]) {
		if (!setting.ok) {
			throw new NodeOperationError(context.getNode(), `Invalid setting: ${setting.problem}`, {
				description:
					'Nothing was started. Fix the setting (or the expression behind it) in the Expedia Rapid Trigger; Rapid retries undelivered notifications.',
			});
		}
	}
	return {
		verifySignature: context.getNodeParameter('verifySignature', true) as boolean,
		events: context.getNodeParameter('events', [ALL_EVENTS]) as string[],
		includeUnknown: options.includeUnknown ?? true,
		dropDuplicates: options.dropDuplicates ?? true,
		keepAcrossRestarts: options.keepAcrossRestarts ?? true,
		toleranceSeconds: (tolerance as { value: number }).value,
		windowSize: (windowSize as { value: number }).value,
		windowSeconds: (windowDays as { value: number }).value * SECONDS_PER_DAY,
	};
}

/** The emitted item: the notification exactly as received, plus when it arrived. */
export function toTriggerItem(notification: unknown, receivedAt: Date): IDataObject {
	const check = rapidNotificationSchema.safeParse(notification);
	const issues = check.success ? [] : describeShapeIssues(check.error);
	const fields = receiptFields(receivedAt, issues);
	// A body that is not an object (an array, a string) is still emitted, under `payload`.
	return typeof notification === 'object' && notification !== null && !Array.isArray(notification)
		? { ...(notification as IDataObject), ...fields }
		: { payload: notification as IDataObject, ...fields };
}

async function checkSignature(context: IWebhookFunctions, settings: RapidTriggerSettings) {
	if (!settings.verifySignature) return undefined;
	const credentials = await context.getCredentials(RAPID_CREDENTIAL_TYPE);
	const verdict = verifyAuthorizationHeader(context.getHeaderData().authorization, {
		apiKey: String(credentials.apiKey ?? ''),
		sharedSecret: String(credentials.sharedSecret ?? ''),
		toleranceSeconds: settings.toleranceSeconds,
	});
	return verdict.ok ? undefined : verdict.message;
}

function isDuplicate(
	context: IWebhookFunctions,
	settings: RapidTriggerSettings,
	eventId: string | null,
) {
	if (eventId === null || !settings.dropDuplicates) return false;
	const processKey = processKeyOf(context.getWorkflow().id, context.getNode().id, SEEN_KEY);
	return isDuplicateAndRecord(context.getWorkflowStaticData('node'), SEEN_KEY, eventId, {
		processKey,
		maxEntries: settings.windowSize,
		maxAgeSeconds: settings.windowSeconds,
		keepAcrossRestarts: settings.keepAcrossRestarts,
	});
}

export class ExpediaRapidTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Expedia Rapid Trigger',
		name: 'expediaRapidTrigger',
		icon: { light: 'file:expediaRapid.svg', dark: 'file:expediaRapid.dark.svg' },
		group: ['trigger'],
		// 1.1 behaves as 1. n8n evaluates an extra expression on every call to a version-1 webhook
		// node (its old binary-data switch), which costs more than everything the trigger does.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: EVENTS_SUBTITLE,
		description:
			'Starts the workflow on Expedia Rapid booking notifications (cancellations, changes, confirmations, messages), verifying their signature',
		defaults: { name: 'Expedia Rapid Trigger' },
		eventTriggerDescription: 'Waiting for a notification from Rapid',
		activationMessage:
			'Rapid notifications sent to the Production URL now start this workflow. If you have not yet, send that URL to Rapid support.',
		triggerPanel: {
			header: '',
			executionsHelp: {
				inactive:
					"Rapid sends every notification of your partner account to one URL, set by Rapid support. <br /><br /><b>To go live</b>, publish this workflow and send its Production URL to Rapid support with the event types to enable. <br /><br /><b>To try it</b>, use a published workflow as well: Rapid delivers test notifications (the Expedia Rapid node's <i>Send Test</i>) to your test URL within about 30 minutes, much longer than the editor listens for a test event. To see an item here now, listen and post a signed sample notification to the test URL yourself.",
				active:
					'This workflow is published: notifications Rapid sends to the Production URL start it, and show up in the <a data-key="executions">executions list</a>. Rapid support must have this Production URL on file. Test notifications take up to 30 minutes to arrive.',
			},
			activationHint:
				'Once this workflow is published, send its Production URL to Rapid support: Rapid then delivers every notification of your account there.',
		},
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'expediaRapidApi', required: true }],
		webhooks: [TRIGGER_WEBHOOK],
		properties: [
			{ displayName: URL_NOTICE, name: 'urlNotice', type: 'notice', default: '' },
			eventsProperty(rapidEventOptions(), 'notification'),
			{
				displayName: 'Verify Signature',
				name: 'verifySignature',
				type: 'boolean',
				default: true,
				description:
					"Whether to check the Authorization header against the credential's API key and shared secret; a failure is answered 401 and starts nothing",
			},
			{
				displayName: NO_VERIFICATION_WARNING,
				name: 'noVerificationWarning',
				type: 'notice',
				default: '',
				displayOptions: { show: { verifySignature: [false] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Drop Duplicates',
						name: 'dropDuplicates',
						type: 'boolean',
						default: true,
						description:
							'Whether to ignore a notification whose event_id was already seen (Rapid retries reuse it); duplicates still get HTTP 200',
					},
					{
						displayName: 'Duplicate Window (Days)',
						name: 'dedupeWindowDays',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 30 },
						default: DEFAULT_WINDOW_DAYS,
						description:
							'How long an event_id is remembered. Rapid retries for 7 days, so keep at least 8.',
					},
					{
						displayName: 'Duplicate Window (Events)',
						name: 'dedupeWindowSize',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: MAX_DEDUPE_MAX_ENTRIES },
						default: DEFAULT_DEDUPE_MAX_ENTRIES,
						description: `How many recent event_ids are remembered, about 25 bytes each in the workflow's static data (at most ${MAX_DEDUPE_MAX_ENTRIES})`,
					},
					includeUnknownOption,
					keepAcrossRestartsOption,
					{
						displayName: 'Timestamp Tolerance (Seconds)',
						name: 'toleranceSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_TOLERANCE_SECONDS,
						description:
							"How far the signature's timestamp may be from this server's clock, either way. Rapid itself allows 300.",
					},
				],
			},
		],
	};

	/**
	 * Rapid support sets the notification URL by hand; there is no API to register or remove it,
	 * so activation has nothing to do.
	 */
	webhookMethods = {
		default: {
			/** Nothing to register; an invalid setting fails the activation with its message. */
			async checkExists(this: IHookFunctions): Promise<boolean> {
				readTriggerSettings(this);
				return true;
			},
			async create(): Promise<boolean> {
				return true;
			},
			async delete(): Promise<boolean> {
				return true;
			},
		},
	};

	/** verify → parse → filter → dedupe → one item. */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const receivedAt = new Date();
		const settings = readTriggerSettings(this);

		const signatureProblem = await checkSignature(this, settings);
		if (signatureProblem) return rejectRequest(this, 401, signatureProblem);

		const body = await readJsonBody(this);
		if (!body.ok) return rejectRequest(this, 400, body.reason);
		const { eventId, eventType } = summariseNotification(body.value);

		const filter = { types: settings.events, includeUnknown: settings.includeUnknown };
		if (!isEventWanted(eventType ?? undefined, filter, RAPID_EVENT_TYPES)) {
			return ignored('event type not selected');
		}
		if (isDuplicate(this, settings, eventId)) return ignored('duplicate event_id');

		return accepted(toTriggerItem(body.value, receivedAt));
	}
}
