/** The two providers' error shapes: Atlas' `{status, msg}` envelope and Rapid's error body. */

/**
 * Atlas envelope codes, the sandbox's own list (not the node's, so a wrong code cannot agree with
 * itself). Source: atlas-doc/atlas-api-docs, troubleshooting-and-support/errors-handing/
 * common-and-access-errors.md (100, 900, 901, 902: fix the request; 9999, -1: retry once) and
 * errors-handing/README.md (110: back off exponentially). 0 is the only success.
 */
export const ATLAS_STATUS = {
	ok: 0,
	missingData: 100,
	unauthorized: 900,
	illegalData: 901,
	accessDenied: 902,
	rateLimited: 110,
	systemError9999: 9999,
	commonError: -1,
} as const;

/** Invented texts (no Atlas page shows a `msg`): human text that clients must never read. */
const ATLAS_MESSAGES: Record<number, string> = {
	[ATLAS_STATUS.missingData]: 'Missing required request data',
	[ATLAS_STATUS.unauthorized]: 'Unauthorized',
	[ATLAS_STATUS.illegalData]: 'Illegal request data',
	[ATLAS_STATUS.accessDenied]: 'Access denied',
	[ATLAS_STATUS.rateLimited]: 'Request too frequent, please try again later',
	[ATLAS_STATUS.systemError9999]: 'System busy, please try again',
	[ATLAS_STATUS.commonError]: 'Unknown error',
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

export interface RapidErrorIndividual {
	type: string;
	message: string;
	fields?: RapidField[];
}

/** Rapid's `Error`: a top-level class, its own fields (the 401) and the nested reasons (the 400). */
export const rapidError = (
	type: string,
	message: string,
	detail: { fields?: RapidField[]; errors?: RapidErrorIndividual[] } = {},
) => ({ type, message, ...detail });

/** The documented 400: the reasons are nested, the top level only points at them. */
export const rapidInvalidInput = (...errors: RapidErrorIndividual[]) =>
	rapidError(
		'invalid_input',
		'An invalid request was sent in, please check the nested errors for details.',
		{ errors },
	);

/** The documented types and messages of the errors Rapid produces on its own. */
const RAPID_HTTP_ERRORS: Record<number, [string, string]> = {
	401: [
		'request_unauthenticated',
		'Data required to authenticate your request is missing or inaccurate. Ensure that your request follows the guidelines in our documentation.',
	],
	403: ['request_unauthorized', 'Your request could not be authorized.'],
	426: ['upgrade_required', 'This service requires the use of TLS.'],
	429: ['too_many_requests', 'You have reached your capacity for this type of request.'],
	500: ['unknown_internal_error', 'An internal server error has occurred.'],
	503: ['service_unavailable', 'This service is currently unavailable.'],
};

/** The body Rapid sends with a 4xx/5xx it produces on its own (throttling, outages). */
export function rapidHttpError(status: number, fields?: RapidField[]) {
	const [type, message] = RAPID_HTTP_ERRORS[status] ?? ['http_error', `HTTP ${status}`];
	return rapidError(type, message, fields ? { fields } : {});
}
