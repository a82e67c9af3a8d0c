import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { DEFAULT_DEDUPE_MAX_ENTRIES, MAX_DEDUPE_MAX_ENTRIES } from '../shared/dedupe';
import {
	eventsProperty,
	EVENTS_SUBTITLE,
	includeUnknownOption,
	keepAcrossRestartsOption,
	reportRefusalsOption,
	TRIGGER_OUTPUT_NAMES,
	TRIGGER_WEBHOOK,
} from '../shared/triggerOptions';
import {
	isEventWanted,
	readJsonBody,
	readSettingsOrRefuse,
	seenBefore,
	startCall,
} from '../shared/webhook';
import { RAPID_EVENT_TYPES, rapidEventOptions, summariseNotification } from './events';
import {
	checkSignature,
	DEFAULT_WINDOW_DAYS,
	MAX_TOLERANCE_SECONDS,
	MAX_WINDOW_DAYS,
	orderFactsOf,
	readSettings,
	STATE_KEYS,
	toTriggerItem,
} from './ExpediaRapidTriggerHelpers';
import { DEFAULT_TOLERANCE_SECONDS } from './signature';

const URL_NOTICE =
	'Rapid sends every notification of your partner account to one URL, set by Rapid support: give them the Production URL below (HTTPS, TLS 1.2+) and the event types to enable. Use a separate workflow and URL for test notifications.';
const NO_VERIFICATION_WARNING =
	'Signature verification is off: anyone who knows this URL can start the workflow with any data. Turn it back on before publishing.';

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
					'Rapid sends every notification of your partner account to one URL, set by Rapid support. <br /><br /><b>To go live</b>, publish this workflow and send its Production URL to Rapid support with the event types to enable. <br /><br /><b>To try it</b>, use a published workflow as well: Rapid delivers test notifications (the Expedia Rapid node\'s <i>Send Test</i>) to your test URL within about 30 minutes, much longer than the editor listens for a test event. To see an item here now, choose <i>set mock data</i> in the output panel and paste a <a href="https://github.com/travel-ops/n8n-nodes-travel-ops/blob/main/docs/sample-events.md" target="_blank">sample notification</a>.',
				active:
					'This workflow is published: notifications Rapid sends to the Production URL start it, and show up in the <a data-key="executions">executions list</a>. Rapid support must have this Production URL on file. Test notifications take up to 30 minutes to arrive.',
			},
			activationHint:
				'Once this workflow is published, send its Production URL to Rapid support: Rapid then delivers every notification of your account there.',
		},
		inputs: [],
		// The second output carries the refused-delivery report (nodes/shared/refusalReport.ts).
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: TRIGGER_OUTPUT_NAMES,
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
					"Whether to check the Authorization header against the credential's API key and shared secret; a failure is answered 401, starts no event and is counted on the Refused output",
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
							'Whether to ignore a notification whose event ID was already seen (Rapid retries reuse it); duplicates still get HTTP 200',
					},
					{
						displayName: 'Duplicate Window (Days)',
						name: 'dedupeWindowDays',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: MAX_WINDOW_DAYS },
						default: DEFAULT_WINDOW_DAYS,
						description: `How long an event ID is remembered, 1 to ${MAX_WINDOW_DAYS} days. Rapid retries for 7 days, so keep at least 8.`,
					},
					{
						displayName: 'Duplicate Window (Events)',
						name: 'dedupeWindowSize',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: MAX_DEDUPE_MAX_ENTRIES },
						default: DEFAULT_DEDUPE_MAX_ENTRIES,
						description: `How many recent event IDs are remembered, 1 to ${MAX_DEDUPE_MAX_ENTRIES.toLocaleString('en-US')}; each takes 19 bytes of the workflow's saved data`,
					},
					includeUnknownOption,
					keepAcrossRestartsOption,
					reportRefusalsOption,
					{
						displayName: 'Timestamp Tolerance (Seconds)',
						name: 'toleranceSeconds',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: MAX_TOLERANCE_SECONDS },
						default: DEFAULT_TOLERANCE_SECONDS,
						description: `How far the signature's timestamp may be from this server's clock, either way, 1 to ${MAX_TOLERANCE_SECONDS.toLocaleString('en-US')} seconds. Rapid itself allows 300.`,
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
				await readSettings(this);
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

	/** Settings → signature (401) → body (400) → filter → duplicates → one item. */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const { request, receivedAt, done } = startCall(this);
		const read = await readSettingsOrRefuse(this, readSettings);
		if ('refused' in read) return done(read.refused);
		const { settings } = read;

		const signatureRefused = checkSignature(settings, request.headers.authorization);
		if (signatureRefused) return done(signatureRefused);

		const body = await readJsonBody(request);
		if (!body.ok) return done(body.refused);
		const event = summariseNotification(body.value);

		if (!isEventWanted(event.eventType ?? undefined, settings.filter, RAPID_EVENT_TYPES)) {
			return done({ ignore: 'event type not selected' });
		}

		const facts = orderFactsOf(body.value);
		const seen = seenBefore(this, settings.duplicates, STATE_KEYS, event.eventId, facts);
		if (seen === true) return done({ ignore: 'duplicate event_id' });

		return done({ emit: { ...toTriggerItem(body.value, receivedAt), ...seen } });
	}
}
