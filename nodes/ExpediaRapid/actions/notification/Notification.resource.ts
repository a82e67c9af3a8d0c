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
					"Drain the notifications Rapid could not deliver. Rapid deletes each one as it returns it, so they exist only in this node's output.",
				action: 'Drain and delete undeliverable notifications',
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
