import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { buildAuthorizationHeader } from '../nodes/ExpediaRapid/signature';
import { RAPID_PRODUCTION_URL, RAPID_TEST_URL } from '../nodes/ExpediaRapid/transport/baseUrl';

/** An event type Rapid does not know: asking for it proves the signature without side effects. */
export const CREDENTIAL_PROBE_EVENT_TYPE = 'n8n.credential.check';

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
				{ name: 'Test', value: 'test', description: RAPID_TEST_URL },
				{
					name: 'Custom',
					value: 'custom',
					description: 'Any base URL, for example a local test server',
				},
			],
			default: 'production',
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

	// The undeliverable queue deletes what it returns, so the test must not read it. Requesting a
	// test notification of an unknown type is answered 400 when the signature is good, 401 when not.
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{$credentials.environment === 'custom' ? String($credentials.baseUrl).replace(/\\/+$/, '') : $credentials.environment === 'test' ? '${RAPID_TEST_URL}' : '${RAPID_PRODUCTION_URL}'}}`,
			url: '/v3/notifications',
			method: 'POST',
			headers: { Accept: 'application/json' },
			body: { event_type: CREDENTIAL_PROBE_EVENT_TYPE },
			json: true,
			ignoreHttpStatusErrors: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'type',
					value: 'request_unauthenticated',
					message:
						"Rapid rejected the API key or signature: check the key, the shared secret and this machine's clock",
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'type',
					value: 'request_forbidden',
					message: 'Rapid refused access for this API key (403)',
				},
			},
		],
	};
}
