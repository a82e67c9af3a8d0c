import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';

export { get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['order'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description:
					'Read the current state of an order: status, tickets, passengers, flights and airline booking references',
				action: 'Get an order',
			},
		],
		default: 'get',
	},
	...get.description,
];
