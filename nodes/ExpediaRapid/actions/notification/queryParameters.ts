import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/** The optional query parameters both notification endpoints take. */
const NAMES = ['billing_terms', 'partner_point_of_sale', 'payment_terms', 'platform_name'] as const;

export const queryParametersProperty: INodeProperties = {
	displayName: 'Query Parameters',
	name: 'queryParameters',
	type: 'collection',
	placeholder: 'Add Parameter',
	default: {},
	description: 'Optional parameters Rapid assigned to your account; leave empty unless told',
	options: [
		{
			displayName: 'Billing Terms',
			name: 'billing_terms',
			type: 'string',
			default: '',
		},
		{
			displayName: 'Partner Point of Sale',
			name: 'partner_point_of_sale',
			type: 'string',
			default: '',
		},
		{
			displayName: 'Payment Terms',
			name: 'payment_terms',
			type: 'string',
			default: '',
		},
		{
			displayName: 'Platform Name',
			name: 'platform_name',
			type: 'string',
			default: '',
		},
	],
};

/** The non-empty query parameters of one item. */
export function readQueryParameters(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const given = this.getNodeParameter('queryParameters', itemIndex, {}) as IDataObject;
	const qs: IDataObject = {};
	for (const name of NAMES) {
		const value = String(given[name] ?? '').trim();
		if (value !== '') qs[name] = value;
	}
	return qs;
}
