import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as incident from './actions/incident/Incident.resource';
import * as order from './actions/order/Order.resource';
import { router } from './actions/router';
import * as webhook from './actions/webhook/Webhook.resource';

export class Atlas implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Atlas',
		name: 'atlas',
		icon: { light: 'file:atlas.svg', dark: 'file:atlas.dark.svg' },
		group: ['transform'],
		// 1.1: Get Many simplifies its output by default (version 1 keeps every field).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'List Atlas flight incidents, get orders and set the Atlas webhook URL',
		defaults: { name: 'Atlas' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'atlasApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Incident', value: 'incident' },
					{ name: 'Order', value: 'order' },
					{ name: 'Webhook', value: 'webhook' },
				],
				default: 'incident',
			},
			...incident.description,
			...order.description,
			...webhook.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
