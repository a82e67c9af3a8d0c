import type { INodeProperties } from 'n8n-workflow';

import * as register from './register.operation';

export { register };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['webhook'] } },
		options: [
			{
				name: 'Register URL',
				value: 'register',
				description: 'Set the URL Atlas sends every event to (replaces the current one)',
				action: 'Register a webhook URL',
			},
		],
		default: 'register',
	},
	...register.description,
];
