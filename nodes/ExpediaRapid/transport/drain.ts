/**
 * The undeliverable queue: Rapid deletes what each answer returns, so an answer that does not show
 * what it held is an error that says a batch may be lost.
 */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { apiError } from '../../shared/errors';
import type { Attempt } from '../../shared/http';
import { parseJson } from '../../shared/json';

/** Rapid deletes the notifications in each answer of the undeliverable queue, 25 at most. */
export const MAX_BATCH = 25;

/**
 * A call to the undeliverable queue that may have removed a batch at Rapid without it reaching
 * n8n. `partialText` holds what arrived of the answer, if anything did.
 */
export class PossiblyLostBatchError extends NodeApiError {
	partialText?: string;
}

const BATCH_LOSS_NOTE = `Rapid may have removed up to ${MAX_BATCH} notifications from the queue without them reaching n8n. Ask Rapid support to resend the undeliverable notifications of this time.`;

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

export function possiblyLostBatch(
	node: INode,
	failure: {
		message: string;
		detail: string;
		partialText?: string;
		httpCode?: string;
		itemIndex?: number;
	},
): PossiblyLostBatchError {
	const { detail, partialText, ...wording } = failure;
	const error = apiError(
		node,
		{ detail } as JsonObject,
		{ ...wording, description: `${sentence(detail)} ${BATCH_LOSS_NOTE}` },
		PossiblyLostBatchError,
	);
	if (partialText) error.partialText = partialText;
	return error;
}

export const STOPPED = 'The drain stopped instead of asking again';

/**
 * Why a 2xx answer of the undeliverable queue holds no batch, or undefined when it does. Rapid
 * answers a list of notifications (one object is read as one), and [] or 204 when the queue is
 * empty: any other answer does not show what Rapid took from the queue. A gzip body cut short
 * unpacks to nothing or to broken text (n8n's helper does not report the cut): refused here too.
 */
export function notABatch(attempt: Extract<Attempt, { kind: 'response' }>) {
	const { statusCode, body, text } = attempt;
	if (statusCode === 204 || (typeof body === 'object' && body !== null)) return undefined;
	const head = `answered ${statusCode} with`;
	if (text.trim() === '') {
		return {
			said: `${head} an empty body`,
			detail: `Rapid answers [] or 204 when the queue is empty; an empty ${statusCode} does not show whether it had taken a batch from the queue. ${STOPPED}`,
		};
	}
	const kept = typeof body === 'string' && body !== '' ? body : undefined;
	return {
		said: `${head} a body that is not ${parseJson(text).ok ? 'a list of notifications' : 'JSON'}`,
		detail: kept
			? 'The answer is not readable; its text is in the output as unreadableResponse'
			: `The answer does not show whether Rapid had taken a batch from the queue. ${STOPPED}`,
		partialText: kept,
	};
}
