/**
 * The Atlas credential test and the Atlas nodes read Atlas' incident page by one rule: the test
 * passes on every page the nodes read, and fails only on pages they refuse.
 */
import fc from 'fast-check';
import type { IAuthenticateRuleResponseSuccessBody, IDataObject } from 'n8n-workflow';

import { AtlasApi, ATLAS_TEST_MESSAGES } from '../../credentials/AtlasApi.credentials';
import { Atlas } from '../../nodes/Atlas/Atlas.node';
import { readIncidentPage } from '../../nodes/Atlas/incidents';
import { DEFAULT_ATLAS_CLIENT_ID, DEFAULT_ATLAS_CLIENT_SECRET } from '../../dev/sandbox';
import { jsonAnswer, startAnsweringServer, type AnsweringServer } from '../helpers/answeringServer';
import { runCredentialTest } from '../helpers/credentialTest';
import { executeNode } from '../helpers/n8n';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

let atlas: AnsweringServer;
beforeAll(async () => {
	atlas = await startAnsweringServer();
});
afterAll(async () => {
	await atlas.close();
});

const CREDENTIAL = () => ({
	environment: 'custom',
	baseUrl: atlas.url,
	clientId: DEFAULT_ATLAS_CLIENT_ID,
	clientSecret: DEFAULT_ATLAS_CLIENT_SECRET,
});

/** The credential test, run as n8n runs it, against a server that answers `page`. */
async function credentialTestOn(page: IDataObject) {
	atlas.answer = jsonAnswer(200, page);
	return await runCredentialTest('atlasApi', CREDENTIAL());
}

const READ_BY_THE_NODES: Array<[string, IDataObject]> = [
	['no incidents, records null', { status: 0, msg: null, total: 0, records: null }],
	['no incidents, records null, as strings', { status: '0', total: '0', records: null }],
	['no incidents, no records field', { status: 0, total: 0 }],
	['no incidents, an empty list', { status: 0, total: '0', records: [] }],
	['one incident', { status: 0, total: '1', records: [{ eventId: 'E1', eventStatus: '0' }] }],
];

const REFUSED_BY_THE_NODES: Array<[string, IDataObject]> = [
	['no total', { status: 0, msg: null, records: [] }],
	['a null total', { status: 0, total: null, records: null }],
	['a blank total', { status: '0', total: '', records: [] }],
];

describe('Atlas API credential: the incident page', () => {
	it.each(READ_BY_THE_NODES)('passes on a page the nodes read: %s', async (_name, page) => {
		expect(readIncidentPage(page).ok).toBe(true);
		expect(await credentialTestOn(page)).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
	});

	it.each(REFUSED_BY_THE_NODES)('fails on a page the nodes refuse: %s', async (_name, page) => {
		expect(readIncidentPage(page).ok).toBe(false);
		expect(await credentialTestOn(page)).toEqual({
			status: 'Error',
			message: ATLAS_TEST_MESSAGES.noIncidentList,
		});
	});

	it('never fails on a page the nodes read, and fails only on pages they refuse', () => {
		const bodyRules = (new AtlasApi().test.rules ?? []).filter(
			(rule): rule is IAuthenticateRuleResponseSuccessBody => rule.type === 'responseSuccessBody',
		);
		// As n8n applies them: the first rule whose field equals its value fails the test.
		const failsTest = (page: IDataObject) =>
			bodyRules.some((rule) => page[rule.properties.key] === rule.properties.value);
		const value = fc.oneof(
			fc.constantFrom(undefined, null, '', '0', '3', '-1', '1.5', 'x', 0, 3, -1, 1.5, true),
			fc.array(fc.oneof(fc.constant({ eventId: 'E1' }), fc.constant(null), fc.string()), {
				maxLength: 3,
			}),
		);
		fc.assert(
			fc.property(value, value, (total, records) => {
				const page: IDataObject = { status: 0, msg: null };
				if (total !== undefined) page.total = total as IDataObject[string];
				if (records !== undefined) page.records = records as IDataObject[string];
				const reading = readIncidentPage(page);
				if (reading.ok) expect(failsTest(page)).toBe(false);
				if (failsTest(page)) expect(reading.ok).toBe(false);
			}),
			{ numRuns: 2000 },
		);
	});
});

describe('Atlas API credential and nodes: a page that starts with a UTF-8 byte order mark', () => {
	it('is read by the nodes, as the credential test reads it', async () => {
		const page = { status: 0, msg: null, total: 1, records: [{ eventId: 'E1', eventStatus: '0' }] };
		atlas.answer = {
			status: 200,
			contentType: 'application/json',
			body: `\uFEFF${JSON.stringify(page)}`,
		};
		const [items] = await executeNode({
			nodeType: new Atlas(),
			parameters: { resource: 'incident', operation: 'getMany', returnAll: true },
			credentials: { atlasApi: CREDENTIAL() },
		});
		expect(items.map((item) => item.json.eventId)).toEqual(['E1']);
		expect(await runCredentialTest('atlasApi', CREDENTIAL())).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
	});
});
