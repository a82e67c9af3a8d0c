/**
 * The Atlas Trigger's client ID check without a credential read on every call: production calls
 * keep the credential's client ID in the node's static data for a minute. What could break the
 * promise ("events carrying another client ID are refused"): a kept value that outlives a change
 * of the credential, of the node's credential, or of the clock; a kept value of another shape; a
 * test-URL call trusting production's value; a secret landing in static data.
 */
import type { IDataObject, WorkflowExecuteMode } from 'n8n-workflow';

import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { CLIENT_ID_KEY, CLIENT_ID_REREAD_MS } from '../../nodes/Atlas/AtlasTriggerHelpers';
import { createWebhookContext } from '../helpers/n8n';
import { expectNoEvent } from '../helpers/refusals';
import { CID, SAMPLE_EVENTS } from './fixtures';

const trigger = new AtlasTrigger();
const NODE_KEY = 'node:Atlas Trigger';
const SECRET = 'client-secret-never-kept';
const TOKEN = 'webhook-token-never-kept';

/** The credential as n8n decrypts it; `reads` counts the decryptions (one per getCredentials). */
function atlasCredential(clientId: string) {
	const credential = {
		current: clientId,
		reads: 0,
		data: {
			environment: 'custom',
			baseUrl: 'http://127.0.0.1:9',
			get clientId() {
				credential.reads++;
				return credential.current;
			},
			clientSecret: SECRET,
			webhookToken: TOKEN,
		},
	};
	return credential;
}

const event = (cid: string) => ({ ...SAMPLE_EVENTS['order.ticketed'], cid });

let now = Date.parse('2026-12-07T12:00:00Z');
beforeEach(() => {
	now = Date.parse('2026-12-07T12:00:00Z');
	jest.spyOn(Date, 'now').mockImplementation(() => now);
});
afterEach(() => jest.restoreAllMocks());

async function post(
	credential: ReturnType<typeof atlasCredential>,
	staticData: IDataObject,
	cid: string,
	{ mode = 'webhook', options = {} }: { mode?: WorkflowExecuteMode; options?: IDataObject } = {},
) {
	const { context, response } = createWebhookContext({
		nodeType: trigger,
		// Each event is new: the duplicate window must not decide anything here.
		parameters: { options: { dropDuplicates: false, ...options } },
		credentials: { atlasApi: credential.data },
		staticData,
		mode,
		request: {
			headers: { 'content-type': 'application/json' },
			rawBody: Buffer.from(JSON.stringify(event(cid))),
		},
	});
	const result = await trigger.webhook.call(context);
	return { emitted: (result.workflowData?.[0] ?? []).length === 1, result, response };
}

const kept = (staticData: IDataObject) =>
	(staticData[NODE_KEY] as IDataObject | undefined)?.[CLIENT_ID_KEY] as IDataObject | undefined;

describe('Atlas Trigger: the client ID check reads the credential once a minute', () => {
	it('reads the credential on the first production call, then again only after a minute', async () => {
		const credential = atlasCredential(CID);
		const staticData: IDataObject = {};
		for (let i = 0; i < 5; i++)
			expect((await post(credential, staticData, CID)).emitted).toBe(true);
		expect(credential.reads).toBe(1);

		now += CLIENT_ID_REREAD_MS - 1;
		expect((await post(credential, staticData, CID)).emitted).toBe(true);
		expect(credential.reads).toBe(1);

		now += 1;
		expect((await post(credential, staticData, CID)).emitted).toBe(true);
		expect(credential.reads).toBe(2);
	});

	it('applies a changed client ID within a minute, and refuses the old one from then on', async () => {
		const credential = atlasCredential(CID);
		const staticData: IDataObject = {};
		await post(credential, staticData, CID);
		credential.current = 'atlas-other-client';

		now += CLIENT_ID_REREAD_MS;
		expect((await post(credential, staticData, 'atlas-other-client')).emitted).toBe(true);
		const old = await post(credential, staticData, CID);
		expectNoEvent(old.result);
		expect(old.response.statusCode).toBe(403);
	});

	it.each([
		['the node now uses another credential', { credentialId: 'another-credential' }],
		['the clock went back', { readAt: Date.parse('2026-12-07T12:10:00Z') }],
		['the kept client ID is not text', { clientId: 42 }],
		['the kept time is missing', { readAt: undefined }],
	])('reads the credential at once when %s', async (_case, change) => {
		const credential = atlasCredential('atlas-new-client');
		const keptValue = { credentialId: 'atlasApi', clientId: CID, readAt: now, ...change };
		const staticData: IDataObject = { [NODE_KEY]: { [CLIENT_ID_KEY]: keptValue } };
		const call = await post(credential, staticData, CID);
		expect(credential.reads).toBe(1);
		expectNoEvent(call.result);
		expect(call.response.statusCode).toBe(403);
		expect(kept(staticData)).toEqual({
			credentialId: 'atlasApi',
			clientId: 'atlas-new-client',
			readAt: now,
		});
	});

	it('trusts a kept value of the same credential (the case above, unchanged)', async () => {
		const credential = atlasCredential('atlas-new-client');
		const keptValue = { credentialId: 'atlasApi', clientId: CID, readAt: now };
		const staticData: IDataObject = { [NODE_KEY]: { [CLIENT_ID_KEY]: keptValue } };
		expect((await post(credential, staticData, CID)).emitted).toBe(true);
		expect(credential.reads).toBe(0);
	});

	it('keeps the client ID only: no secret, no token in static data', async () => {
		const credential = atlasCredential(CID);
		const staticData: IDataObject = {};
		await post(credential, staticData, CID);
		expect(Object.keys(kept(staticData) ?? {}).sort()).toEqual([
			'clientId',
			'credentialId',
			'readAt',
		]);
		const stored = JSON.stringify(staticData);
		expect(stored).not.toContain(SECRET);
		expect(stored).not.toContain(TOKEN);
	});

	it('reads the credential on every test-URL call and keeps nothing', async () => {
		const credential = atlasCredential(CID);
		const staticData: IDataObject = {};
		await post(credential, staticData, CID, { mode: 'manual' });
		credential.current = 'atlas-other-client';
		const second = await post(credential, staticData, CID, { mode: 'manual' });
		expect(credential.reads).toBe(2);
		expectNoEvent(second.result);
		expect(second.response.statusCode).toBe(403);
		expect(kept(staticData)).toBeUndefined();
	});

	it('reads no credential with Expected Client ID set', async () => {
		const credential = atlasCredential('ignored');
		const staticData: IDataObject = {};
		const call = await post(credential, staticData, CID, { options: { expectedClientId: CID } });
		expect(call.emitted).toBe(true);
		expect(credential.reads).toBe(0);
		expect(kept(staticData)).toBeUndefined();
	});
});
