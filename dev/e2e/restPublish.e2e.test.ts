/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling: never shipped, runs under plain Node.js */
/**
 * How `npm start` fills n8n (dev/n8n/stack.ts publishThroughRest), against a real n8n: the demo's
 * credentials and example workflows go in through n8n's REST API once it runs, under the examples'
 * own workflow IDs, published; a second run updates them in place; a workflow n8n refuses to
 * publish fails the run by name.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startSandbox, type Sandbox } from '../sandbox';
import { installPackage } from '../n8n/install';
import { startN8n, type RunningN8n } from '../n8n/process';
import { N8nRestClient } from '../n8n/rest';
import { ensureN8nRuntime } from '../n8n/runtime';
import {
	loadExamples,
	publishThroughRest,
	RAPID_EXAMPLE_ID,
	sandboxCredentials,
	twoNodeWorkflow,
	webhookUrl,
	type WorkflowFile,
} from '../n8n/stack';
import { findFreePort } from '../n8n/util';
import { webhookRegistered } from './harness';

let userFolder: string;
let sandbox: Sandbox;
let n8n: RunningN8n;
let rest: N8nRestClient;
const examples = loadExamples();

beforeAll(async () => {
	const runtime = await ensureN8nRuntime();
	userFolder = mkdtempSync(join(tmpdir(), 'travel-ops-rest-publish-'));
	sandbox = await startSandbox({ port: 0 });
	await installPackage(userFolder);
	n8n = await startN8n({
		userFolder,
		port: await findFreePort(),
		brokerPort: await findFreePort(),
		runtime,
	});
	rest = new N8nRestClient(n8n.url);
	await rest.ensureOwner();
}, 10 * 60_000);

afterAll(async () => {
	await n8n?.stop();
	await sandbox?.close();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
}, 120_000);

/** The credential IDs the stored workflow's nodes point at. */
async function credentialIdsOf(workflowId: string): Promise<string[]> {
	const stored = (await rest.workflow(workflowId)) as unknown as WorkflowFile | undefined;
	return (stored?.nodes ?? []).flatMap((node) =>
		Object.values((node.credentials ?? {}) as Record<string, { id: string }>).map((c) => c.id),
	);
}

it('stores every example under its own ID, published, its nodes on the credentials n8n created', async () => {
	const credentials = sandboxCredentials(sandbox.url, sandbox.smtpPort);
	const { published } = await publishThroughRest(rest, { credentials, workflows: examples });

	expect(published.sort()).toEqual(examples.map((w) => w.id).sort());
	const stored = await rest.workflows();
	for (const example of examples) {
		expect(stored.find((w) => w.id === example.id)).toMatchObject({ active: true });
	}
	const created = await rest.credentials();
	expect(created.map((c) => c.name).sort()).toEqual(credentials.map((c) => c.name).sort());
	const createdIds = new Set(created.map((c) => c.id));
	const used = await credentialIdsOf(RAPID_EXAMPLE_ID);
	expect(used.length).toBeGreaterThan(0);
	for (const id of used) expect(createdIds).toContain(id);
	// Published means its production webhook answers (a 401 for this unsigned probe, not 404).
	const example01 = examples.find((w) => w.id === RAPID_EXAMPLE_ID);
	if (!example01) throw new Error('examples/ has no example 01');
	await webhookRegistered(webhookUrl(n8n.url, example01), 30_000);
});

it('a second run updates credentials and workflows in place', async () => {
	const before = await rest.credentials();
	const moved = sandboxCredentials('http://127.0.0.1:9', sandbox.smtpPort);
	const { published } = await publishThroughRest(rest, { credentials: moved, workflows: examples });

	expect(published.length).toBe(examples.length);
	const after = await rest.credentials();
	expect(after.map((c) => c.id).sort()).toEqual(before.map((c) => c.id).sort());
	expect((await rest.workflows()).filter((w) => w.active).length).toBeGreaterThanOrEqual(
		examples.length,
	);
});

it('fails naming the workflow n8n refuses to publish', async () => {
	const broken = twoNodeWorkflow('TravelOpsBroken', 'A node n8n does not have', {
		parameters: {},
		name: 'Nowhere',
		type: 'n8n-nodes-travel-ops.noSuchTrigger',
		typeVersion: 1,
		position: [0, 0],
	});
	await expect(publishThroughRest(rest, { credentials: [], workflows: [broken] })).rejects.toThrow(
		/TravelOpsBroken/,
	);
});
