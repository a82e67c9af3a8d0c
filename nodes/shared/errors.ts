import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { isUnreadableAnswer } from './http';

export interface ApiErrorWording {
	/** What happened. */
	message: string;
	/** What to do. */
	description?: string;
	httpCode?: string;
	itemIndex?: number;
}

/**
 * A NodeApiError with exactly our message. NodeApiError swaps any message that contains a known
 * code (ECONNABORTED, ETIMEDOUT…), even one quoted from a provider, for a generic sentence without
 * the provider's name: the message is set again after construction.
 */
export function apiError<E extends NodeApiError = NodeApiError>(
	node: INode,
	response: JsonObject,
	wording: ApiErrorWording,
	ErrorType: new (...args: ConstructorParameters<typeof NodeApiError>) => E = NodeApiError as never,
): E {
	const error = new ErrorType(node, response, wording);
	error.message = wording.message;
	return error;
}

export interface NetworkFailure {
	/** The provider's name as users know it, e.g. "Atlas". */
	service: string;
	/** Low-level code such as ECONNRESET. */
	code: string;
	/** The underlying error's message (never the request, which carries credentials). */
	detail: string;
	/** What to check, e.g. "the base URL of the Atlas API credential". */
	advice: string;
	attempts: number;
	itemIndex?: number;
}

/** " (after 3 attempts)" at the end of a message, when there was more than one. */
export const afterAttempts = (attempts: number): string =>
	attempts > 1 ? ` (after ${attempts} attempts)` : '';

/** What came back when no HTTP answer did: nothing, or something that is not HTTP. */
export const noAnswerWording = (service: string, code: string): string =>
	isUnreadableAnswer(code)
		? `${service} answered with something that is not a readable HTTP answer (${code})`
		: `Could not reach ${service} (${code})`;

/** A request that got no HTTP answer: who could not be reached, and how often we tried. */
export function networkApiError(node: INode, failure: NetworkFailure): NodeApiError {
	return apiError(node, { networkErrorCode: failure.code } as JsonObject, {
		message: `${noAnswerWording(failure.service, failure.code)}${afterAttempts(failure.attempts)}`,
		description: `${failure.detail}. Check ${failure.advice} and the network.`,
		itemIndex: failure.itemIndex,
	});
}

export interface RedirectFailure {
	service: string;
	statusCode: number;
	/** Where the server wanted us to go (already free of secrets). */
	location: string;
	/** Which credential field to change, e.g. "the base URL of the Atlas API credential". */
	advice: string;
	itemIndex?: number;
}

/**
 * A redirect is never followed: the request carries credentials, and the new address could be
 * anyone's. The user decides whether the new address is the real service.
 */
export function redirectWording(
	failure: RedirectFailure,
): ApiErrorWording & { description: string } {
	const target = failure.location || 'an address it did not name';
	return {
		message: `${failure.service} answered with a redirect (${failure.statusCode}) to ${target}`,
		description: `Requests that carry your credentials are never forwarded to another address. If ${failure.service} has really moved there, enter that address in ${failure.advice}.`,
		httpCode: String(failure.statusCode),
		itemIndex: failure.itemIndex,
	};
}

export const redirectApiError = (node: INode, failure: RedirectFailure): NodeApiError =>
	apiError(node, { location: failure.location } as JsonObject, redirectWording(failure));
