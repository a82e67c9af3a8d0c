import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { ATLAS_SANDBOX_URL } from '../nodes/Atlas/transport/baseUrl';

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
				'Production base URLs are issued per customer. Atlas also allow-lists the IP addresses that may call production.',
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
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'x-atlas-client-id': '={{$credentials.clientId}}',
				'x-atlas-client-secret': '={{$credentials.clientSecret}}',
			},
		},
	};

	// Atlas answers HTTP 200 for bad keys too: only the envelope's `status` tells.
	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{$credentials.environment === 'sandbox' ? '${ATLAS_SANDBOX_URL}' : String($credentials.baseUrl).replace(/\\/+$/, '')}}`,
			url: '/event/getPageList.do',
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'Accept-Encoding': 'gzip' },
			body: { pageSize: 1, pageIndex: 1 },
			json: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'status',
					value: 900,
					message: 'Atlas rejected the client ID or client secret (status 900)',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'status',
					value: 902,
					message:
						'Atlas denied access (status 902): check that this account may use the API and that your IP is allow-listed',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'status',
					value: 2,
					message: 'Atlas reported a system error (status 2)',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'status',
					value: 110,
					message: 'Atlas rate-limited the request (status 110): try again in a minute',
				},
			},
		],
	};
}
