import type { IHttpRequestOptions } from 'n8n-workflow';

import { AtlasApi } from '../../credentials/AtlasApi.credentials';
import { ExpediaRapidApi } from '../../credentials/ExpediaRapidApi.credentials';
import { verifyAuthorizationHeader } from '../../nodes/ExpediaRapid/signature';
import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	startSandbox,
	type Sandbox,
} from '../../sandbox/index.cjs';
import { runCredentialTest } from '../helpers/credentialTest';

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, incidentCount: 5 });
});
afterAll(async () => await sb.close());

describe('Expedia Rapid API credential', () => {
	const credential = new ExpediaRapidApi();
	const data = { apiKey: 'key-1', sharedSecret: 'secret-1', environment: 'test' };

	it('signs each request with a fresh, verifiable header and keeps other headers', async () => {
		const request: IHttpRequestOptions = { url: '/v3/x', headers: { Accept: 'application/json' } };
		const signed = await credential.authenticate(data, request);
		const headers = signed.headers as Record<string, string>;
		expect(headers.Accept).toBe('application/json');
		expect(
			verifyAuthorizationHeader(headers.Authorization, {
				apiKey: 'key-1',
				sharedSecret: 'secret-1',
			}).ok,
		).toBe(true);
		expect(request.headers).not.toHaveProperty('Authorization');
	});

	it('marks both key and secret as password fields', () => {
		const passwordFields = credential.properties
			.filter((p) => p.typeOptions?.password)
			.map((p) => p.name);
		expect(passwordFields).toEqual(expect.arrayContaining(['apiKey', 'sharedSecret']));
	});

	it('passes its test against the sandbox with the right keys', async () => {
		const outcome = await runCredentialTest('expediaRapidApi', {
			environment: 'custom',
			baseUrl: sb.url,
			apiKey: DEFAULT_RAPID_API_KEY,
			sharedSecret: DEFAULT_RAPID_SHARED_SECRET,
		});
		expect(outcome).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it('fails its test with a wrong secret, and leaves the undeliverable queue alone', async () => {
		sb.rapid.enqueueUndeliverable(2);
		const outcome = await runCredentialTest('expediaRapidApi', {
			environment: 'custom',
			baseUrl: sb.url,
			apiKey: DEFAULT_RAPID_API_KEY,
			sharedSecret: 'wrong',
		});
		expect(outcome.status).toBe('Error');
		expect(outcome.message).toMatch(/rejected the API key or signature/);
		expect(sb.rapid.undeliverable).toHaveLength(2);
		expect(sb.rapid.testRequests.at(-1)?.eventType).not.toBe('itinerary.agent.create');
	});
});

describe('Atlas API credential', () => {
	it('marks the client secret as a password field', () => {
		const secret = new AtlasApi().properties.find((p) => p.name === 'clientSecret');
		expect(secret?.typeOptions?.password).toBe(true);
	});

	it('passes its test with the right keys', async () => {
		const before = sb.requests.length;
		const outcome = await runCredentialTest('atlasApi', {
			environment: 'custom',
			baseUrl: `${sb.url}/`,
			clientId: DEFAULT_ATLAS_CLIENT_ID,
			clientSecret: DEFAULT_ATLAS_CLIENT_SECRET,
		});
		expect(outcome.status).toBe('OK');
		const request = sb.requests[before];
		expect(request.path).toBe('/event/getPageList.do');
		expect(request.headers['x-atlas-client-id']).toBe(DEFAULT_ATLAS_CLIENT_ID);
		expect(request.headers['x-atlas-client-secret']).toBe(DEFAULT_ATLAS_CLIENT_SECRET);
	});

	it('fails its test on envelope status 900 although HTTP says 200', async () => {
		const outcome = await runCredentialTest('atlasApi', {
			environment: 'custom',
			baseUrl: sb.url,
			clientId: DEFAULT_ATLAS_CLIENT_ID,
			clientSecret: 'wrong',
		});
		expect(outcome).toEqual({
			status: 'Error',
			message: 'Atlas rejected the client ID or client secret (status 900)',
		});
	});

	it.each([902, 2, 110])('fails its test on envelope status %d', async (status) => {
		sb.faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status, times: 1 });
		const outcome = await runCredentialTest('atlasApi', {
			environment: 'custom',
			baseUrl: sb.url,
			clientId: DEFAULT_ATLAS_CLIENT_ID,
			clientSecret: DEFAULT_ATLAS_CLIENT_SECRET,
		});
		expect(outcome.status).toBe('Error');
		expect(outcome.message).toContain(`status ${status}`);
		sb.faults.clear();
	});

	it('points Sandbox at the public Atlas sandbox host', () => {
		const baseURL = String(new AtlasApi().test.request.baseURL);
		expect(baseURL).toContain('https://sandbox.atriptech.com');
	});
});
