import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';

export { get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['itinerary'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description:
					'Read the current state of a booking: property, dates, rooms and their status, guests, confirmation IDs and totals',
				action: 'Get an itinerary',
			},
		],
		default: 'get',
	},
	...get.description,
];
