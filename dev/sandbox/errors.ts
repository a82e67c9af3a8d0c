/** The two providers' error shapes: Atlas' `{status, msg}` envelope and Rapid's error body. */

import { AtlasStatus } from '../../nodes/Atlas/transport';

/** Atlas envelope codes: 0 is the only success. One list, shared with the node. */
export const ATLAS_STATUS = AtlasStatus;

const ATLAS_MESSAGES: Record<number, string> = {
	[ATLAS_STATUS.systemError]: 'System error',
	[ATLAS_STATUS.rateLimited]: 'Request too frequent, please try again later',
	[ATLAS_STATUS.unauthorized]: 'Unauthorized',
	[ATLAS_STATUS.accessDenied]: 'Access denied',
	[ATLAS_STATUS.transient]: 'System busy, please try again',
	[ATLAS_STATUS.transientLegacy]: 'Unknown error',
};

/** Atlas answers errors with HTTP 200 and a non-zero envelope status. */
export const atlasError = (status: number, msg?: string) => ({
	status,
	msg: msg ?? ATLAS_MESSAGES[status] ?? 'Error',
});

export interface RapidField {
	name: string;
	type: string;
	value?: string;
}

export const rapidError = (type: string, message: string, fields?: RapidField[]) => ({
	type,
	message,
	...(fields ? { fields } : {}),
});

const RAPID_HTTP_ERRORS: Record<number, [string, string]> = {
	429: ['request_throttled', 'Too many requests: slow down and try again later.'],
	500: ['unknown_internal_error', 'An internal server error has occurred.'],
	503: ['service_unavailable', 'This service is currently unavailable.'],
};

/** The body Rapid sends with a 4xx/5xx it produces on its own (throttling, outages). */
export function rapidHttpError(status: number) {
	const [type, message] = RAPID_HTTP_ERRORS[status] ?? ['http_error', `HTTP ${status}`];
	return rapidError(type, message);
}
