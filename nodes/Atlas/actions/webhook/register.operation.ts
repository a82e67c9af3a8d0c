import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { atlasApiRequest } from '../../transport';

export const ONE_URL_NOTICE =
	'Atlas keeps a single webhook URL per account and cannot show or delete it: registering replaces the current URL, whether it was set in the Atlas console, by another workflow or by an Atlas Trigger.';

const properties: INodeProperties[] = [
	{
		displayName: ONE_URL_NOTICE,
		name: 'oneUrlNotice',
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

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const url = String(this.getNodeParameter('url', itemIndex)).trim();
	const { cid } = this.getNodeParameter('additionalFields', itemIndex, {}) as { cid?: string };
	if (!/^https?:\/\/\S+$/i.test(url)) {
		throw new NodeOperationError(this.getNode(), `"${url}" is not an http(s) URL`, {
			itemIndex,
			description:
				'Atlas needs an absolute URL it can reach, such as https://n8n.example.com/webhook/…',
		});
	}
	const body: IDataObject = cid ? { url, cid } : { url };
	const { status, msg } = await atlasApiRequest.call(this, 'updateWebhookURL', body, { itemIndex });
	return [{ ...body, registered: true, status, msg: msg ?? null }];
}
