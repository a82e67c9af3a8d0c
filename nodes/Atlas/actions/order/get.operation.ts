import type { IDataObject, IExecuteFunctions, INodeProperties, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { readOrder, simplifyOrder } from '../../orders';
import { atlasApiRequest } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Order Number',
		name: 'orderNo',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. TESTA20250210154142832',
		description:
			'The Atlas order number. After an Atlas Trigger or an Atlas Incident Trigger, map the orderNo field of its item here (drag it from the input).',
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description:
			'Whether to return only what a person acts on (order and ticket status, passengers and ticket numbers, flights, airline booking references, amounts) instead of every field Atlas sends',
	},
];

export const description: INodeProperties[] = properties.map((property) => ({
	...property,
	displayOptions: { show: { resource: ['order'], operation: ['get'] } },
}));

/** The order number as typed or mapped: text or a number, spaces around it dropped. */
export function readOrderNumber(this: IExecuteFunctions, itemIndex: number): string {
	const raw: unknown = this.getNodeParameter('orderNo', itemIndex, '');
	const text = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
	if (text !== '') return text;
	const got = raw === undefined || raw === null || raw === '' ? 'nothing' : typeof raw;
	throw new NodeOperationError(this.getNode(), `No order number to look up (got ${got})`, {
		itemIndex,
		description:
			'Enter the Atlas order number, or map the orderNo field of an Atlas Trigger item. Events without an order (airline status) have none.',
	});
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const orderNo = readOrderNumber.call(this, itemIndex);
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const envelope = await atlasApiRequest.call(
		this,
		'Looking up the order',
		'queryOrderDetails',
		{ orderNo },
		{ itemIndex },
	);
	const reading = readOrder(envelope);
	if (!reading.ok) {
		throw new NodeApiError(this.getNode(), envelope as JsonObject, {
			itemIndex,
			message: `Atlas answered the lookup of order ${orderNo} without the order's details (${reading.problem})`,
			description:
				'Nothing was output. Run it again; if this persists, check the base URL of the Atlas API credential or contact Atlas support.',
		});
	}
	const returned = String(reading.order.orderNo).trim();
	if (returned.toUpperCase() !== orderNo.toUpperCase()) {
		throw new NodeApiError(this.getNode(), envelope as JsonObject, {
			itemIndex,
			message: `Atlas answered the lookup of order ${orderNo} with another order (${returned})`,
			description:
				'Nothing was output, so no flow acts on the wrong order. Run it again; if this persists, contact Atlas support.',
		});
	}
	return [simplify ? simplifyOrder(reading.order) : envelope];
}
