import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { buildAuthorizationHeader } from '../nodes/ExpediaRapid/signature';
import { withHeaders } from '../nodes/shared/http';
import {
	RAPID_PRODUCTION_URL,
	RAPID_TEST_URL,
	TEST_HOST_DRAIN_WARNING,
} from '../nodes/ExpediaRapid/transport/baseUrl';
import { RAPID_REQUEST_HEADERS } from '../nodes/ExpediaRapid/transport/headers';
import { asRules, bodyRule, passOnly, STATUS_CODE_GROUPS, statusRules } from './testRules';

/**
 * What the credential test asks Rapid: the spoken-languages reference list, in English.
 *
 * Source: ExpediaGroup/rapid-java-sdk, code/transformedSpecs.yaml,
 * `paths./v3/references/spoken-languages.get` (operationId getSpokenLanguagesReference). It is a
 * signed (`security: rapidAuth`) read of static reference data: nothing changes on Rapid's side,
 * unlike `GET /v3/notifications?undeliverable=true` (deletes what it returns) or
 * `POST /v3/notifications` (sends a test notification, and only on the test host). The spec's server
 * is the test host, and production serves the same paths, so one request proves the signature on
 * both. Documented answers: 200 with a map of languages by id (example: el, en, fr) for a good
 * signature; 401 `request_unauthenticated` for a missing or wrong one; 403 `request_unauthorized`
 * when the key may not read reference data; 429 `too_many_requests`.
 */
export const CREDENTIAL_PROBE = {
	method: 'GET',
	path: '/v3/references/spoken-languages',
	qs: { language: 'en-US' },
} as const;

/** What Rapid answers that request with when the signature is good. */
const RAPID_PROBE_STATUS = 200;

/** What a passing test proves, shown under the keys. */
export const RAPID_TEST_NOTICE =
	"Test reads Rapid's list of spoken languages with these keys. It proves the API key and shared secret are accepted; it does not send a test notification or read undeliverable notifications.";

export const RAPID_TEST_MESSAGES = {
	unauthenticated:
		"Rapid rejected the API key or the signature (HTTP 401). Check the API key and the shared secret, and that this machine's clock is right: Rapid accepts signatures up to 5 minutes old.",
	forbidden:
		'Rapid accepted the signature but refused this API key its reference data, which the test reads (HTTP 403). Ask Rapid support which Rapid services the key is enabled for; notifications may still work.',
	notFound:
		'The base URL has no Rapid reference data (HTTP 404). Check the base URL: the Rapid host without a path, for example https://test.ean.com.',
	throttled: 'Rapid rate-limited the test (HTTP 429). Try again in a minute.',
	failed: 'Rapid failed to answer the test. Try again later.',
	notRapidError:
		'The base URL did not answer as Rapid does (no list of spoken languages in the answer). Check the base URL. If it is right, Rapid or a network device in front of it may be down: try again later.',
};

export class ExpediaRapidApi implements ICredentialType {
	name = 'expediaRapidApi';

	displayName = 'Expedia Rapid API';

	icon = {
		light: 'file:../nodes/ExpediaRapid/expediaRapid.svg',
		dark: 'file:../nodes/ExpediaRapid/expediaRapid.dark.svg',
	} as const;

	documentationUrl = 'https://github.com/travel-ops/n8n-nodes-travel-ops#expedia-rapid-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production', value: 'production', description: RAPID_PRODUCTION_URL },
				{
					name: 'Test',
					value: 'test',
					description: `${RAPID_TEST_URL}, for test notifications only`,
				},
				{
					name: 'Custom',
					value: 'custom',
					description: 'Any base URL, for example a local test server',
				},
			],
			default: 'production',
		},
		{
			displayName: TEST_HOST_DRAIN_WARNING,
			name: 'testHostNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { environment: ['test'] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'http://localhost:4010',
			displayOptions: { show: { environment: ['custom'] } },
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Shared Secret',
			name: 'sharedSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: RAPID_TEST_NOTICE,
			name: 'credentialTestNotice',
			type: 'notice',
			default: '',
		},
	];

	// Rapid rejects a signature older than five minutes, so every request gets a fresh one.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return withHeaders(requestOptions, {
			Authorization: buildAuthorizationHeader(
				String(credentials.apiKey ?? ''),
				String(credentials.sharedSecret ?? ''),
			),
		});
	}

	// One read-only request for every environment (see CREDENTIAL_PROBE): it passes only on a 200
	// whose body is Rapid's language list. Any other status, and any 200 without that list, means
	// the keys or the base URL are wrong.
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{$credentials.environment === 'custom' ? String($credentials.baseUrl).replace(/\\/+$/, '') : $credentials.environment === 'test' ? '${RAPID_TEST_URL}' : '${RAPID_PRODUCTION_URL}'}}`,
			url: CREDENTIAL_PROBE.path,
			method: CREDENTIAL_PROBE.method,
			qs: { ...CREDENTIAL_PROBE.qs },
			headers: { ...RAPID_REQUEST_HEADERS },
			json: true,
			// The request carries the keys: a redirect is reported, never followed.
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			// Only the answer valid keys get (200) reaches the body rules; every other status fails.
			ignoreHttpStatusErrors: passOnly((code) => code === RAPID_PROBE_STATUS),
		},
		rules: asRules([
			...statusRules([401], () => RAPID_TEST_MESSAGES.unauthenticated),
			...statusRules([403], () => RAPID_TEST_MESSAGES.forbidden),
			...statusRules([404], () => RAPID_TEST_MESSAGES.notFound),
			...statusRules([429], () => RAPID_TEST_MESSAGES.throttled),
			...statusRules(
				STATUS_CODE_GROUPS.success.filter((code) => code !== RAPID_PROBE_STATUS),
				(code) =>
					`The base URL answered HTTP ${code} where Rapid answers 200, so it does not lead to Rapid. Check the base URL.`,
			),
			...statusRules(
				STATUS_CODE_GROUPS.redirect,
				(code) =>
					`The base URL answered with a redirect (HTTP ${code}). Use the address it redirects to as the base URL.`,
			),
			...statusRules(
				STATUS_CODE_GROUPS.clientError.filter((code) => ![401, 403, 404, 429].includes(code)),
				(code) =>
					`The base URL answered HTTP ${code} where Rapid answers 200, so it does not lead to Rapid. Check the base URL.`,
			),
			...statusRules(
				STATUS_CODE_GROUPS.serverError,
				(code) =>
					`The server at the base URL failed (HTTP ${code}). Check the base URL; if it is Rapid's, try again later.`,
			),
			// n8n 1.x lets every status through to these (see testRules.ts): Rapid's own errors, by
			// their documented `type`, still get their message there.
			bodyRule('type', 'request_unauthenticated', RAPID_TEST_MESSAGES.unauthenticated),
			bodyRule('type', 'request_unauthorized', RAPID_TEST_MESSAGES.forbidden),
			bodyRule('type', 'too_many_requests', RAPID_TEST_MESSAGES.throttled),
			bodyRule('type', 'unknown_internal_error', RAPID_TEST_MESSAGES.failed),
			bodyRule('type', 'service_unavailable', RAPID_TEST_MESSAGES.failed),
			// English is in Rapid's list (the spec's example has it); a page or other JSON is not.
			bodyRule('en.id', undefined, RAPID_TEST_MESSAGES.notRapidError),
			bodyRule('en.name', undefined, RAPID_TEST_MESSAGES.notRapidError),
		]),
	};
}
