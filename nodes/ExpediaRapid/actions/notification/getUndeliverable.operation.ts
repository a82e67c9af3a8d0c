import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { RAPID_CREDENTIAL_TYPE, rapidApiRequest, type RapidResponse } from '../../transport';
import { PossiblyLostBatchError } from '../../transport/drain';
import {
	isRapidTestHost,
	type RapidCredentialData,
	TEST_HOST_DRAIN_WARNING,
} from '../../transport/baseUrl';
import { queryParametersProperty, readQueryParameters } from './queryParameters';

export const DEFAULT_MAX_CALLS = 400;

const properties: INodeProperties[] = [
	{
		displayName:
			'Running this operation, even with Execute Step, deletes the notifications it returns at Rapid: the output of this node is the only copy. Connect what must handle them first.',
		name: 'deleteNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: TEST_HOST_DRAIN_WARNING,
		name: 'testHostNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Max Calls',
		name: 'maxCalls',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_MAX_CALLS,
		description:
			'Rapid returns at most 25 notifications per call; the node calls until the queue is empty or this many calls were made (400 calls = up to 10,000 notifications)',
	},
	queryParametersProperty,
];

export const description: INodeProperties[] = properties.map((property) => ({
	...property,
	displayOptions: { show: { resource: ['notification'], operation: ['getUndeliverable'] } },
}));

export interface DrainResult {
	notifications: IDataObject[];
	calls: number;
	/** Why the drain stopped before the queue was empty; undefined when it was emptied. */
	stoppedBecause?: 'maxCalls' | { error: Error };
}

const asItem = (value: unknown): IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as IDataObject)
		: { value: value as IDataObject };

/**
 * Calls `fetchBatch` until it returns an empty batch or `maxCalls` calls were made. What a call
 * returns is already deleted on Rapid's side, so a failure stops the loop but keeps every
 * notification received so far: the caller decides how to report it. The transport lets through
 * only what holds a batch (see destructiveRead): a list, one object, or a 204.
 */
export async function drainQueue(
	fetchBatch: () => Promise<RapidResponse>,
	maxCalls: number,
): Promise<DrainResult> {
	const notifications: IDataObject[] = [];
	for (let calls = 1; calls <= maxCalls; calls++) {
		let response: RapidResponse;
		try {
			response = await fetchBatch();
		} catch (error) {
			// What arrived of an unreadable answer is the only trace of a batch Rapid may have deleted.
			const partialText = (error as PossiblyLostBatchError).partialText;
			if (partialText) notifications.push({ unreadableResponse: partialText });
			return { notifications, calls, stoppedBecause: { error: error as Error } };
		}
		const received = response.statusCode === 204 ? [] : [response.body].flat().map(asItem);
		if (received.length === 0) return { notifications, calls };
		notifications.push(...received);
	}
	return { notifications, calls: maxCalls, stoppedBecause: 'maxCalls' };
}

/**
 * The last item of a drain that stopped on a failure: a workflow branches on `drainError`. The
 * count excludes the text kept of a broken answer.
 */
export function drainErrorItem(error: Error, received: number): IDataObject {
	const description = (error as { description?: string }).description;
	return {
		drainError: error.message,
		...(description ? { description } : {}),
		notificationsReceived: received,
	};
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const maxCalls = Math.max(1, Math.floor(this.getNodeParameter('maxCalls', itemIndex) as number));
	const qs = { ...readQueryParameters.call(this, itemIndex), undeliverable: 'true' };
	const result = await drainQueue(
		async () =>
			await rapidApiRequest.call(
				this,
				'Reading undeliverable notifications',
				'GET',
				'/v3/notifications',
				{
					qs,
					itemIndex,
					destructiveRead: true,
				},
			),
		maxCalls,
	);
	const { notifications, stoppedBecause } = result;
	const credentials = (await this.getCredentials(RAPID_CREDENTIAL_TYPE)) as RapidCredentialData;
	if (isRapidTestHost(credentials)) {
		this.addExecutionHints({
			message: `This drain ran on Rapid's test host. ${TEST_HOST_DRAIN_WARNING}`,
			type: 'warning',
			location: 'outputPane',
		});
	}

	if (stoppedBecause === 'maxCalls') {
		this.addExecutionHints({
			message: `Stopped after ${maxCalls} calls (${notifications.length} notifications); more may be waiting. Raise "Max Calls" or run again.`,
			type: 'info',
			location: 'outputPane',
		});
	}
	if (stoppedBecause && stoppedBecause !== 'maxCalls') {
		const { error } = stoppedBecause;
		// Nothing received and nothing possibly taken from the queue: fail the usual way.
		if (notifications.length === 0 && !(error instanceof PossiblyLostBatchError)) throw error;
		// Received notifications exist nowhere else any more: output them all, then the failure
		// as a final item the workflow can branch on (an IF on `drainError`).
		const received = notifications.filter((n) => n.unreadableResponse === undefined).length;
		this.addExecutionHints({
			message:
				received > 0
					? `The drain failed after ${received} notifications: ${error.message}. They are all in the output.`
					: `The drain failed before any notification was received in this run: ${error.message}.`,
			type: 'warning',
			location: 'outputPane',
		});
		return [...notifications, drainErrorItem(error, received)];
	}
	return notifications;
}
