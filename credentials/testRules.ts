/**
 * Building blocks for the credential tests' `rules`.
 *
 * n8n (CredentialsTester, n8n 2.40) evaluates a declarative credential test like this:
 * - the request throws on an HTTP status it does not ignore; then the first `responseCode` rule whose
 *   `value` equals the status gives the message, else the test fails with the status text;
 * - the request succeeds; then the first `responseSuccessBody` rule whose `value` equals
 *   `lodash.get(body, key)` gives the message, else the test passes.
 * Rules can only say "fail when equal", never "pass only when equal", so each test fails on every
 * status but the one the real API sends and on every body missing the fields the real answer has.
 *
 * n8n 1.x (1.123) differs twice, so there every answer meets the body rules and no status rule runs:
 * - any `ignoreHttpStatusErrors` value lets every status through (`convertN8nRequestToAxios` in
 *   n8n-core's request-helper-functions.js reads it as true/false, without `except`);
 * - without it, a thrown status never reaches the `responseCode` rules: n8n-workflow's
 *   `ExecutionBaseError` declares a `cause` field that resets the request error Node.js stored
 *   there, so `CredentialsTester.testCredentials` finds no `error.cause.response` and shows n8n's
 *   own text for the status ("The resource you are requesting could not be found" for a 404).
 * So each test sets `ignoreHttpStatusErrors` with `except` (statuses fail by their rules on 2.x)
 * and has body rules that still say what is wrong when a wrong answer reaches them on 1.x.
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

/** Every three-digit status code (Node.js accepts 100-999 from a server, not only 100-599). */
const ALL_HTTP_STATUS_CODES = range(100, 999);

/**
 * The test request's `ignoreHttpStatusErrors`: on n8n 2.x only the statuses `passes` accepts reach
 * the body rules and every other one throws, to meet its status rule (n8n 1.x lets all through).
 */
export const passOnly = (passes: (code: number) => boolean) => ({
	ignore: true as const,
	except: ALL_HTTP_STATUS_CODES.filter((code) => !passes(code)),
});

/** The status codes with a name (RFC 9110 and friends): the ones a rule gets a message for. */
export const STATUS_CODE_GROUPS = {
	success: range(200, 208),
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
