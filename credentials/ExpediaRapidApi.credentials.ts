import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { buildAuthorizationHeader } from '../nodes/ExpediaRapid/signature';
import {
	RAPID_PRODUCTION_URL,
	RAPID_TEST_URL,
	TEST_HOST_DRAIN_WARNING,
} from '../nodes/ExpediaRapid/transport/baseUrl';
import {
	ALL_HTTP_STATUS_CODES,
	asRules,
	bodyRule,
	STATUS_CODE_GROUPS,
	statusRules,
} from './testRules';

/** An event type Rapid does not know: asking for it proves the signature without side effects. */
export const CREDENTIAL_PROBE_EVENT_TYPE = 'n8n.credential.check';

/** What Rapid answers that request with when the signature is good. */
const RAPID_PROBE_STATUS = 400;

export const RAPID_TEST_MESSAGES = {
	unauthenticated:
		"Rapid rejected the API key or the signature (HTTP 401). Check the API key and the shared secret, and that this machine's clock is right: Rapid accepts signatures up to 5 minutes old.",
	forbidden:
		'Rapid refused this API key (HTTP 403). Ask Rapid support to enable notifications for it.',
	notFound:
		'The base URL has no Rapid notifications endpoint (HTTP 404 for /v3/notifications). Check the base URL: the Rapid host without a path, e.g. https://test.ean.com.',
	throttled: 'Rapid rate-limited the test (HTTP 429). Try again in a minute.',
	notRapidError:
		"The base URL answered without Rapid's JSON error body, so it does not lead to Rapid. Check the base URL.",
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
	];

	// Rapid rejects a signature older than five minutes, so every request gets a fresh one.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: {
				...requestOptions.headers,
				Authorization: buildAuthorizationHeader(
					String(credentials.apiKey ?? ''),
					String(credentials.sharedSecret ?? ''),
				),
			},
		};
	}

	// The undeliverable queue deletes what it returns, so the test must not read it. Asking for a
	// test notification of an unknown type has no side effects: Rapid answers 400 with its JSON error
	// body when the signature is good, 401 when not. Any other status, and any 400 without Rapid's
	// error body, means the base URL does not lead to Rapid.
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{$credentials.environment === 'custom' ? String($credentials.baseUrl).replace(/\\/+$/, '') : $credentials.environment === 'test' ? '${RAPID_TEST_URL}' : '${RAPID_PRODUCTION_URL}'}}`,
			url: '/v3/notifications',
			method: 'POST',
			headers: { Accept: 'application/json' },
			body: { event_type: CREDENTIAL_PROBE_EVENT_TYPE },
			json: true,
			// The request carries the keys: a redirect is reported, never followed.
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			// Only the answer valid keys get (400) reaches the body rules; every other status fails.
			ignoreHttpStatusErrors: {
				ignore: true,
				except: ALL_HTTP_STATUS_CODES.filter((code) => code !== RAPID_PROBE_STATUS),
			},
		},
		rules: asRules([
			...statusRules([401], () => RAPID_TEST_MESSAGES.unauthenticated),
			...statusRules([403], () => RAPID_TEST_MESSAGES.forbidden),
			...statusRules([404], () => RAPID_TEST_MESSAGES.notFound),
			...statusRules([429], () => RAPID_TEST_MESSAGES.throttled),
			...statusRules(
				STATUS_CODE_GROUPS.success,
				(code) =>
					`The base URL answered HTTP ${code} where Rapid answers 400, so it does not lead to Rapid. Check the base URL.`,
			),
			...statusRules(
				STATUS_CODE_GROUPS.redirect,
				(code) =>
					`The base URL answered with a redirect (HTTP ${code}). Use the address it redirects to as the base URL.`,
			),
			...statusRules(
				STATUS_CODE_GROUPS.clientError.filter(
					(code) => ![RAPID_PROBE_STATUS, 401, 403, 404, 429].includes(code),
				),
				(code) =>
					`The base URL answered HTTP ${code} where Rapid answers 400, so it does not lead to Rapid. Check the base URL.`,
			),
			...statusRules(
				STATUS_CODE_GROUPS.serverError,
				(code) =>
					`The server at the base URL failed (HTTP ${code}). Check the base URL; if it is Rapid's, try again later.`,
			),
			bodyRule('type', undefined, RAPID_TEST_MESSAGES.notRapidError),
			bodyRule('message', undefined, RAPID_TEST_MESSAGES.notRapidError),
			// n8n versions without `except` let every status through: Rapid's own errors still fail.
			bodyRule('type', 'request_unauthenticated', RAPID_TEST_MESSAGES.unauthenticated),
			bodyRule('type', 'request_unauthorized', RAPID_TEST_MESSAGES.forbidden),
			bodyRule('type', 'too_many_requests', RAPID_TEST_MESSAGES.throttled),
		]),
	};
}
