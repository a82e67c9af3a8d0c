/**
 * The Atlas Trigger's client ID check without a credential read on every call: publishing keeps
 * the credential's client ID in the node's static data, and production calls check against it.
 * What could break the promise ("events carrying another client ID than the credential's are
 * refused", and a corrected credential counts): a kept value of another credential or shape, a
 * credential corrected after publishing, a test-URL call trusting production's copy, a call that
 * writes static data, a secret landing in static data.
 */
import type { IDataObject, WorkflowExecuteMode } from 'n8n-workflow';

import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { CLIENT_ID_KEY } from '../../nodes/Atlas/AtlasTriggerHelpers';
import { createHookContext, createWebhookContext } from '../helpers/n8n';
import { expectNoEvent } from '../helpers/refusals';
import { CID, SAMPLE_EVENTS } from './fixtures';

const trigger = new AtlasTrigger();
const NODE_KEY = 'node:Atlas Trigger';
const SECRET = 'client-secret-never-kept';
const TOKEN = 'webhook-token-never-kept';
/** The test helpers give a node's credential the id of its type. */
const CREDENTIAL_ID = 'atlasApi';
const OTHER = 'atlas-other-client';

/** The credential as n8n decrypts it; `reads` counts the decryptions (one per getCredentials). */
function atlasCredential(clientId: string) {
	const credential = {
		current: clientId,
		reads: 0,
		failing: false,
		data: {
			environment: 'custom',
			baseUrl: 'http://127.0.0.1:9',
			get clientId() {
				credential.reads++;
				if (credential.failing) throw new Error('Credential could not be decrypted');
				return credential.current;
			},
			clientSecret: SECRET,
			webhookToken: TOKEN,
		},
	};
	return credential;
}
type Credential = ReturnType<typeof atlasCredential>;

const staticDataKeeping = (kept: unknown): IDataObject => ({
	[NODE_KEY]: { [CLIENT_ID_KEY]: kept } as IDataObject,
});
const kept = (staticData: IDataObject) =>
	(staticData[NODE_KEY] as IDataObject | undefined)?.[CLIENT_ID_KEY];

/** n8n publishing the workflow (or listening for a test event): checkExists() runs first. */
async function activate(
	credential: Credential,
	staticData: IDataObject,
	{ test = false, options = {} as IDataObject, requireClientId = true } = {},
) {
	const context = createHookContext({
		nodeType: trigger,
		parameters: { requireClientId, options },
		credentials: { atlasApi: credential.data },
		staticData,
		isTest: test,
		mode: test ? 'manual' : 'trigger',
		activation: test ? 'manual' : 'activate',
	});
	await trigger.webhookMethods.default.checkExists.call(context);
}

/** An event with `cid` as n8n hands it to the production URL (or the test URL). */
async function post(
	credential: Credential,
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
			rawBody: Buffer.from(JSON.stringify({ ...SAMPLE_EVENTS['order.ticketed'], cid })),
		},
	});
	const result = await trigger.webhook.call(context);
	return { emitted: (result.workflowData?.[0] ?? []).length === 1, result, response };
}

function expectRefused(call: Awaited<ReturnType<typeof post>>) {
	expectNoEvent(call.result);
	expect(call.response.statusCode).toBe(403);
}

describe('Atlas Trigger: publishing keeps the client ID the calls check', () => {
	it('keeps the credential and its client ID when published, and nothing secret', async () => {
		const credential = atlasCredential(CID);
		const staticData: IDataObject = {};
		await activate(credential, staticData);
		expect(kept(staticData)).toEqual({ credentialId: CREDENTIAL_ID, clientId: CID });
		const stored = JSON.stringify(staticData);
		expect(stored).not.toContain(SECRET);
		expect(stored).not.toContain(TOKEN);
	});

	it('keeps nothing when listening for a test event', async () => {
		const staticData: IDataObject = {};
		await activate(atlasCredential(CID), staticData, { test: true });
		expect(kept(staticData)).toBeUndefined();
	});

	it.each([
		['Expected Client ID is given', { options: { expectedClientId: CID } }],
		['Require Client ID Match is off', { requireClientId: false }],
	])('removes the kept copy when %s', async (_case, settings) => {
		const staticData = staticDataKeeping({ credentialId: CREDENTIAL_ID, clientId: CID });
		await activate(atlasCredential(CID), staticData, settings);
		expect(kept(staticData)).toBeUndefined();
	});
});

describe('Atlas Trigger: production calls check the kept client ID', () => {
	it('reads no credential and writes nothing while the kept client ID matches', async () => {
		const credential = atlasCredential(CID);
		const staticData: IDataObject = {};
		await activate(credential, staticData);
		const before = JSON.stringify(staticData);
		for (let i = 0; i < 5; i++)
			expect((await post(credential, staticData, CID)).emitted).toBe(true);
		expect(credential.reads).toBe(1); // the activation's
		expect(JSON.stringify(staticData)).toBe(before);
	});

	it('accepts the corrected client ID at once when the credential changes after publishing', async () => {
		const credential = atlasCredential(CID);
		const staticData: IDataObject = {};
		await activate(credential, staticData);
		credential.current = OTHER;
		expect((await post(credential, staticData, OTHER)).emitted).toBe(true);
		// Written only at activation: the next publish keeps the new value.
		expect(kept(staticData)).toEqual({ credentialId: CREDENTIAL_ID, clientId: CID });
	});

	it('refuses a client ID that neither the kept copy nor the credential has', async () => {
		const credential = atlasCredential(CID);
		const staticData: IDataObject = {};
		await activate(credential, staticData);
		expectRefused(await post(credential, staticData, OTHER));
		expect(credential.reads).toBe(2); // activation, then the mismatching call
	});

	it('refuses the mismatching call when the credential cannot be read', async () => {
		const credential = atlasCredential(CID);
		const staticData: IDataObject = {};
		await activate(credential, staticData);
		credential.failing = true;
		expectRefused(await post(credential, staticData, OTHER));
	});

	it.each([
		['of another credential', { credentialId: 'another-credential', clientId: OTHER }],
		['without a credential', { clientId: OTHER }],
		['whose client ID is not text', { credentialId: CREDENTIAL_ID, clientId: 42 }],
		['that is null', null],
		['that is text', OTHER],
	])('reads the credential on each call when the kept value is one %s', async (_case, value) => {
		const credential = atlasCredential(CID);
		const staticData = staticDataKeeping(value);
		expect((await post(credential, staticData, CID)).emitted).toBe(true);
		expect((await post(credential, staticData, CID)).emitted).toBe(true);
		expect(credential.reads).toBe(2);
		expectRefused(await post(credential, staticData, OTHER));
	});

	it("makes a test-URL call check the credential, not production's copy", async () => {
		const credential = atlasCredential(CID);
		const staticData = staticDataKeeping({ credentialId: CREDENTIAL_ID, clientId: OTHER });
		expectRefused(await post(credential, staticData, OTHER, { mode: 'manual' }));
		expect((await post(credential, staticData, CID, { mode: 'manual' })).emitted).toBe(true);
		expect(credential.reads).toBe(2);
	});

	it('reads no credential with Expected Client ID set', async () => {
		const credential = atlasCredential('ignored');
		const call = await post(credential, {}, CID, { options: { expectedClientId: CID } });
		expect(call.emitted).toBe(true);
		expect(credential.reads).toBe(0);
	});
});
