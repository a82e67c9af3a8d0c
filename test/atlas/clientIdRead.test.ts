/**
 * The Atlas Trigger's client ID check without a credential read on every call: setting the trigger
 * up keeps a copy of the credential's client ID in the node's static data, production calls check
 * against it, and a call whose client ID differs from it checks the credential and renews it. What
 * could break the promise ("events carrying another client ID than the credential's are refused",
 * and a corrected credential counts): a copy of another credential or shape, a credential changed
 * after publishing, a test-URL call or a Shared Token setting trusting the copy, a credential that
 * cannot be read, a secret landing in static data.
 */
import type {
	IDataObject,
	INodeParameters,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { CLIENT_ID_KEY } from '../../nodes/Atlas/AtlasTriggerHelpers';
import { sleep } from 'n8n-workflow';
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

const staticDataKeeping = (copy: unknown): IDataObject => ({
	[NODE_KEY]: { [CLIENT_ID_KEY]: copy } as IDataObject,
});
const copyIn = (staticData: IDataObject) =>
	(staticData[NODE_KEY] as IDataObject | undefined)?.[CLIENT_ID_KEY];

/** n8n publishing the workflow (or listening for a test event): checkExists() runs first. */
async function activate(
	credential: Credential,
	staticData: IDataObject,
	{
		test = false,
		activation = 'activate' as WorkflowActivateMode,
		parameters = {} as INodeParameters,
	} = {},
) {
	const context = createHookContext({
		nodeType: trigger,
		parameters,
		credentials: { atlasApi: credential.data },
		staticData,
		isTest: test,
		mode: test ? 'manual' : 'trigger',
		activation: test ? 'manual' : activation,
	});
	await trigger.webhookMethods.default.checkExists.call(context);
}

/** A workflow published with the credential's client ID CID: its credential and static data. */
async function published() {
	const credential = atlasCredential(CID);
	const staticData: IDataObject = {};
	await activate(credential, staticData);
	return { credential, staticData };
}

/** An event with `cid` as n8n hands it to the production URL (or the test URL). */
async function post(
	credential: Credential,
	staticData: IDataObject,
	cid: string,
	{
		mode = 'webhook',
		parameters = {},
		query = {},
	}: { mode?: WorkflowExecuteMode; parameters?: INodeParameters; query?: IDataObject } = {},
) {
	const { context, response } = createWebhookContext({
		nodeType: trigger,
		parameters,
		credentials: { atlasApi: credential.data },
		staticData,
		mode,
		request: {
			headers: { 'content-type': 'application/json' },
			query,
			// A new notification ID per call: the duplicate window (on) must not decide anything here.
			rawBody: Buffer.from(
				JSON.stringify({
					...SAMPLE_EVENTS['order.ticketed'],
					notificationId: `N-${++sent}`,
					cid,
				}),
			),
		},
	});
	const result = await trigger.webhook.call(context);
	return { emitted: (result.workflowData?.[0] ?? []).length === 1, result, response };
}
let sent = 0;

function expectRefused(call: Awaited<ReturnType<typeof post>>) {
	expectNoEvent(call.result);
	expect(call.response.statusCode).toBe(403);
}

const copyOf = (clientId: unknown) => ({ credentialId: CREDENTIAL_ID, clientId });

describe('Atlas Trigger: publishing keeps a copy of the client ID', () => {
	it.each(['activate', 'update', 'init', 'leadershipChange'] as WorkflowActivateMode[])(
		'keeps the credential and its client ID on activation "%s", nothing secret',
		async (activation) => {
			const credential = atlasCredential(CID);
			const staticData: IDataObject = {};
			await activate(credential, staticData, { activation });
			expect(copyIn(staticData)).toEqual(copyOf(CID));
			const stored = JSON.stringify(staticData);
			expect(stored).not.toContain(SECRET);
			expect(stored).not.toContain(TOKEN);
		},
	);

	it('keeps nothing when listening for a test event', async () => {
		const staticData: IDataObject = {};
		await activate(atlasCredential(CID), staticData, { test: true });
		expect(copyIn(staticData)).toBeUndefined();
	});

	it.each([
		['Expected Client ID', { options: { expectedClientId: CID } }],
		['the Shared Token', { tokenLocation: 'query' }],
	])(
		"leaves production's copy alone when listening for a test event with %s",
		async (_c, parameters) => {
			const staticData = staticDataKeeping(copyOf(CID));
			await activate(atlasCredential(OTHER), staticData, { test: true, parameters });
			expect(copyIn(staticData)).toEqual(copyOf(CID));
		},
	);

	it('writes nothing when set up again with the same copy', async () => {
		const staticData: IDataObject = {};
		await activate(atlasCredential(CID), staticData);
		await activate(atlasCredential(CID), staticData);
		expect((staticData as { __dataChanged?: boolean }).__dataChanged).toBe(false);
	});

	it('writes nothing when set up with Expected Client ID and no copy to remove', async () => {
		const staticData: IDataObject = { [NODE_KEY]: { other: 1 } };
		await activate(atlasCredential(CID), staticData, {
			parameters: { options: { expectedClientId: CID } },
		});
		expect((staticData as { __dataChanged?: boolean }).__dataChanged).toBe(false);
	});
});

describe('Atlas Trigger: production calls check the copy', () => {
	it('reads no credential and writes nothing while the copy matches', async () => {
		const { credential, staticData } = await published();
		const copyBefore = copyIn(staticData);
		for (let i = 0; i < 5; i++)
			expect((await post(credential, staticData, CID)).emitted).toBe(true);
		expect(credential.reads).toBe(1); // the activation's
		// Not even assigned again (the duplicate window, on, writes its own key).
		expect(copyIn(staticData)).toBe(copyBefore);
		expect(copyIn(staticData)).toEqual(copyOf(CID));
	});

	it('accepts a corrected client ID at once and refuses the old one from then on', async () => {
		const { credential, staticData } = await published();
		credential.current = OTHER;
		// Until an event carries the new client ID (or n8n sets the trigger up again), the copy
		// still holds the old one: events carrying it pass (the documented trade-off).
		expect((await post(credential, staticData, CID)).emitted).toBe(true);
		expect((await post(credential, staticData, OTHER)).emitted).toBe(true);
		expect(copyIn(staticData)).toEqual(copyOf(OTHER));
		expectRefused(await post(credential, staticData, CID));
		const reads = credential.reads;
		expect((await post(credential, staticData, OTHER)).emitted).toBe(true);
		expect(credential.reads).toBe(reads); // the renewed copy serves again
	});

	it('marks the renewed copy for saving again after n8n clears the mark (Drop Duplicates off)', async () => {
		const { credential, staticData } = await published();
		credential.current = OTHER;
		const noWindow = { parameters: { options: { dropDuplicates: false } } };
		expect((await post(credential, staticData, OTHER, noWindow)).emitted).toBe(true);
		// n8n clears the mark when it starts the execution; only a later mark gets the copy saved.
		const root = staticData as IDataObject & { __dataChanged: boolean };
		root.__dataChanged = false;
		for (let waited = 0; !root.__dataChanged && waited < 3000; waited += 20) await sleep(20);
		expect(root.__dataChanged).toBe(true);
	});

	it('refuses an unrelated client ID after the credential changed, and leaves the copy alone', async () => {
		const { credential, staticData } = await published();
		credential.current = OTHER;
		const copyBefore = copyIn(staticData);
		expectRefused(await post(credential, staticData, 'atlas-unrelated-client'));
		expect(copyIn(staticData)).toBe(copyBefore);
	});

	it('refuses a client ID that neither the copy nor the credential has', async () => {
		const { credential, staticData } = await published();
		expectRefused(await post(credential, staticData, OTHER));
		expect(credential.reads).toBe(2); // activation, then the mismatching call
		expect(copyIn(staticData)).toEqual(copyOf(CID));
	});

	it('refuses the mismatching call when the credential cannot be read, and says why', async () => {
		const { credential, staticData } = await published();
		credential.failing = true;
		const call = await post(credential, staticData, OTHER, {
			parameters: { options: { reportRefusals: true } },
		});
		expectRefused(call);
		expect(JSON.stringify(call.result)).toContain('could not be read');
	});

	// Each copy holds the right client ID: only its credential or shape makes it unusable.
	it.each([
		['of another credential', { ...copyOf(CID), credentialId: 'another-credential' }],
		['without a credential', { clientId: CID }],
		['whose client ID is not text', copyOf(42)],
		['that is null', null],
		['that is text', CID],
	])(
		'reads the credential on every call, and writes nothing, when the copy is one %s',
		async (_case, copy) => {
			const credential = atlasCredential(CID);
			const staticData = staticDataKeeping(copy);
			expect((await post(credential, staticData, CID)).emitted).toBe(true);
			expect((await post(credential, staticData, CID)).emitted).toBe(true);
			expect(credential.reads).toBe(2);
			expect(copyIn(staticData)).toEqual(copy);
			expectRefused(await post(credential, staticData, OTHER));
		},
	);

	it('reads the credential on every call without a copy (a trigger set up by an earlier version)', async () => {
		const credential = atlasCredential(CID);
		const staticData: IDataObject = {};
		expect((await post(credential, staticData, CID)).emitted).toBe(true);
		expectRefused(await post(credential, staticData, OTHER));
		expect(credential.reads).toBe(2);
		expect(copyIn(staticData)).toBeUndefined();
	});

	it("makes a test-URL call check the credential, not production's copy, and write nothing", async () => {
		const credential = atlasCredential(CID);
		const staticData = staticDataKeeping(copyOf(OTHER));
		expectRefused(await post(credential, staticData, OTHER, { mode: 'manual' }));
		expect((await post(credential, staticData, CID, { mode: 'manual' })).emitted).toBe(true);
		expect(credential.reads).toBe(2);
		expect(copyIn(staticData)).toEqual(copyOf(OTHER));
	});

	it('with the Shared Token on, checks the credential read for the token, not the copy', async () => {
		const credential = atlasCredential(CID);
		const staticData = staticDataKeeping(copyOf(OTHER));
		const withToken = { parameters: { tokenLocation: 'query' }, query: { token: TOKEN } };
		expectRefused(await post(credential, staticData, OTHER, withToken));
		expect((await post(credential, staticData, CID, withToken)).emitted).toBe(true);
		expect(credential.reads).toBe(2);
	});

	it('reads no credential with Expected Client ID set', async () => {
		const credential = atlasCredential('ignored');
		const call = await post(credential, {}, CID, {
			parameters: { options: { expectedClientId: CID } },
		});
		expect(call.emitted).toBe(true);
		expect(credential.reads).toBe(0);
	});
});
