/**
 * Rapid's published contract, copied from its OpenAPI. Source of every fixture below:
 * repository ExpediaGroup/rapid-java-sdk, file code/transformedSpecs.yaml (section named beside each).
 */

/** paths./v3/notifications.post.responses.400.example */
export const NOTIFICATIONS_400 = {
	type: 'invalid_input',
	message: 'An invalid request was sent in, please check the nested errors for details.',
	errors: [
		{
			type: 'event_type.not_supported',
			message:
				'Event type is not supported. Supported event types are: [itinerary.agent.create, itinerary.agent.change, itinerary.agent.cancel, itinerary.supplier.confirm, itinerary.supplier.cancel, itinerary.fraud.cancel]',
			fields: [{ name: 'event_type', type: 'path' }],
		},
	],
};

/** paths./v3/properties/content.get.responses.401.example (the notifications path lists none) */
export const UNAUTHENTICATED_401 = {
	type: 'request_unauthenticated',
	message:
		'Data required to authenticate your request is missing or inaccurate. Ensure that your request follows the guidelines in our documentation.',
	fields: [
		{ name: 'apikey', type: 'header', value: 'jaj3982k239dka328e' },
		{
			name: 'signature',
			type: 'header',
			value:
				'129d75332614a5bdbe0c7eb540e95a65f9d85a5b53dabb38d19b37fad6312a2bd25c12ee5a82831d55112087e1b',
		},
		{ name: 'timestamp', type: 'header', value: 198284729 },
		{ name: 'servertimestamp', type: 'server', value: 198284729 },
	],
};

/** paths./v3/properties/content.get.responses.403.example */
export const UNAUTHORIZED_403 = {
	type: 'request_unauthorized',
	message: 'Your request could not be authorized.',
};

/** paths./v3/properties/content.get.responses.429.example */
export const TOO_MANY_REQUESTS_429 = {
	type: 'too_many_requests',
	message: 'You have reached your capacity for this type of request.',
};

/** paths./v3/properties/content.get.responses.500.example and .503.example */
export const INTERNAL_500 = {
	type: 'unknown_internal_error',
	message: 'An internal server error has occurred.',
};
export const UNAVAILABLE_503 = {
	type: 'service_unavailable',
	message: 'This service is currently unavailable.',
};

/**
 * components.headers (names as documented; the 429 responses list them, with no example values).
 * `*-Reset`: milliseconds since the Unix epoch; `*-Remaining`: a percentage.
 */
export const RATE_LIMIT_HEADERS = {
	minuteRemaining: 'Rate-Limit-Minute-Remaining',
	minuteReset: 'Rate-Limit-Minute-Reset',
	dayRemaining: 'Rate-Limit-Day-Remaining',
	dayReset: 'Rate-Limit-Day-Reset',
	reductionStatus: 'Rate-Limit-Reduction-Status',
} as const;

/** The documented status → error type pairs the sandbox and the node must agree on. */
export const DOCUMENTED_ERRORS: Array<[number, { type: string; message: string }]> = [
	[401, UNAUTHENTICATED_401],
	[403, UNAUTHORIZED_403],
	[429, TOO_MANY_REQUESTS_429],
	[500, INTERNAL_500],
	[503, UNAVAILABLE_503],
];
