import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

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

/**
 * A request that got no HTTP answer. NodeApiError swaps any message that contains a known code
 * (ECONNABORTED, ETIMEDOUT…) for a generic sentence without the provider's name, so ours, which
 * says who could not be reached and how often we tried, is set after construction.
 */
export function networkApiError(node: INode, failure: NetworkFailure): NodeApiError {
	const tries = failure.attempts > 1 ? ` (after ${failure.attempts} attempts)` : '';
	const message = `Could not reach ${failure.service} (${failure.code})${tries}`;
	const error = new NodeApiError(node, { networkErrorCode: failure.code } as JsonObject, {
		message,
		description: `${failure.detail}. Check ${failure.advice} and the network.`,
		itemIndex: failure.itemIndex,
	});
	error.message = message;
	return error;
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
export function redirectApiError(node: INode, failure: RedirectFailure): NodeApiError {
	const target = failure.location || 'an address it did not name';
	return new NodeApiError(node, { location: failure.location } as JsonObject, {
		message: `${failure.service} answered with a redirect (${failure.statusCode}) to ${target}`,
		description: `Requests that carry your credentials are never forwarded to another address. If ${failure.service} has really moved there, enter that address in ${failure.advice}.`,
		httpCode: String(failure.statusCode),
		itemIndex: failure.itemIndex,
	});
}
