/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling: never shipped, runs under plain Node.js */
/**
 * The demo / e2e stack: this package installed into a real n8n user folder, credentials that point
 * at the sandbox, the workflows imported and published: by `npm start` through the running n8n's
 * REST API (publishThroughRest), by the e2e, queue and bench suites with the n8n CLI before n8n
 * starts (prepareUserFolder). Both take the same credentials and workflows, so what the tests prove
 * is what the demo runs.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	HOST,
} from '../sandbox';
import { FAKE_SLACK_TOKEN } from './fakeSlack';
import { installPackage, type InstallResult } from './install';
import { publishWorkflow, runN8nCli } from './process';
import type { N8nRestClient, StoredWorkflow } from './rest';
import type { N8nRuntime } from './runtime';
import { REPO_ROOT } from './util';

/**
 * The longest workflow ID whose static data n8n saves on every version we test: n8n 1.123.81 saves
 * none beyond 16 characters (isWorkflowIdValid in n8n/dist/utils.js; 2.40.7 allows 21), so a
 * longer ID loses the triggers' duplicate windows and the poller's memory. Examples and test
 * workflows keep to it (test/examples/workflowIds.test.ts).
 */
export const MAX_WORKFLOW_ID_LENGTH = 16;

export const ATLAS_CREDENTIAL_ID = 'TravelOpsAtlasDemo';
export const RAPID_CREDENTIAL_ID = 'TravelOpsRapidDemo';
export const SMTP_CREDENTIAL_ID = 'TravelOpsSmtpDemo';
export const SLACK_CREDENTIAL_ID = 'TravelOpsSlackDemo';
/** The Webhook Token of the demo Atlas credential (example 02 requires it in the URL). */
export const DEMO_ATLAS_WEBHOOK_TOKEN = 'sandbox-webhook-token';
/** The example error workflow, set as every other example's error workflow. */
export const ERROR_WORKFLOW_ID = 'TravelOpsErrors';
/** The examples `npm start` and the e2e suite publish: one Rapid flow and one Atlas webhook flow. */
export const RAPID_EXAMPLE_ID = 'TravelOpsEx01';
export const ATLAS_WEBHOOK_EXAMPLE_ID = 'TravelOpsEx02';
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

export interface WorkflowFile {
	id: string;
	name: string;
	nodes: Array<{
		name: string;
		type: string;
		webhookId?: string;
		parameters: Record<string, unknown>;
		[key: string]: unknown;
	}>;
	connections: Record<string, unknown>;
	[key: string]: unknown;
}

type WorkflowNode = WorkflowFile['nodes'][number];

/** A workflow of one node, or of a first node feeding a second (tests and benchmarks). */
export function twoNodeWorkflow(
	id: string,
	name: string,
	first: WorkflowNode,
	second?: WorkflowNode,
): WorkflowFile {
	return {
		id,
		name,
		nodes: second ? [first, second] : [first],
		connections: second
			? { [first.name]: { main: [[{ node: second.name, type: 'main', index: 0 }]] } }
			: {},
		active: false,
		settings: { executionOrder: 'v1' },
	};
}

/** A credential as `n8n import:credentials` reads it: plain `data`, n8n encrypts it. */
export interface CredentialFile {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/**
 * Credentials of both APIs, environment Custom, pointing at the sandbox with its default keys, an
 * SMTP credential for the sandbox's mail catcher (plain SMTP on loopback, no auth), and a Slack API
 * credential whose token the fake Slack (fakeSlack.ts) accepts.
 */
export function sandboxCredentials(sandboxUrl: string, smtpPort: number): CredentialFile[] {
	// Plain `data` objects: import:credentials encrypts them with the instance key.
	return [
		{
			id: ATLAS_CREDENTIAL_ID,
			name: 'Atlas (sandbox)',
			type: 'atlasApi',
			data: {
				environment: 'custom',
				baseUrl: sandboxUrl,
				clientId: DEFAULT_ATLAS_CLIENT_ID,
				clientSecret: DEFAULT_ATLAS_CLIENT_SECRET,
				webhookToken: DEMO_ATLAS_WEBHOOK_TOKEN,
			},
		},
		{
			id: RAPID_CREDENTIAL_ID,
			name: 'Expedia Rapid (sandbox)',
			type: 'expediaRapidApi',
			data: {
				environment: 'custom',
				baseUrl: sandboxUrl,
				apiKey: DEFAULT_RAPID_API_KEY,
				sharedSecret: DEFAULT_RAPID_SHARED_SECRET,
			},
		},
		{
			id: SMTP_CREDENTIAL_ID,
			name: 'SMTP (sandbox catcher)',
			type: 'smtp',
			data: {
				host: HOST,
				port: smtpPort,
				secure: false,
				disableStartTls: true,
				user: '',
				password: '',
			},
		},
		{
			id: SLACK_CREDENTIAL_ID,
			name: 'Slack (demo)',
			type: 'slackApi',
			data: { accessToken: FAKE_SLACK_TOKEN, signatureSecret: '' },
		},
	];
}

/** Examples that need n8n in queue mode's PostgreSQL (a credential only the queue stack has). */
export const QUEUE_MODE_EXAMPLES = ['TravelOpsEx05'];

/**
 * The example workflows exactly as shipped in examples/ (they hold no address: credentials and
 * the fake Slack make them run here); the queue-mode ones only when asked for.
 */
export function loadExamples(opts: { queueMode?: boolean } = {}): WorkflowFile[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as WorkflowFile)
		.filter((workflow) => opts.queueMode || !QUEUE_MODE_EXAMPLES.includes(workflow.id));
}

/** Where n8n serves the production webhook of a community trigger node. */
export function webhookUrl(n8nUrl: string, workflow: WorkflowFile): string {
	const trigger = workflow.nodes.find((node) => node.webhookId);
	if (!trigger?.webhookId) throw new Error(`Workflow ${workflow.id} has no webhook node`);
	return `${n8nUrl.replace(/\/+$/, '')}/webhook/${trigger.webhookId}/webhook`;
}

export interface PrepareOptions {
	userFolder: string;
	runtime: N8nRuntime;
	sandboxUrl: string;
	/** The sandbox's SMTP catcher port, for the SMTP credential. */
	smtpPort: number;
	workflows: WorkflowFile[];
	/** Workflow ids to publish (activate); default: every workflow given. */
	publish?: string[];
	skipBuild?: boolean;
	/** More credentials to import (plain `data`, as sandboxCredentials). */
	extraCredentials?: unknown[];
	/** Extra environment for the n8n CLI (e.g. the PostgreSQL settings in queue mode). */
	env?: Record<string, string>;
	/** Called before each step, for progress lines. */
	step?: (message: string) => void;
}

/**
 * Installs the package (build, pack, unpack as the Community Nodes screen does), then imports the
 * credentials and workflows and publishes them with the n8n CLI. Start n8n afterwards: CLI changes
 * take effect at its next start.
 */
export async function prepareUserFolder(opts: PrepareOptions): Promise<InstallResult> {
	mkdirSync(opts.userFolder, { recursive: true });
	opts.step?.('building, packing and installing n8n-nodes-travel-ops into the n8n user folder');
	const install = await installPackage(opts.userFolder, { skipBuild: opts.skipBuild });
	await importWithCli(opts);
	return install;
}

/**
 * Credentials and workflows into a user folder with the n8n CLI, one n8n start per import and per
 * published workflow, while n8n is stopped. For n8n 1.x, whose REST API gives new workflows IDs of
 * its own, and for suites that set things up before n8n starts.
 */
export async function importWithCli(opts: Omit<PrepareOptions, 'skipBuild'>): Promise<void> {
	const step = opts.step ?? (() => undefined);
	const fixtures = join(opts.userFolder, 'fixtures');
	mkdirSync(fixtures, { recursive: true });
	const credentialsFile = join(fixtures, 'credentials.json');
	const workflowsFile = join(fixtures, 'workflows.json');
	writeFileSync(
		credentialsFile,
		JSON.stringify(
			[...sandboxCredentials(opts.sandboxUrl, opts.smtpPort), ...(opts.extraCredentials ?? [])],
			null,
			2,
		),
	);
	writeFileSync(workflowsFile, JSON.stringify(opts.workflows, null, 2));
	const cli = { userFolder: opts.userFolder, runtime: opts.runtime, env: opts.env, check: true };

	step('importing credentials that point at the sandbox (n8n import:credentials)');
	await runN8nCli(['import:credentials', `--input=${credentialsFile}`], cli);
	step(`importing ${opts.workflows.length} workflows (n8n import:workflow)`);
	await runN8nCli(['import:workflow', `--input=${workflowsFile}`], cli);
	for (const id of opts.publish ?? opts.workflows.map((w) => w.id)) {
		step(`publishing workflow ${id} (n8n publish:workflow; update:workflow --active=true on 1.x)`);
		await publishWorkflow(id, cli);
	}
}

/** Where each credential ID the workflow files use points in this n8n. */
export type CredentialIds = Map<string, { id: string; name: string }>;

/**
 * The workflow with its nodes' credential references moved to the IDs n8n gave the credentials
 * (its REST API picks credential IDs; the files name the ones `import:credentials` keeps).
 */
export function withCredentialIds(workflow: WorkflowFile, ids: CredentialIds): WorkflowFile {
	const nodes = workflow.nodes.map((node) => {
		const refs = node.credentials as Record<string, { id?: string; name?: string }> | undefined;
		if (!refs) return node;
		const credentials = Object.fromEntries(
			Object.entries(refs).map(([type, ref]) => [type, (ref.id && ids.get(ref.id)) || ref]),
		);
		return { ...node, credentials };
	});
	return { ...workflow, nodes };
}

export interface RestPublishOptions {
	credentials: CredentialFile[];
	workflows: WorkflowFile[];
	/** Workflow ids to publish; default: every workflow given. */
	publish?: string[];
}

/**
 * Credentials and workflows into a running n8n through its REST API, then the chosen workflows
 * published, all at once rather than one n8n CLI start per step. Reruns update in place: a
 * credential of the same name and type, a workflow of the same ID.
 */
export async function publishThroughRest(
	rest: N8nRestClient,
	opts: RestPublishOptions,
): Promise<{ published: string[] }> {
	const existing = await rest.credentials();
	const ids: CredentialIds = new Map();
	await Promise.all(
		opts.credentials.map(async ({ id, name, type, data }) => {
			const same = existing.find((c) => c.name === name && c.type === type);
			const saved = same
				? await rest.updateCredential(same.id, { name, type, data })
				: await rest.createCredential({ name, type, data });
			ids.set(id, { id: saved.id, name: saved.name });
		}),
	);
	const toPublish = new Set(opts.publish ?? opts.workflows.map((w) => w.id));
	const published: string[] = [];
	await Promise.all(
		opts.workflows.map(async (file) => {
			const workflow = withCredentialIds(file, ids);
			// `active` is n8n's to set (by publishing), not part of the content.
			const content: Record<string, unknown> = { ...workflow };
			delete content.active;
			const saved: StoredWorkflow = (await rest.workflow(workflow.id))
				? await rest.updateWorkflow(workflow.id, content)
				: await rest.createWorkflow(content);
			// n8n 1.x drops the ID a new workflow is given: the examples' references would miss it.
			if (saved.id !== workflow.id || !saved.versionId)
				throw new Error(
					`n8n kept workflow ${workflow.id} as ${saved.id} (version ${saved.versionId ?? 'none'}): on n8n 1.x use importWithCli.`,
				);
			if (!toPublish.has(workflow.id)) return;
			const live = await rest.publishWorkflow(workflow.id, saved.versionId);
			if (!live.active) throw new Error(`n8n did not publish workflow ${workflow.id}.`);
			published.push(workflow.id);
		}),
	);
	return { published };
}
