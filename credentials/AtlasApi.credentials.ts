import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { UNREADABLE_TOTALS } from '../nodes/Atlas/incidents';
import { ATLAS_SANDBOX_URL } from '../nodes/Atlas/transport/baseUrl';
import { ATLAS_REQUEST_HEADERS } from '../nodes/Atlas/transport/headers';
import { ATLAS_STATUS_RULES } from '../nodes/Atlas/transport/statuses';
import { withHeaders } from '../nodes/shared/http';
import { asRules, bodyRule, passOnly, STATUS_CODE_GROUPS, statusRules } from './testRules';

export const ATLAS_TEST_MESSAGES = {
	refused: (code: number) =>
		`The base URL refused the request (HTTP ${code}). Check the base URL, the client ID and client secret, and for production that your n8n's outgoing IP address is on the IP whitelist of your Atlas account.`,
	notFound:
		"The base URL has no Atlas incident list (HTTP 404). Check the base URL: Atlas' API address, not the search one.",
	notAtlas:
		"The base URL did not answer as Atlas does (no Atlas status in the answer). Check the base URL. If it is right, check that your n8n's outgoing IP address is on the IP whitelist of your Atlas account (production); otherwise Atlas may be down: try again later.",
	noIncidentList:
		'Atlas did not return the incident list it returns for valid keys. Check the base URL, the client ID and the client secret.',
};

export class AtlasApi implements ICredentialType {
	name = 'atlasApi';

	displayName = 'Atlas API';

	icon = {
		light: 'file:../nodes/Atlas/atlas.svg',
		dark: 'file:../nodes/Atlas/atlas.dark.svg',
	} as const;

	documentationUrl = 'https://github.com/travel-ops/n8n-nodes-travel-ops#atlas-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{
					name: 'Sandbox',
					value: 'sandbox',
					description: ATLAS_SANDBOX_URL,
				},
				{
					name: 'Production',
					value: 'production',
					description: 'The base URL Atlas issued to your company at go-live',
				},
				{
					name: 'Custom',
					value: 'custom',
					description: 'Any base URL, for example a local test server',
				},
			],
			default: 'sandbox',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://api.example.atriptech.com',
			description:
				"For production, the base URL for transaction APIs (not the one for search) shown in Atlas' ATRIP portal under My Profile → Company Information. Production also accepts calls only from the IP addresses on your account's whitelist.",
			displayOptions: { show: { environment: ['production', 'custom'] } },
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Webhook Token',
			name: 'webhookToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'A long random value the Atlas Trigger requires on incoming events when its Shared Token setting is on. Use letters, digits, - and _ only, so that it travels in a URL unchanged; any other character must be percent-encoded where you add the token to a URL by hand (for example + as %2B). Kept here, encrypted, so it is not part of the workflow or its exports.',
		},
	];

	// A function, not expressions: n8n evaluates a credential's expressions in a sandbox on every
	// request, which halved the rate of Atlas calls in the lookup bench.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return withHeaders(requestOptions, {
			'x-atlas-client-id': String(credentials.clientId ?? ''),
			'x-atlas-client-secret': String(credentials.clientSecret ?? ''),
		});
	}

	// Atlas' errors carry a `status` in the body (0 is the only success), whatever the HTTP status.
	// Valid keys get an incident page, read as the nodes read it. n8n's rules fail a test only when
	// one field equals one value: a status with its own advice gets it; any other answer without a
	// readable `total` (an error envelope has none) fails as no incident list. These pass here and
	// fail at the first node call: a total that is negative or fractional, records that are not a
	// list.
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{$credentials.environment === 'sandbox' ? '${ATLAS_SANDBOX_URL}' : String($credentials.baseUrl).replace(/\\/+$/, '')}}`,
			url: '/event/getPageList.do',
			method: 'POST',
			headers: { ...ATLAS_REQUEST_HEADERS },
			body: { pageSize: 1, pageIndex: 1 },
			json: true,
			// The request carries the keys: a redirect is reported, never followed.
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			// Every non-2xx status fails with its rule below. n8n 1.x cannot tell the status to the
			// rules and lets every answer through to the body rules instead (see testRules.ts).
			ignoreHttpStatusErrors: passOnly((code) => code >= 200 && code <= 299),
		},
		rules: asRules([
			...statusRules([401, 403], (code) => ATLAS_TEST_MESSAGES.refused(code)),
			...statusRules([404], () => ATLAS_TEST_MESSAGES.notFound),
			...statusRules(
				[
					...STATUS_CODE_GROUPS.clientError.filter((code) => ![401, 403, 404].includes(code)),
					...STATUS_CODE_GROUPS.redirect,
				],
				(code) =>
					`The base URL answered HTTP ${code} where Atlas answers 200, so it does not lead to Atlas. Check the base URL.`,
			),
			...statusRules(
				STATUS_CODE_GROUPS.serverError,
				(code) =>
					`The server at the base URL failed (HTTP ${code}). Check the base URL; if it is Atlas', try again later.`,
			),
			// Atlas sends `status` as a number, sometimes as a string.
			...Object.entries(ATLAS_STATUS_RULES).flatMap(([status, { advice }]) => [
				bodyRule('status', Number(status), advice),
				bodyRule('status', status, advice),
			]),
			bodyRule('status', undefined, ATLAS_TEST_MESSAGES.notAtlas),
			...UNREADABLE_TOTALS.map((total) =>
				bodyRule('total', total, ATLAS_TEST_MESSAGES.noIncidentList),
			),
		]),
	};
}
