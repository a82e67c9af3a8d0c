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
				description:
					'Set the one URL Atlas sends every event of the account to, replacing the current one for all workflows and systems',
				action: 'Replace the webhook url of the account',
			},
		],
		default: 'register',
	},
	...register.description,
];
