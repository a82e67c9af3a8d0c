import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { DEFAULT_DEDUPE_MAX_AGE_SECONDS, DEFAULT_DEDUPE_MAX_ENTRIES } from '../shared/dedupe';
import {
	eventsProperty,
	EVENTS_SUBTITLE,
	includeUnknownOption,
	keepAcrossRestartsOption,
	reportRefusalsOption,
	TRIGGER_OUTPUT_NAMES,
	TRIGGER_WEBHOOK,
} from '../shared/triggerOptions';
import { clearRefusal, countRefusal, refusalKeyOf } from '../shared/refusalReport';
import {
	isEventWanted,
	readJsonBody,
	readSettingsOrRefuse,
	seenBefore,
	startCall,
} from '../shared/webhook';
import { ATLAS_EVENT_TYPES, summariseCallback, toOptions } from './events';
import {
	assertValidSettings,
	callbackUrl,
	keepClientId,
	RESUMING,
	shouldRegister,
} from './AtlasTriggerActivation';
import {
	checkAccount,
	checkCaller,
	orderFactsOf,
	readSettings,
	STATE_KEYS,
	TOKEN_QUERY_PARAMETER,
	toTriggerItem,
} from './AtlasTriggerHelpers';
import { atlasApiRequest } from './transport';

const ONE_URL_NOTICE =
	"Atlas sends all events of an account to one webhook URL. Publish the workflow first (activate it on n8n 1.x), then give Atlas this node's Production URL (in the Atlas console or with the Atlas node's Webhook → Register URL action), or let the setting below do both.";
const REGISTER_WARNING =
	'Publishing this workflow will replace the webhook URL of this Atlas account, whichever workflow or system set it: from then on every event of the account comes here and none goes to the old URL. Unpublishing does not restore it.';
const TEST_URL_WARNING =
	'While you listen for a test event, every event of this Atlas account goes to the test URL: production workflows receive nothing until this workflow is published again (which registers the Production URL).';

export class AtlasTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Atlas Trigger',
		name: 'atlasTrigger',
		icon: { light: 'file:atlas.svg', dark: 'file:atlas.dark.svg' },
		group: ['trigger'],
		// 1.1 behaves as 1. n8n evaluates an extra expression on every call to a version-1 webhook
		// node (its old binary-data switch), which costs more than everything the trigger does.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: EVENTS_SUBTITLE,
		description:
			'Starts the workflow on Atlas flight events: ticketing, voids, cancellations, schedule changes, airline status, emails and incidents',
		defaults: { name: 'Atlas Trigger' },
		eventTriggerDescription: 'Waiting for an event from Atlas',
		activationMessage:
			'Atlas events sent to the Production URL now start this workflow. Atlas keeps one URL per account: make sure it is this one.',
		triggerPanel: {
			header: '',
			executionsHelp: {
				inactive:
					'Atlas sends all events of an account to one URL. <br /><br /><b>To go live</b>, publish the workflow, then give Atlas this node\'s Production URL (in the Atlas console, or with the Atlas node\'s <i>Webhook → Register URL</i>): events sent before it is published are lost. With the Shared Token in the URL, turn on <i>Register URL on Publish</i>: it adds the Webhook Token of the credential to the URL for you. To add it by hand, append <code>?token=</code> and the token, with every character other than letters, digits, - and _ percent-encoded (for example <code>+</code> as <code>%2B</code>, <code>%</code> as <code>%25</code>); a token of letters, digits, - and _ needs no such care. <br /><br /><b>To build the flow first</b>, choose <i>set mock data</i> in the output panel and paste a <a href="https://github.com/travel-ops/n8n-nodes-travel-ops/blob/main/docs/sample-events.md" target="_blank">sample event</a> of the type you want. Atlas only calls the URL registered for the account, so it does not send events to the test URL.',
				active:
					'This workflow is published: events Atlas sends to the Production URL start it, and show up in the <a data-key="executions">executions list</a>.',
			},
			activationHint:
				"Once this workflow is published, point Atlas at its Production URL: the account's single webhook URL then sends every event here.",
		},
		inputs: [],
		// The second output carries the refused-delivery report (nodes/shared/refusalReport.ts).
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: TRIGGER_OUTPUT_NAMES,
		credentials: [{ name: 'atlasApi', required: true }],
		webhooks: [TRIGGER_WEBHOOK],
		properties: [
			{ displayName: ONE_URL_NOTICE, name: 'oneUrlNotice', type: 'notice', default: '' },
			eventsProperty(
				toOptions(ATLAS_EVENT_TYPES).sort((a, b) => a.name.localeCompare(b.name)),
				'event',
			),
			{
				displayName: 'Register URL on Publish',
				name: 'registerOnActivation',
				type: 'boolean',
				default: false,
				description:
					"Whether to set this workflow's Production URL as the account's webhook URL in Atlas when the workflow is published. Off: give Atlas the URL yourself.",
			},
			{
				displayName: REGISTER_WARNING,
				name: 'registerWarning',
				type: 'notice',
				default: '',
				displayOptions: { show: { registerOnActivation: [true] } },
			},
			{
				displayName: 'Register Test URL When Listening',
				name: 'registerTestUrl',
				type: 'boolean',
				default: false,
				description:
					'Whether "Listen for test event" also points Atlas at the test URL. Off: test with mock data, or by sending a copy of an event to the test URL yourself.',
				displayOptions: { show: { registerOnActivation: [true] } },
			},
			{
				displayName: TEST_URL_WARNING,
				name: 'testUrlWarning',
				type: 'notice',
				default: '',
				displayOptions: { show: { registerOnActivation: [true], registerTestUrl: [true] } },
			},
			{
				displayName: 'Require Client ID Match',
				name: 'requireClientId',
				type: 'boolean',
				default: true,
				description:
					"Whether to reject (HTTP 403) events that carry another client ID than the credential's. Atlas sends some events without a client ID (airline status, some cancellations): they pass only when the IP Allow-List or the Shared Token is set, otherwise they are rejected, and Atlas, which delivers best effort, may never send them again.",
			},
			{
				displayName: 'Shared Token',
				name: 'tokenLocation',
				type: 'options',
				default: 'none',
				description:
					'Where the caller must present the Webhook Token of the Atlas API credential; anything else gets HTTP 401. Atlas cannot send headers, so use the URL unless a proxy adds the header.',
				options: [
					{
						name: 'In a Header',
						value: 'header',
						description: 'Set by a gateway in front of n8n',
					},
					{
						name: 'In the URL',
						value: 'query',
						description: `Query parameter "${TOKEN_QUERY_PARAMETER}" of the URL registered with Atlas (Register URL on Publish adds it)`,
					},
					{ name: 'None', value: 'none' },
				],
			},
			{
				displayName: 'Header Name',
				name: 'headerName',
				type: 'string',
				default: 'x-atlas-token',
				description: 'Header holding the token (an optional "Bearer " prefix is accepted)',
				displayOptions: { show: { tokenLocation: ['header'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Accept Events Without Client ID',
						name: 'acceptMissingClientId',
						type: 'boolean',
						default: false,
						description:
							'Whether events without a client ID pass the client ID check even without the IP Allow-List or Shared Token. Anyone who knows the URL can then start the workflow.',
					},
					{
						displayName: 'Drop Duplicates',
						name: 'dropDuplicates',
						type: 'boolean',
						default: true,
						description: `Whether to ignore an event whose notification ID was already seen (the last ${DEFAULT_DEDUPE_MAX_ENTRIES.toLocaleString('en-US')} IDs, kept ${DEFAULT_DEDUPE_MAX_AGE_SECONDS / 86400} days)`,
					},
					{
						displayName: 'Expected Client ID',
						name: 'expectedClientId',
						type: 'string',
						default: '',
						description: "The client ID events must carry. Empty: the credential's client ID.",
					},
					includeUnknownOption,
					keepAcrossRestartsOption,
					{
						displayName: 'IP Allow-List',
						name: 'allowedIps',
						type: 'string',
						default: '',
						placeholder: '203.0.113.0/24, 2001:db8::/32',
						description:
							"Addresses or address ranges (like 203.0.113.0/24) allowed to call, separated by commas; others get HTTP 403. Behind a reverse proxy, n8n must be told how many proxies are in front of it to see the caller's address: ask whoever runs your n8n.",
					},
					reportRefusalsOption,
				],
			},
		],
	};

	webhookMethods = {
		default: {
			/**
			 * Atlas cannot report its URL, so existence cannot be checked. Answering false whenever
			 * this node manages the URL makes n8n call create() whenever it sets the webhook up (n8n
			 * 1.x: every activation and restart; n8n 2.x's publishing: a new or changed trigger),
			 * which re-asserts our URL (registering is idempotent and repairs a URL changed in the
			 * console). Answering true otherwise makes n8n skip create(): that is how the test URL
			 * stays unregistered without the opt-in. It also keeps the client ID copy calls check.
			 */
			async checkExists(this: IHookFunctions): Promise<boolean> {
				keepClientId(this, await assertValidSettings(this));
				return !shouldRegister(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const registering = atlasApiRequest.call(
					this,
					'Registering the webhook URL',
					'updateWebhookURL',
					{
						url: await callbackUrl(this),
					},
				);
				if (!RESUMING.includes(this.getActivationMode())) {
					await registering;
					clearRefusal(refusalKeyOf(this), 'urlNotRegistered');
					return true;
				}
				// At n8n start-up the URL registered earlier still stands: keep serving it, and say so
				// in the next refusal report (failing here would make n8n drop the webhook).
				try {
					await registering;
					clearRefusal(refusalKeyOf(this), 'urlNotRegistered');
				} catch (error) {
					const message = (error as Error).message;
					this.logger.warn(`Atlas Trigger could not re-register its URL: ${message}`);
					countRefusal(
						refusalKeyOf(this),
						{ code: 'urlNotRegistered', detail: message },
						new Date(),
					);
				}
				return true;
			},
			/** Atlas has no way to remove a URL: nothing to undo, and deactivation must not fail. */
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	/** Settings → caller (403/401) → body (400) → client ID (403) → filter → duplicates → one item. */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const { request, receivedAt, done } = startCall(this);
		const read = await readSettingsOrRefuse(this, readSettings);
		if ('refused' in read) return done(read.refused);
		const { settings } = read;

		const callerRefused = checkCaller(settings, request);
		if (callerRefused) return done(callerRefused);

		const body = await readJsonBody(request);
		if (!body.ok) return done(body.refused);
		const event = summariseCallback(body.value);

		const accountRefused = await checkAccount(this, settings, event);
		if (accountRefused) return done(accountRefused);

		if (!isEventWanted(event.eventType ?? undefined, settings.filter, ATLAS_EVENT_TYPES)) {
			return done({ ignore: 'event type not selected' });
		}

		const facts = orderFactsOf(body.value, event);
		const seen = seenBefore(this, settings.duplicates, STATE_KEYS, event.notificationId, facts);
		if (seen === true) return done({ ignore: 'duplicate notificationId' });

		return done({ emit: { ...toTriggerItem(body.value, event, receivedAt), ...seen } });
	}
}
