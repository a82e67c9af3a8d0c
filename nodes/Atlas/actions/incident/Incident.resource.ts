import type { INodeProperties } from 'n8n-workflow';

import * as getMany from './getMany.operation';

export { getMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['incident'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'List incidents (schedule changes, unaccounted cancellations) with filters',
				action: 'Get many incidents',
			},
		],
		default: 'getMany',
	},
	...getMany.description,
];
