import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { simplifyIncident } from '../../incidents';
import { atlasApiRequestAllItems } from '../../transport';
import { buildIncidentQuery, incidentFilters } from './query';

export const DEFAULT_PAGE_SIZE = 100;

const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] } },
		description:
			'Whether to return only the key fields of each incident (ID, order, type, status, airline, PNR, departure, event and update times, result) instead of every field Atlas sends',
	},
	incidentFilters,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_PAGE_SIZE,
				description:
					'Incidents per request. Larger pages mean fewer requests; with a limit below it, the limit is used.',
			},
		],
	},
];

export const description: INodeProperties[] = properties.map((property) => ({
	...property,
	displayOptions: {
		show: { ...property.displayOptions?.show, resource: ['incident'], operation: ['getMany'] },
	},
}));

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const simplify =
		this.getNode().typeVersion >= 1.1 &&
		(this.getNodeParameter('simplify', itemIndex, true) as boolean);
	const returnAll = this.getNodeParameter('returnAll', itemIndex) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex) as number);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const pageSize = Math.max(1, Math.floor(Number(options.pageSize ?? DEFAULT_PAGE_SIZE)));
	const { body, eventTypes } = buildIncidentQuery.call(this, filters, itemIndex);

	const { records, drift } = await atlasApiRequestAllItems.call(
		this,
		'Listing incidents',
		'event/getPageList',
		body,
		{ eventTypes, pageSize, limit, itemIndex },
	);
	if (drift.length > 0) {
		this.addExecutionHints({
			message: `The incident list changed while it was read (${drift.join('; ')}). Each incident is output at most once; run again to pick up incidents that moved between pages.`,
			type: 'warning',
			location: 'outputPane',
		});
	}
	return simplify ? records.map(simplifyIncident) : records;
}
