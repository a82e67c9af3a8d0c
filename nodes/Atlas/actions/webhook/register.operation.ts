import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { REDACTED, redactText, secretValues } from '../../../shared/redact';
import { TOKEN_QUERY_PARAMETER } from '../../AtlasTriggerHelpers';
import { ATLAS_CREDENTIAL_TYPE, atlasApiRequest } from '../../transport';

export const ONE_URL_NOTICE =
	'Atlas keeps a single webhook URL per account and cannot show or delete it: registering replaces the current URL, whether it was set in the Atlas console, by another workflow or by an Atlas Trigger.';

const TOKEN_NOTICE =
	"To make Atlas present the Webhook Token, don't type it into the URL here: turn on Register URL on Publish in the Atlas Trigger instead. The trigger then registers its own URL with the token from the credential.";

const properties: INodeProperties[] = [
	{
		displayName: ONE_URL_NOTICE,
		name: 'oneUrlNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: TOKEN_NOTICE,
		name: 'tokenNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://n8n.example.com/webhook/…/webhook',
		description:
			'The URL Atlas should send every event to, for example the production URL of an Atlas Trigger',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Client ID',
				name: 'cid',
				type: 'string',
				default: '',
				description:
					'The Atlas client ID the URL is for, when Atlas asks for it; empty: the account of the credential',
			},
		],
	},
];

export const description: INodeProperties[] = properties.map((property) => ({
	...property,
	displayOptions: { show: { resource: ['webhook'], operation: ['register'] } },
}));

/** The trigger's token in a URL's query, as written (up to the next `&` or `#`; `&amp;` too). */
const TOKEN_IN_QUERY = new RegExp(`([?&;]${TOKEN_QUERY_PARAMETER}=)([^&#]*)`, 'gi');

function decoded(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/** The URL's tokens as written and as decoded: Atlas may echo any of them. */
const tokensIn = (url: string): string[] =>
	[...url.matchAll(TOKEN_IN_QUERY)].flatMap(([, , written]) => [
		written,
		decoded(written),
		decoded(written.replace(/\+/g, ' ')),
	]);

/**
 * The URL as users may see it, in the output and in errors: without its token parameter, and
 * without the credential's Webhook Token wherever and however it is written.
 */
const shownUrl = (url: string, webhookTokens: readonly string[]): string =>
	redactText(url.replace(TOKEN_IN_QUERY, `$1${REDACTED}`), webhookTokens);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const url = String(this.getNodeParameter('url', itemIndex)).trim();
	const { cid } = this.getNodeParameter('additionalFields', itemIndex, {}) as { cid?: string };
	const { webhookToken } = await this.getCredentials(ATLAS_CREDENTIAL_TYPE);
	const shown = (text: string) => shownUrl(text, secretValues([webhookToken]));
	if (!/^https?:\/\/\S+$/i.test(url)) {
		throw new NodeOperationError(this.getNode(), `"${shown(url)}" is not an http(s) URL`, {
			itemIndex,
			description:
				'Atlas needs an absolute URL it can reach, such as https://n8n.example.com/webhook/…',
		});
	}
	const body: IDataObject = cid ? { url, cid } : { url };
	const { status, msg } = await atlasApiRequest.call(
		this,
		'Registering the webhook URL',
		'updateWebhookURL',
		body,
		{
			itemIndex,
			secrets: tokensIn(url),
		},
	);
	return [{ ...body, url: shown(url), registered: true, status, msg: msg ?? null }];
}
