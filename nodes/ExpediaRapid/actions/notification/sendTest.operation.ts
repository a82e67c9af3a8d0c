import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { rapidEventOptions } from '../../events';
import { rapidTestNotificationBaseUrl, type RapidCredentialData } from '../../transport/baseUrl';
import { RAPID_CREDENTIAL_TYPE, rapidApiRequest } from '../../transport';
import { queryParametersProperty, readQueryParameters } from './queryParameters';

const properties: INodeProperties[] = [
	{
		displayName:
			'Test notifications are requested from the test host (test.ean.com) whatever the environment, unless the credential is Custom. Rapid sends them to the test URL agreed with Rapid support, within about 30 minutes.',
		name: 'testHostNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Event Type',
		name: 'eventType',
		type: 'options',
		options: rapidEventOptions(),
		default: 'itinerary.agent.create',
		description: 'The notification type Rapid should send',
	},
	queryParametersProperty,
];

export const description: INodeProperties[] = properties.map((property) => ({
	...property,
	displayOptions: { show: { resource: ['notification'], operation: ['sendTest'] } },
}));

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const eventType = String(this.getNodeParameter('eventType', itemIndex)).trim();
	const credentials = (await this.getCredentials(RAPID_CREDENTIAL_TYPE)) as RapidCredentialData;
	const { statusCode } = await rapidApiRequest.call(
		this,
		'Requesting a test notification',
		'POST',
		'/v3/notifications',
		{
			baseUrl: rapidTestNotificationBaseUrl(credentials),
			body: { event_type: eventType },
			qs: readQueryParameters.call(this, itemIndex),
			itemIndex,
		},
	);
	return [{ eventType, requested: true, statusCode }];
}
