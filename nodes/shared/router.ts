import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/** One operation run for one input item: the items it outputs. */
export type Operation = (this: IExecuteFunctions, itemIndex: number) => Promise<IDataObject[]>;

export type OperationTable = Record<string, Record<string, Operation>>;

/** The item that reports a failure in place of the output it would have had. */
export type FailureItem = (error: Error, outputSoFar: number) => IDataObject;

export interface RouteOptions {
	/**
	 * Operations whose output exists nowhere else once received (a drained queue): when a later
	 * input item fails, the output so far is kept and the failure becomes this item, instead of
	 * an error that would discard it.
	 */
	destructiveReads?: Record<string, Record<string, FailureItem>>;
}

/** The item `continueOnFail` outputs in place of a failed run. */
export function errorItem(error: unknown, itemIndex: number): INodeExecutionData {
	const { message, description } = error as { message: string; description?: string };
	return {
		json: description ? { error: message, description } : { error: message },
		pairedItem: { item: itemIndex },
	};
}

/**
 * Runs the chosen resource/operation once per input item (the Airtable v2 router): every output
 * item points at its input item, and with "Continue On Fail" a failure becomes an error item.
 */
export async function routeOperations(
	this: IExecuteFunctions,
	operations: OperationTable,
	options: RouteOptions = {},
): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const run = operations[resource]?.[operation];
	if (!run) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of "${resource}" is not supported`,
		);
	}

	const returnData: INodeExecutionData[] = [];
	const items = this.getInputData();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const results = await run.call(this, itemIndex);
			returnData.push(...results.map((json) => ({ json, pairedItem: { item: itemIndex } })));
		} catch (error) {
			if (this.continueOnFail()) {
				returnData.push(errorItem(error, itemIndex));
				continue;
			}
			const failureItem = options.destructiveReads?.[resource]?.[operation];
			if (failureItem && returnData.length > 0) {
				const { message } = error as Error;
				this.addExecutionHints({
					message: `Input item ${itemIndex + 1} failed (${message}); the ${returnData.length} items received before it are in the output and later input items were not run.`,
					type: 'warning',
					location: 'outputPane',
				});
				returnData.push({
					json: failureItem(error as Error, returnData.length),
					pairedItem: { item: itemIndex },
				});
				return [returnData];
			}
			// Both constructors hand back an error that already has their type.
			if (error instanceof NodeApiError)
				throw new NodeApiError(this.getNode(), error as unknown as JsonObject);
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
		}
	}
	return [returnData];
}
