/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling: never shipped, runs under plain Node.js */
/**
 * The package installed, updated and uninstalled by n8n's own Community Nodes installer, in a real
 * n8n 2.40.7, through the REST API its settings page uses: `POST /rest/community-packages`
 * (install), `PATCH` (update), `DELETE ?name=` (uninstall). n8n's code runs unchanged; only the
 * registry is ours.
 *
 * The registry: n8n 2.40.7 reads it from N8N_COMMUNITY_PACKAGES_REGISTRY (default
 * https://registry.npmjs.org) and refuses any other without a licence, in
 * community-packages.service.js getNpmRegistry:
 *   `if (registry !== DEFAULT_REGISTRY && !this.license.isCustomNpmRegistryEnabled())
 *      throw new FeatureNotLicensedError(LICENSE_FEATURES.COMMUNITY_NODES_CUSTOM_REGISTRY);`
 * and it passes `--registry=<that>` to every npm command, so npm's own registry setting cannot
 * redirect it either. So n8n keeps its default, and an HTTPS proxy it is given (HTTPS_PROXY, as for
 * the fake Slack) answers for registry.npmjs.org with tarballs made here by `npm pack`
 * (dev/n8n/fakeRegistry.ts); nothing reaches the public registry.
 *
 * What n8n does (community-packages.service.js, installOrUpdatePackage + downloadPackage): checks
 * the version exists in the registry; moves the installed folder aside; `npm pack <name>@<version>`;
 * `tar -xzf --strip-components=1` into `<userFolder>/.n8n/nodes/node_modules/<name>`; drops dev,
 * peer and optional dependencies; `npm install --install-strategy=shallow --ignore-scripts=true
 * --package-lock=false …` there; records `<name>: <version>` in `nodes/package.json`; loads the
 * package, and only if it holds nodes, saves `installed_packages` / `installed_nodes`; otherwise
 * (or on any failure) puts the previous folder and record back. dev/n8n/install.ts does the same
 * steps by hand for the demo, the e2e and the queue suites, which install before n8n starts.
 *
 * The older version is this same build, version 0.0.1, whose Rapid Trigger marks every item it
 * emits with `olderPackageVersion`: the visible difference that shows which code ran.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startSandbox, type Sandbox, DEFAULT_RAPID_API_KEY, DEFAULT_RAPID_SHARED_SECRET } from '../sandbox';
import { queryDatabase, readExecutions, type N8nDatabase } from '../n8n/db';
import { startFakeRegistry, type FakeRegistry } from '../n8n/fakeRegistry';
import { buildPackage, nodesDir, packPackage, readNodesLedger } from '../n8n/install';
import { startN8n, type RunningN8n } from '../n8n/process';
import { N8nRestClient } from '../n8n/rest';
import { ensureN8nRuntime, type N8nRuntime } from '../n8n/runtime';
import { findFreePort, REPO_ROOT } from '../n8n/util';
import { nodeOutput, report, waitFor, webhookRegistered } from './harness';

interface PackageJson {
	name: string;
	version: string;
	dependencies?: Record<string, string>;
	n8n: { nodes: string[]; credentials: string[] };
	[key: string]: unknown;
}

const current = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
const NAME = current.name;
const OLDER = '0.0.1';
const MARK = 'olderPackageVersion';
/** n8n's node type names: `<package>.<description.name>`, the file's class name in camelCase. */
const expectedNodeTypes = current.n8n.nodes
	.map((file) => /([^/]+)\.node\.js$/.exec(file)?.[1] ?? file)
	.map((base) => `${NAME}.${base[0].toLowerCase()}${base.slice(1)}`)
	.sort();
const RAPID_TRIGGER_TYPE = `${NAME}.expediaRapidTrigger`;
const WEBHOOK_ID = 'e2e00000-0000-4000-8000-0000000000c1';

let runtime: N8nRuntime;
let userFolder: string;
let workDir: string;
let registry: FakeRegistry;
let sandbox: Sandbox;
let n8n: RunningN8n;
let rest: N8nRestClient;
let n8nStart: (() => Promise<RunningN8n>) | undefined;
const database = (): N8nDatabase => ({ type: 'sqlite', userFolder });
const packageDirectory = () => join(nodesDir(userFolder), 'node_modules', NAME);

/**
 * A copy of this package's build as version `version`, changed by `edit` (given the copy's folder),
 * packed with `npm pack` and published to the fake registry.
 */
async function publishVariant(version: string, edit: (dir: string) => void = () => undefined) {
	const dir = join(workDir, `src-${version}`);
	rmSync(dir, { recursive: true, force: true });
	cpSync(join(REPO_ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
	for (const file of ['README.md', 'LICENSE'])
		if (existsSync(join(REPO_ROOT, file))) cpSync(join(REPO_ROOT, file), join(dir, file));
	writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...current, version }, null, 2));
	edit(dir);
	return await registry.publish(await packPackage(dir, join(workDir, 'packs')));
}

/** The older version's difference: its Rapid Trigger marks each item it emits. */
function markRapidTriggerItems(dir: string) {
	const file = join(dir, 'dist', 'nodes', 'ExpediaRapid', 'ExpediaRapidTrigger.node.js');
	const wrapper = `
;(() => {
	const webhook = exports.ExpediaRapidTrigger.prototype.webhook;
	exports.ExpediaRapidTrigger.prototype.webhook = async function (...args) {
		const response = await webhook.apply(this, args);
		for (const output of response?.workflowData ?? [])
			for (const item of output ?? []) item.json.${MARK} = '${OLDER}';
		return response;
	};
})();
`;
	writeFileSync(file, readFileSync(file, 'utf8') + wrapper);
}

/** A REST call that may fail: its status and text instead of a throw. */
async function attempt(method: string, path: string, body?: unknown) {
	try {
		return { ok: true, data: await rest.request<Record<string, unknown>>(method, path, body), error: '' };
	} catch (error) {
		return { ok: false, data: undefined, error: (error as Error).message };
	}
}

interface InstalledPackage {
	packageName: string;
	installedVersion: string;
	installedNodes: Array<{ type: string; latestVersion: number }>;
}

/** What n8n's database holds for the package: `installed_packages` and `installed_nodes`. */
async function databaseRecord() {
	const packages = await queryDatabase<{ packageName: string; installedVersion: string }>(
		runtime,
		database(),
		'SELECT "packageName", "installedVersion" FROM installed_packages',
	);
	const nodes = await queryDatabase<{ type: string; package: string }>(
		runtime,
		database(),
		'SELECT type, package FROM installed_nodes ORDER BY type',
	);
	return { packages, nodes };
}

/** Where each file of the installed folder is, relative to it (backups left beside it show too). */
function installedState() {
	const modules = join(nodesDir(userFolder), 'node_modules');
	return {
		ledger: readNodesLedger(userFolder)?.dependencies,
		folders: existsSync(modules) ? readdirSync(modules).sort() : [],
		packageJson: existsSync(join(packageDirectory(), 'package.json'))
			? (JSON.parse(readFileSync(join(packageDirectory(), 'package.json'), 'utf8')) as PackageJson)
			: undefined,
	};
}

const webhookUrl = () => `${n8n.url}/webhook/${WEBHOOK_ID}/webhook`;
let workflowId = '';

/** Sends one genuine signed notification; returns the HTTP status and the items the trigger emitted. */
async function sendEvent() {
	const before = (await readExecutions(runtime, database(), { workflowId })).length;
	const notification = sandbox.rapid.sampleNotification('itinerary.supplier.cancel');
	const { status } = await sandbox.rapid.push(notification, { url: webhookUrl() });
	if (status !== 200) return { status, items: [] as Array<Record<string, unknown>>, notification };
	const executions = await waitFor(
		async () => await readExecutions(runtime, database(), { workflowId }),
		(list) => list.length > before && !['new', 'running'].includes(list[0].status),
	);
	return { status, items: nodeOutput(executions[0], 'Rapid Trigger'), notification, execution: executions[0] };
}

beforeAll(async () => {
	const started = Date.now();
	runtime = await ensureN8nRuntime();
	workDir = mkdtempSync(join(tmpdir(), 'travel-ops-installer-'));
	userFolder = join(workDir, 'n8n-user');
	registry = await startFakeRegistry();
	sandbox = await startSandbox({ port: 0 });
	await buildPackage(REPO_ROOT);
	await publishVariant(OLDER, markRapidTriggerItems);
	await publishVariant(current.version);
	const port = await findFreePort();
	const brokerPort = await findFreePort();
	n8nStart = async () => await startN8n({ userFolder, port, brokerPort, runtime, env: registry.env });
	n8n = await n8nStart();
	rest = new N8nRestClient(n8n.url);
	await rest.ensureOwner();
	report(`installer e2e: set up in ${Math.round((Date.now() - started) / 1000)} s`);
}, 10 * 60_000);

afterAll(async () => {
	await n8n?.stop();
	await sandbox?.close();
	await registry?.close();
	if (workDir && process.env.TRAVEL_OPS_KEEP !== '1') rmSync(workDir, { recursive: true, force: true });
}, 120_000);

describe("n8n's Community Nodes installer, with the registry served locally", () => {
	it('installs an older version: files, nodes/package.json and database as n8n records them; a published workflow on it runs', async () => {
		expect(installedState()).toEqual({ ledger: {}, folders: [], packageJson: undefined });

		const installed = await rest.request<InstalledPackage>('POST', '/rest/community-packages', {
			name: NAME,
			version: OLDER,
		});
		expect(installed.installedVersion).toBe(OLDER);
		expect(installed.installedNodes.map((n) => n.type).sort()).toEqual(expectedNodeTypes);
		// n8n fetched that version's tarball from "the registry", and nothing else left the machine.
		expect(registry.requests).toContainEqual(
			expect.objectContaining({ path: `/${NAME}/-/${NAME}-${OLDER}.tgz`, status: 200 }),
		);
		report(`installer e2e: proxy CONNECTs: ${[...new Set(registry.connects)].join(', ')}`);

		const state = installedState();
		expect(state.ledger).toEqual({ [NAME]: OLDER });
		expect(state.folders).toEqual([NAME]);
		expect(state.packageJson).toMatchObject({ name: NAME, version: OLDER });
		for (const dropped of ['devDependencies', 'peerDependencies', 'optionalDependencies'])
			expect(state.packageJson).not.toHaveProperty(dropped);
		expect(await databaseRecord()).toEqual({
			packages: [{ packageName: NAME, installedVersion: OLDER }],
			nodes: expectedNodeTypes.map((type) => ({ type, package: NAME })),
		});

		const credential = await rest.request<{ id: string }>('POST', '/rest/credentials', {
			name: 'Expedia Rapid (installer test)',
			type: 'expediaRapidApi',
			data: {
				environment: 'custom',
				baseUrl: sandbox.url,
				apiKey: DEFAULT_RAPID_API_KEY,
				sharedSecret: DEFAULT_RAPID_SHARED_SECRET,
			},
		});
		const workflow = await rest.request<{ id: string; versionId: string }>('POST', '/rest/workflows', {
			name: 'e2e: installer, Rapid Trigger',
			nodes: [
				{
					parameters: { events: ['*'], options: {} },
					name: 'Rapid Trigger',
					type: RAPID_TRIGGER_TYPE,
					typeVersion: 1.1,
					position: [0, 0],
					webhookId: WEBHOOK_ID,
					credentials: { expediaRapidApi: { id: credential.id, name: 'Expedia Rapid (installer test)' } },
				},
			],
			connections: {},
			settings: { executionOrder: 'v1' },
		});
		workflowId = workflow.id;
		await rest.request('POST', `/rest/workflows/${workflowId}/activate`, {
			versionId: workflow.versionId,
		});
		await webhookRegistered(webhookUrl());

		const event = await sendEvent();
		expect(event.status).toBe(200);
		expect(event.execution?.status).toBe('success');
		expect(event.items).toEqual([
			expect.objectContaining({ ...event.notification, [MARK]: OLDER }),
		]);
	});
});
