/**
 * Atlas' envelope statuses and what its error pages say to do about each: fix the request or the
 * account first, retry once, or back off. One table for the nodes and the credential test.
 */

export type AtlasStatusHandling = 'fix' | 'retryOnce' | 'backOff';

export interface AtlasStatusRule {
	handling: AtlasStatusHandling;
	/** What happened and what to do, for the person who runs the workflow. */
	advice: string;
}

export const ATLAS_STATUS_RULES: Readonly<Record<number, AtlasStatusRule>> = Object.freeze({
	100: {
		handling: 'fix',
		advice:
			'Atlas says required request data is missing (status 100). Fill in every field the operation needs, then run it again.',
	},
	901: {
		handling: 'fix',
		advice:
			"Atlas could not read the request (status 901). Check the values entered in the node (dates, numbers, lists) and the credential's base URL, then run it again.",
	},
	900: {
		handling: 'fix',
		advice:
			'Atlas rejected the client ID or client secret (status 900). Check both, and that they belong to this environment.',
	},
	902: {
		handling: 'fix',
		advice:
			'Atlas denied access (status 902). Check the client ID and client secret, and that your Atlas account is active and enabled for this feature; if it should be, contact your Atlas account manager.',
	},
	110: {
		handling: 'backOff',
		advice:
			'Atlas rate-limited these requests (status 110). Wait a minute before trying again; run the workflow less often or fetch fewer pages.',
	},
	9999: {
		handling: 'retryOnce',
		advice:
			'Atlas reported a system error (status 9999). Try once more; if it happens again, contact Atlas support with the time of the request.',
	},
	[-1]: {
		handling: 'retryOnce',
		advice:
			'Atlas reported a general error (status -1). Try once more; if it happens again, contact Atlas support with the time of the request.',
	},
});

/**
 * Statuses one endpoint documents for itself, read before the common table: the codes of the order
 * lookup (800, 701 to 705) mean nothing elsewhere.
 */
export const ATLAS_ENDPOINT_STATUS_RULES: Readonly<
	Record<string, Readonly<Record<number, AtlasStatusRule>>>
> = Object.freeze({
	queryOrderDetails: Object.freeze<Record<number, AtlasStatusRule>>({
		800: {
			handling: 'fix',
			advice:
				'Atlas has no order with this number (status 800). Check the order number, for example that it comes from an event of this Atlas account, then run it again.',
		},
		701: {
			handling: 'fix',
			advice:
				'Atlas found more than one order for these details (status 701). Look the order up by its Atlas order number.',
		},
		702: {
			handling: 'fix',
			advice:
				'Atlas needs an order number, or the airline booking reference with the airline, to find an order (status 702). Fill in the order number, then run it again.',
		},
		703: {
			handling: 'fix',
			advice:
				'Atlas found no order with this number (status 703). Check the order number, for example that it comes from an event of this Atlas account and environment, then run it again.',
		},
		704: {
			handling: 'fix',
			advice:
				'The order details sent do not belong to the same order (status 704). Check the order number, then run it again.',
		},
		705: {
			handling: 'retryOnce',
			advice:
				'Atlas timed out while looking up the order (status 705). Wait a moment and run it again.',
		},
	}),
});

/** The rule for `status` on `endpoint`: its own codes first, then the common ones. */
export const atlasStatusRule = (status: number, endpoint?: string): AtlasStatusRule | undefined =>
	(endpoint === undefined ? undefined : ATLAS_ENDPOINT_STATUS_RULES[endpoint]?.[status]) ??
	ATLAS_STATUS_RULES[status];

/**
 * A status without a rule here: Atlas' error pages list many more codes, for its other APIs (some
 * retryable there, such as 112 or 705 of the search and order flows); for these calls nothing says
 * a retry helps, so the request is not repeated.
 */
export const otherStatusAdvice = (status: number): string =>
	`Atlas refused the request with status ${status}. Look the code up in Atlas' error codes, or contact your Atlas account manager with the time of the request and this message.`;

export const atlasStatusAdvice = (status: number, endpoint?: string): string =>
	atlasStatusRule(status, endpoint)?.advice ?? otherStatusAdvice(status);
