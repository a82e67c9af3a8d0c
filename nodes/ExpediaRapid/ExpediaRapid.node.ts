import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as itinerary from './actions/itinerary/Itinerary.resource';
import * as notification from './actions/notification/Notification.resource';
import { router } from './actions/router';

export class ExpediaRapid implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Expedia Rapid',
		name: 'expediaRapid',
		icon: { light: 'file:expediaRapid.svg', dark: 'file:expediaRapid.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Read Expedia Rapid bookings, drain undeliverable notifications and request test notifications',
		defaults: { name: 'Expedia Rapid' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'expediaRapidApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { '@tool': [false] } },
				options: [
					{ name: 'Itinerary', value: 'itinerary' },
					{ name: 'Notification', value: 'notification' },
				],
				// Saved workflows omit a default: it stays what it was before Itinerary existed.
				default: 'notification',
			},
			{
				// As an AI tool only reads are offered: the drain deletes at Rapid (see router). Hidden,
				// not a one-option list: a second list would show its action twice in the nodes panel.
				displayName: 'Resource',
				name: 'resource',
				type: 'hidden',
				displayOptions: { show: { '@tool': [true] } },
				default: 'itinerary',
			},
			...itinerary.description,
			...notification.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
