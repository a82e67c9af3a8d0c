/**
 * The credential tests inside a real n8n: `POST /rest/credentials/test` (what the credential
 * modal's "Retry"/save does) runs n8n's own CredentialsTester on our `test` rules. The unit suite
 * (test/credentials) mirrors that tester; this proves the mirror against the real thing. Run in the
 * e2e suite's n8n (travelOps.e2e.test.ts calls `describeCredentialTests`), so that the suite starts
 * no n8n of its own for them.
 */
import { ATLAS_TEST_MESSAGES } from '../../credentials/AtlasApi.credentials';
import { RAPID_TEST_MESSAGES } from '../../credentials/ExpediaRapidApi.credentials';
import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
} from '../sandbox';
import { ATLAS_CREDENTIAL_ID, RAPID_CREDENTIAL_ID } from '../n8n/stack';
import {
	htmlAnswer,
	jsonAnswer,
	startAnsweringServer,
	type Answer,
	type AnsweringServer,
} from '../../test/helpers/answeringServer';
import type { Stack } from './harness';

interface TestResult {
	status: 'OK' | 'Error';
	message: string;
}

/** The credential-test cases, against the n8n and sandbox of `stackOf()`. */
export function describeCredentialTests(stackOf: () => Stack) {
	let impostor: AnsweringServer;
	beforeAll(async () => {
		impostor = await startAnsweringServer();
	});
	afterAll(async () => await impostor?.close());

	// What the credential modal sends for a saved credential: its id and the data as edited. n8n
	// tests that data, not the stored one. (An empty id, for an unsaved credential, is refused with
	// 403 by n8n 1.x; 2.x accepts it from the owner only.)
	const testCredential = async (type: string, data: Record<string, string>) =>
		await stackOf().rest.request<TestResult>('POST', '/rest/credentials/test', {
			credentials: {
				id: type === 'atlasApi' ? ATLAS_CREDENTIAL_ID : RAPID_CREDENTIAL_ID,
				name: 'credential test',
				type,
				data,
			},
		});

	const rapid = (baseUrl: string, sharedSecret = DEFAULT_RAPID_SHARED_SECRET) =>
		testCredential('expediaRapidApi', {
			environment: 'custom',
			baseUrl,
			apiKey: DEFAULT_RAPID_API_KEY,
			sharedSecret,
		});

	// n8n 1.x runs no status rule: every answer meets the body rules (credentials/testRules.ts names
	// n8n's code: convertN8nRequestToAxios, ExecutionBaseError's `cause`). A wrong status there gets
	// the message of the body it came with.
	const onV1 = () => stackOf().runtime.version.startsWith('1.');
	const byVersion = (v2: string, v1: string) => () => (onV1() ? v1 : v2);

	const atlas = (baseUrl: string, clientSecret = DEFAULT_ATLAS_CLIENT_SECRET) =>
		testCredential('atlasApi', {
			environment: 'custom',
			baseUrl,
			clientId: DEFAULT_ATLAS_CLIENT_ID,
			clientSecret,
		});

	describe('Expedia Rapid API credential test in n8n', () => {
		it('passes with the right keys', async () => {
			expect(await rapid(stackOf().sandbox.url)).toEqual({
				status: 'OK',
				message: 'Connection successful!',
			});
		});

		it('fails with a wrong secret', async () => {
			expect(await rapid(stackOf().sandbox.url, 'wrong')).toEqual({
				status: 'Error',
				message: RAPID_TEST_MESSAGES.unauthenticated,
			});
		});

		it.each<[string, Answer, () => string]>([
			[
				'404 JSON',
				jsonAnswer(404, { error: 'Not Found' }),
				byVersion(RAPID_TEST_MESSAGES.notFound, RAPID_TEST_MESSAGES.notRapidError),
			],
			[
				'404 HTML',
				htmlAnswer(404, '<h1>Not Found</h1>'),
				byVersion(RAPID_TEST_MESSAGES.notFound, RAPID_TEST_MESSAGES.notRapidError),
			],
			[
				'500',
				htmlAnswer(500, '<h1>Error</h1>'),
				byVersion(
					"The server at the base URL failed (HTTP 500). Check the base URL; if it is Rapid's, try again later.",
					RAPID_TEST_MESSAGES.notRapidError,
				),
			],
			[
				'200 HTML',
				htmlAnswer(200, '<html><body>Welcome</body></html>'),
				() => RAPID_TEST_MESSAGES.notRapidError,
			],
			[
				'200 JSON of another shape',
				jsonAnswer(200, { ok: true }),
				() => RAPID_TEST_MESSAGES.notRapidError,
			],
			[
				'400 HTML',
				htmlAnswer(400, '<h1>Bad Request</h1>'),
				byVersion(
					'The base URL answered HTTP 400 where Rapid answers 200, so it does not lead to Rapid. Check the base URL.',
					RAPID_TEST_MESSAGES.notRapidError,
				),
			],
			[
				"Rapid's 503",
				jsonAnswer(503, { type: 'service_unavailable', message: 'unavailable' }),
				byVersion(
					"The server at the base URL failed (HTTP 503). Check the base URL; if it is Rapid's, try again later.",
					RAPID_TEST_MESSAGES.failed,
				),
			],
		])('fails on %s', async (_name, answer, message) => {
			impostor.answer = answer;
			expect(await rapid(impostor.url)).toEqual({ status: 'Error', message: message() });
		});
	});

	describe('Atlas API credential test in n8n', () => {
		it('passes with the right keys', async () => {
			expect(await atlas(stackOf().sandbox.url)).toEqual({
				status: 'OK',
				message: 'Connection successful!',
			});
		});

		it('fails with a wrong secret (status 900)', async () => {
			const result = await atlas(stackOf().sandbox.url, 'wrong');
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(
				/^Atlas rejected the client ID or client secret \(status 900\)/,
			);
		});

		it.each<[string, Answer, () => string]>([
			[
				'200 HTML',
				htmlAnswer(200, '<html><body>Welcome</body></html>'),
				() => ATLAS_TEST_MESSAGES.notAtlas,
			],
			[
				'200 JSON of another shape',
				jsonAnswer(200, { ok: true }),
				() => ATLAS_TEST_MESSAGES.notAtlas,
			],
			[
				'404 HTML',
				htmlAnswer(404, '<h1>Not Found</h1>'),
				byVersion(ATLAS_TEST_MESSAGES.notFound, ATLAS_TEST_MESSAGES.notAtlas),
			],
			[
				'403 HTML',
				htmlAnswer(403, '<h1>Forbidden</h1>'),
				byVersion(ATLAS_TEST_MESSAGES.refused(403), ATLAS_TEST_MESSAGES.notAtlas),
			],
			[
				'an undocumented envelope status',
				jsonAnswer(200, { status: 1234, msg: 'x' }),
				() => ATLAS_TEST_MESSAGES.noIncidentList,
			],
		])('fails on %s', async (_name, answer, message) => {
			impostor.answer = answer;
			expect(await atlas(impostor.url)).toEqual({ status: 'Error', message: message() });
		});
	});
}
