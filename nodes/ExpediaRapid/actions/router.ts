import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { routeOperations } from '../../shared/router';
import * as itinerary from './itinerary/Itinerary.resource';
import * as notification from './notification/Notification.resource';

/** What an AI agent may run: reads that change nothing at Rapid. */
const TOOL_OPERATIONS: Record<string, string[]> = { itinerary: ['get'] };

/**
 * n8n runs this node as an AI tool under a type name ending in "Tool". The editor offers only
 * Itinerary there; a workflow written by hand could still name the drain, which deletes at Rapid.
 */
function refuseOutsideToolUse(this: IExecuteFunctions): void {
	if (!this.getNode().type.endsWith('Tool')) return;
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	if (TOOL_OPERATIONS[resource]?.includes(operation)) return;
	throw new NodeOperationError(
		this.getNode(),
		`"${operation}" of "${resource}" cannot run as an AI tool`,
		{
			description:
				'As a tool, Expedia Rapid only reads itineraries. Get Undeliverable deletes notifications at Rapid and Send Test asks Rapid to send one: use them in an Expedia Rapid node in the workflow instead.',
		},
	);
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	refuseOutsideToolUse.call(this);
	return await routeOperations.call(
		this,
		{
			itinerary: { get: itinerary.get.execute },
			notification: {
				getUndeliverable: notification.getUndeliverable.execute,
				sendTest: notification.sendTest.execute,
			},
		},
		{
			destructiveReads: {
				notification: { getUndeliverable: notification.getUndeliverable.drainErrorItem },
			},
		},
	);
}
