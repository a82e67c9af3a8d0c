/**
 * Building blocks for the credential tests' `rules`.
 *
 * n8n (CredentialsTester, n8n 2.40 and 1.123 alike) evaluates a declarative credential test like this:
 * - the request throws on an HTTP status it does not ignore; then the first `responseCode` rule whose
 *   `value` equals the status gives the message, else the test fails with the status text;
 * - the request succeeds; then the first `responseSuccessBody` rule whose `value` equals
 *   `lodash.get(body, key)` gives the message, else the test passes.
 * Rules can only say "fail when equal", never "pass only when equal", so each test fails on every
 * status but the one the real API sends and on every body missing the fields the real answer has.
 * The requests set no `ignoreHttpStatusErrors`: n8n 1.x lets every status through for any value of
 * it (`convertN8nRequestToAxios`, n8n-core's request-helper-functions.js), which skips the status
 * rules there.
 */
import type {
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialTestRequest,
} from 'n8n-workflow';

export type CredentialTestRule =
	| IAuthenticateRuleResponseCode
	| IAuthenticateRuleResponseSuccessBody;

/**
 * n8n checks each rule by its `type`, so one list can hold both kinds; the declared type
 * (`A[] | B[]`) is narrower than what n8n accepts.
 */
export const asRules = (rules: CredentialTestRule[]) => rules as ICredentialTestRequest['rules'];

const range = (from: number, to: number) =>
	Array.from({ length: to - from + 1 }, (_, index) => from + index);

/** The status codes with a name (RFC 9110 and friends): the ones a rule gets a message for. */
export const STATUS_CODE_GROUPS = {
	redirect: range(300, 308),
	clientError: [...range(400, 418), ...range(421, 426), 428, 429, 431, 451],
	serverError: range(500, 511),
};

export const statusRules = (
	codes: number[],
	message: (code: number) => string,
): IAuthenticateRuleResponseCode[] =>
	codes.map((value) => ({ type: 'responseCode', properties: { value, message: message(value) } }));

export const bodyRule = (
	key: string,
	value: unknown,
	message: string,
): IAuthenticateRuleResponseSuccessBody => ({
	type: 'responseSuccessBody',
	properties: { key, value, message },
});
