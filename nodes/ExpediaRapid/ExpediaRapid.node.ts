import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

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
		description: 'Drain undeliverable Expedia Rapid notifications and request test notifications',
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
				options: [{ name: 'Notification', value: 'notification' }],
				default: 'notification',
			},
			...notification.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
