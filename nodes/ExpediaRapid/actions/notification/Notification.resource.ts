import type { INodeProperties } from 'n8n-workflow';

import * as getUndeliverable from './getUndeliverable.operation';
import * as sendTest from './sendTest.operation';

export { getUndeliverable, sendTest };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['notification'] } },
		options: [
			{
				name: 'Get Undeliverable',
				value: 'getUndeliverable',
				description:
					'Drain the notifications Rapid could not deliver (each is returned once, then deleted)',
				action: 'Get undeliverable notifications',
			},
			{
				name: 'Send Test',
				value: 'sendTest',
				description: 'Ask Rapid to send a test notification of a chosen type',
				action: 'Send a test notification',
			},
		],
		default: 'getUndeliverable',
	},
	...getUndeliverable.description,
	...sendTest.description,
];
