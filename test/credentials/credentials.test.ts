import type { ICredentialTestRequest, IHttpRequestOptions } from 'n8n-workflow';

import { AtlasApi, ATLAS_TEST_MESSAGES } from '../../credentials/AtlasApi.credentials';
import {
	CREDENTIAL_PROBE,
	ExpediaRapidApi,
	RAPID_TEST_MESSAGES,
} from '../../credentials/ExpediaRapidApi.credentials';
import { RAPID_PRODUCTION_URL, RAPID_TEST_URL } from '../../nodes/ExpediaRapid/transport/baseUrl';
import { verifyAuthorizationHeader } from '../../nodes/ExpediaRapid/signature';
import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	startSandbox,
	type Sandbox,
} from '../../dev/sandbox';
import {
	htmlAnswer as html,
	jsonAnswer as json,
	startAnsweringServer,
	type Answer,
	type AnsweringServer,
} from '../helpers/answeringServer';
import { runCredentialTest } from '../helpers/credentialTest';
import { credentialTypes } from '../helpers/n8n';
import {
	INTERNAL_500,
	NOTIFICATIONS_400,
	TOO_MANY_REQUESTS_429,
	UNAUTHENTICATED_401,
	UNAUTHORIZED_403,
	UNAVAILABLE_503,
} from '../rapid/contract.fixtures';

/** paths./v3/references/spoken-languages.get.responses.200.example (code/transformedSpecs.yaml) */
const SPOKEN_LANGUAGES_200 = {
	el: { id: 'el', name: 'Greek' },
	en: { id: 'en', name: 'English' },
	fr: { id: 'fr', name: 'French' },
};

const HTML_PAGE =
	'<!doctype html><html><head><title>Welcome</title></head><body>Hello</body></html>';
const HTML_404 = '<html><body><h1>404 Not Found</h1></body></html>';

let sb: Sandbox;
/** Stands in for a wrong base URL: answers every request with `impostor.answer`. */
let impostor: AnsweringServer;

beforeAll(async () => {
	sb = await startSandbox({ port: 0, incidentCount: 5 });
	impostor = await startAnsweringServer();
});
afterAll(async () => {
	await sb.close();
	await impostor.close();
});
beforeEach(() => {
	impostor.seen.length = 0;
});

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

	const keys = { apiKey: DEFAULT_RAPID_API_KEY, sharedSecret: DEFAULT_RAPID_SHARED_SECRET };
	const wrongKeys = { apiKey: DEFAULT_RAPID_API_KEY, sharedSecret: 'wrong' };
	/** Production and Test run their own request, with only the host moved to the sandbox. */
	const environments: Array<[string, object, { hostAt?: string }]> = [
		['Production', { environment: 'production' }, { hostAt: '' }],
		['Test', { environment: 'test' }, { hostAt: '' }],
		['Custom', { environment: 'custom' }, {}],
	];
	const at = (env: object, options: { hostAt?: string }) => ({
		data: 'environment' in env && env.environment === 'custom' ? { ...env, baseUrl: sb.url } : env,
		options: options.hostAt === undefined ? {} : { hostAt: sb.url },
	});

	it.each(environments)(
		'%s: passes its test against the sandbox with the right keys',
		async (_n, env, o) => {
			const { data, options } = at(env, o);
			const outcome = await runCredentialTest('expediaRapidApi', { ...data, ...keys }, options);
			expect(outcome).toEqual({ status: 'OK', message: 'Connection successful!' });
		},
	);

	it.each(environments)(
		'%s: fails its test with a wrong secret, and sends no notification nor reads the queue',
		async (_n, env, o) => {
			sb.rapid.enqueueUndeliverable(2);
			const queued = sb.rapid.undeliverable.length;
			const testRequests = sb.rapid.testRequests.length;
			const { data, options } = at(env, o);
			const outcome = await runCredentialTest(
				'expediaRapidApi',
				{ ...data, ...wrongKeys },
				options,
			);
			expect(outcome).toEqual({ status: 'Error', message: RAPID_TEST_MESSAGES.unauthenticated });
			expect(outcome.message).not.toContain('wrong');
			expect(sb.rapid.undeliverable).toHaveLength(queued);
			expect(sb.rapid.testRequests).toHaveLength(testRequests);
		},
	);

	it('Production: reads the spoken-languages list and never the undeliverable queue or a test notification', async () => {
		sb.rapid.enqueueUndeliverable(1);
		const queued = sb.rapid.undeliverable.length;
		const testRequests = sb.rapid.testRequests.length;
		const before = sb.requests.length;
		for (const secret of [DEFAULT_RAPID_SHARED_SECRET, 'wrong']) {
			await runCredentialTest(
				'expediaRapidApi',
				{ environment: 'production', apiKey: DEFAULT_RAPID_API_KEY, sharedSecret: secret },
				{ hostAt: sb.url },
			);
		}
		// n8n may repeat a GET that got 401 once; every request is the same read.
		const sent = sb.requests.slice(before);
		expect(sent.length).toBeGreaterThanOrEqual(2);
		for (const request of sent) {
			expect(request).toMatchObject({ method: 'GET', path: CREDENTIAL_PROBE.path });
			expect(request.path).not.toBe('/v3/notifications');
		}
		expect(sb.rapid.undeliverable).toHaveLength(queued);
		expect(sb.rapid.testRequests).toHaveLength(testRequests);
	});

	it('points Production and Test at their public hosts', () => {
		const baseURL = String(new ExpediaRapidApi().test.request.baseURL);
		expect(baseURL).toContain(`: '${RAPID_PRODUCTION_URL}'`);
		expect(baseURL).toContain(`=== 'test' ? '${RAPID_TEST_URL}'`);
	});

	it('says under the keys what the test proves', () => {
		const notice = new ExpediaRapidApi().properties.find((p) => p.name === 'credentialTestNotice');
		expect(notice?.type).toBe('notice');
		expect(notice?.displayName).toMatch(/proves the API key and shared secret are accepted/);
		expect(notice?.displayName).toMatch(/does not send a test notification/);
	});

	it("fails its test when this machine's clock is more than 5 minutes off", async () => {
		const skewed = await startSandbox({ port: 0, clock: () => Date.now() + 10 * 60_000 });
		try {
			const outcome = await runCredentialTest('expediaRapidApi', {
				environment: 'custom',
				baseUrl: skewed.url,
				apiKey: DEFAULT_RAPID_API_KEY,
				sharedSecret: DEFAULT_RAPID_SHARED_SECRET,
			});
			expect(outcome).toEqual({ status: 'Error', message: RAPID_TEST_MESSAGES.unauthenticated });
			expect(outcome.message).toContain('clock');
		} finally {
			await skewed.close();
		}
	});

	describe('fails its test, saying why, when the base URL does not lead to Rapid', () => {
		const notRapid = (code: number) =>
			`The base URL answered HTTP ${code} where Rapid answers 200, so it does not lead to Rapid. Check the base URL.`;
		const cases: Array<[string, Answer, string]> = [
			['404 with a JSON body', json(404, { error: 'Not Found' }), RAPID_TEST_MESSAGES.notFound],
			['404 with an HTML page', html(404, HTML_404), RAPID_TEST_MESSAGES.notFound],
			[
				'500',
				json(500, INTERNAL_500),
				"The server at the base URL failed (HTTP 500). Check the base URL; if it is Rapid's, try again later.",
			],
			[
				'502 with an HTML page',
				html(502, '<h1>Bad Gateway</h1>'),
				expect.stringContaining('(HTTP 502)'),
			],
			['200 with an HTML page', html(200, HTML_PAGE), RAPID_TEST_MESSAGES.notRapidError],
			[
				'200 with JSON of another shape',
				json(200, { ok: true, items: [] }),
				RAPID_TEST_MESSAGES.notRapidError,
			],
			[
				"200 with Rapid's error body",
				json(200, NOTIFICATIONS_400),
				RAPID_TEST_MESSAGES.notRapidError,
			],
			[
				'200 with a language list without English',
				json(200, { fr: { id: 'fr', name: 'French' } }),
				RAPID_TEST_MESSAGES.notRapidError,
			],
			['204 without a body', { status: 204 }, notRapid(204)],
			['405', json(405, { message: 'Method Not Allowed' }), notRapid(405)],
			['400 with an HTML page', html(400, '<h1>Bad Request</h1>'), notRapid(400)],
			["400 with Rapid's error body", json(400, NOTIFICATIONS_400), notRapid(400)],
			['401 from Rapid', json(401, UNAUTHENTICATED_401), RAPID_TEST_MESSAGES.unauthenticated],
			['403 from Rapid', json(403, UNAUTHORIZED_403), RAPID_TEST_MESSAGES.forbidden],
			['429 from Rapid', json(429, TOO_MANY_REQUESTS_429), RAPID_TEST_MESSAGES.throttled],
		];

		it.each(cases)('%s', async (_name, reply, message) => {
			impostor.answer = reply;
			const outcome = await runCredentialTest('expediaRapidApi', {
				environment: 'custom',
				baseUrl: `${impostor.url}/`,
				apiKey: DEFAULT_RAPID_API_KEY,
				sharedSecret: DEFAULT_RAPID_SHARED_SECRET,
			});
			expect(outcome).toEqual({ status: 'Error', message });
			expect(outcome.message).not.toContain(DEFAULT_RAPID_SHARED_SECRET);
			// Signed reads of reference data only (n8n repeats a GET that got 401 once).
			expect(impostor.seen.length).toBeGreaterThanOrEqual(1);
			for (const seen of impostor.seen) {
				expect(seen).toMatchObject({
					method: 'GET',
					url: `${CREDENTIAL_PROBE.path}?language=en-US`,
				});
				expect(seen.headers.authorization).toMatch(/^EAN APIKey=/);
			}
		});
	});

	it("passes its test on exactly Rapid's answer to valid keys, from any server", async () => {
		impostor.answer = json(200, SPOKEN_LANGUAGES_200);
		const outcome = await runCredentialTest('expediaRapidApi', {
			environment: 'custom',
			baseUrl: impostor.url,
			apiKey: DEFAULT_RAPID_API_KEY,
			sharedSecret: DEFAULT_RAPID_SHARED_SECRET,
		});
		expect(outcome).toEqual({ status: 'OK', message: 'Connection successful!' });
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
			message:
				'Atlas rejected the client ID or client secret (status 900). Check both, and that they belong to this environment.',
		});
		expect(outcome.message).not.toContain('wrong');
	});

	it.each([100, 901, 902, 9999, -1, 110])(
		'fails its test on envelope status %d, saying what to do',
		async (status) => {
			sb.faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status, times: 1 });
			const outcome = await runCredentialTest('atlasApi', {
				environment: 'custom',
				baseUrl: sb.url,
				clientId: DEFAULT_ATLAS_CLIENT_ID,
				clientSecret: DEFAULT_ATLAS_CLIENT_SECRET,
			});
			expect(outcome.status).toBe('Error');
			expect(outcome.message).toContain(`status ${status}`);
			expect(outcome.message).toMatch(/Check|Fill in|Try once more|Wait a minute/);
			sb.faults.clear();
		},
	);

	describe('fails its test, saying why, when the base URL does not lead to Atlas', () => {
		const cases: Array<[string, Answer, string]> = [
			['200 with an HTML page', html(200, HTML_PAGE), ATLAS_TEST_MESSAGES.notAtlas],
			[
				'200 with JSON of another shape',
				json(200, { ok: true, data: [] }),
				ATLAS_TEST_MESSAGES.notAtlas,
			],
			['204 without a body', { status: 204 }, ATLAS_TEST_MESSAGES.notAtlas],
			['404 with a JSON body', json(404, { error: 'Not Found' }), ATLAS_TEST_MESSAGES.notFound],
			['404 with an HTML page', html(404, HTML_404), ATLAS_TEST_MESSAGES.notFound],
			[
				'500',
				html(500, '<h1>Internal Server Error</h1>'),
				"The server at the base URL failed (HTTP 500). Check the base URL; if it is Atlas', try again later.",
			],
			['403', html(403, '<h1>Forbidden</h1>'), ATLAS_TEST_MESSAGES.refused(403)],
			[
				'400',
				json(400, { error: 'bad request' }),
				'The base URL answered HTTP 400 where Atlas answers 200, so it does not lead to Atlas. Check the base URL.',
			],
			[
				'an envelope status Atlas does not document',
				json(200, { status: 1234, msg: 'Something else' }),
				ATLAS_TEST_MESSAGES.noIncidentList,
			],
			[
				'status 0 without the incident list',
				json(200, { status: 0, msg: null }),
				ATLAS_TEST_MESSAGES.noIncidentList,
			],
			[
				'status 900 sent as a string',
				json(200, { status: '900', msg: 'Unauthorized' }),
				'Atlas rejected the client ID or client secret (status 900). Check both, and that they belong to this environment.',
			],
		];

		it.each(cases)('%s', async (_name, reply, message) => {
			impostor.answer = reply;
			const outcome = await runCredentialTest('atlasApi', {
				environment: 'custom',
				baseUrl: impostor.url,
				clientId: DEFAULT_ATLAS_CLIENT_ID,
				clientSecret: DEFAULT_ATLAS_CLIENT_SECRET,
			});
			expect(outcome).toEqual({ status: 'Error', message });
			expect(outcome.message).not.toContain(DEFAULT_ATLAS_CLIENT_SECRET);
			expect(impostor.seen).toHaveLength(1);
			expect(impostor.seen[0]).toMatchObject({ method: 'POST', url: '/event/getPageList.do' });
		});
	});

	/** Atlas' answer to valid keys: an empty first page. */
	const testAgainstImpostor = async () =>
		await runCredentialTest('atlasApi', {
			environment: 'custom',
			baseUrl: impostor.url,
			clientId: DEFAULT_ATLAS_CLIENT_ID,
			clientSecret: DEFAULT_ATLAS_CLIENT_SECRET,
		});
	const ATLAS_VALID_KEYS_ANSWER = {
		status: '0',
		msg: null,
		records: [],
		pageIndex: '1',
		pageSize: '1',
		total: '0',
	};

	it.each([600, 699, 999])(
		"fails its test when Atlas' answer to valid keys comes with HTTP %d (not a 2xx)",
		async (status) => {
			impostor.answer = json(status, ATLAS_VALID_KEYS_ANSWER);
			const outcome = await testAgainstImpostor();
			expect(outcome.status).toBe('Error');
		},
	);

	it("passes its test on Atlas' answer to valid keys, from any server", async () => {
		impostor.answer = json(200, ATLAS_VALID_KEYS_ANSWER);
		const outcome = await testAgainstImpostor();
		expect(outcome).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it('points Sandbox at the public Atlas sandbox host', () => {
		const baseURL = String(new AtlasApi().test.request.baseURL);
		expect(baseURL).toContain('https://sandbox.atriptech.com');
	});
});

describe('credential tests never follow a redirect with the keys', () => {
	let elsewhere: AnsweringServer;
	beforeAll(async () => (elsewhere = await startAnsweringServer()));
	afterAll(async () => await elsewhere.close());

	it.each([
		['expediaRapidApi', { apiKey: 'key-1', sharedSecret: 'secret-1' }],
		['atlasApi', { clientId: 'id-1', clientSecret: 'secret-1' }],
	])('%s: a 307 to another origin fails the test and sends nothing there', async (type, keys) => {
		impostor.answer = { status: 307, headers: { location: `${elsewhere.url}/collect` } };
		const outcome = await runCredentialTest(type, {
			environment: 'custom',
			baseUrl: impostor.url,
			...keys,
		});
		expect(outcome.status).toBe('Error');
		expect(outcome.message).toMatch(/redirect|307/);
		expect(elsewhere.seen).toEqual([]);
	});
});

describe('on n8n 1.x, where no status rule runs, every wrong answer still gets our message', () => {
	// n8n 1.123 hands every answer to the body rules (see credentials/testRules.ts). Without the
	// body rules a 404 there would read "The resource you are requesting could not be found".
	const rapid = (baseUrl: string) => ({
		environment: 'custom',
		baseUrl,
		apiKey: DEFAULT_RAPID_API_KEY,
		sharedSecret: DEFAULT_RAPID_SHARED_SECRET,
	});
	const atlas = (baseUrl: string) => ({
		environment: 'custom',
		baseUrl,
		clientId: DEFAULT_ATLAS_CLIENT_ID,
		clientSecret: DEFAULT_ATLAS_CLIENT_SECRET,
	});
	const { notRapidError } = RAPID_TEST_MESSAGES;
	const { notAtlas } = ATLAS_TEST_MESSAGES;
	it.each<[string, 'expediaRapidApi' | 'atlasApi', Answer, string]>([
		['Rapid, 404 with a JSON body', 'expediaRapidApi', json(404, { error: 'x' }), notRapidError],
		['Rapid, 404 with an HTML page', 'expediaRapidApi', html(404, HTML_404), notRapidError],
		['Rapid, 400 with an HTML page', 'expediaRapidApi', html(400, '<h1>Bad</h1>'), notRapidError],
		[
			"Rapid, 400 with Rapid's error body",
			'expediaRapidApi',
			json(400, NOTIFICATIONS_400),
			notRapidError,
		],
		[
			'Rapid, 502 with an HTML page',
			'expediaRapidApi',
			html(502, '<h1>Bad Gateway</h1>'),
			notRapidError,
		],
		['Rapid, 307', 'expediaRapidApi', { status: 307, headers: { location: '/x' } }, notRapidError],
		[
			'Rapid, its 401',
			'expediaRapidApi',
			json(401, UNAUTHENTICATED_401),
			RAPID_TEST_MESSAGES.unauthenticated,
		],
		[
			'Rapid, its 403',
			'expediaRapidApi',
			json(403, UNAUTHORIZED_403),
			RAPID_TEST_MESSAGES.forbidden,
		],
		[
			'Rapid, its 429',
			'expediaRapidApi',
			json(429, TOO_MANY_REQUESTS_429),
			RAPID_TEST_MESSAGES.throttled,
		],
		['Rapid, its 500', 'expediaRapidApi', json(500, INTERNAL_500), RAPID_TEST_MESSAGES.failed],
		['Rapid, its 503', 'expediaRapidApi', json(503, UNAVAILABLE_503), RAPID_TEST_MESSAGES.failed],
		['Atlas, 404 with an HTML page', 'atlasApi', html(404, HTML_404), notAtlas],
		['Atlas, 404 with a JSON body', 'atlasApi', json(404, { error: 'x' }), notAtlas],
		['Atlas, 403', 'atlasApi', html(403, '<h1>Forbidden</h1>'), notAtlas],
		['Atlas, 500', 'atlasApi', html(500, '<h1>Error</h1>'), notAtlas],
		['Atlas, 307', 'atlasApi', { status: 307, headers: { location: '/x' } }, notAtlas],
	])('%s', async (_name, type, reply, message) => {
		impostor.answer = reply;
		const data = type === 'atlasApi' ? atlas(impostor.url) : rapid(impostor.url);
		expect(await runCredentialTest(type, data, { n8nMajor: 1 })).toEqual({
			status: 'Error',
			message,
		});
	});

	it.each([
		['expediaRapidApi', json(200, SPOKEN_LANGUAGES_200)],
		[
			'atlasApi',
			json(200, { status: '0', msg: null, records: [], pageIndex: '1', pageSize: '1', total: '0' }),
		],
	] as Array<[string, Answer]>)('%s: the right answer passes', async (type, reply) => {
		impostor.answer = reply;
		const data = type === 'atlasApi' ? atlas(impostor.url) : rapid(impostor.url);
		expect(await runCredentialTest(type, data, { n8nMajor: 1 })).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
	});

	it("a test request without ignoreHttpStatusErrors shows n8n's own text there (why both set it)", async () => {
		impostor.answer = html(404, HTML_404);
		const declared = credentialTypes.atlasApi.test as ICredentialTestRequest;
		const request = { ...declared.request };
		delete request.ignoreHttpStatusErrors;
		credentialTypes.atlasApi.test = { ...declared, request };
		try {
			const outcome = await runCredentialTest('atlasApi', atlas(impostor.url), { n8nMajor: 1 });
			expect(outcome).toEqual({
				status: 'Error',
				message: 'The resource you are requesting could not be found',
			});
		} finally {
			credentialTypes.atlasApi.test = declared;
		}
	});
});
