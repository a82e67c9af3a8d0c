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
import {
	cpSync,
	existsSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	startSandbox,
	type Sandbox,
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
} from '../sandbox';
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

function editPackageJson(dir: string, edit: (pkg: PackageJson) => PackageJson) {
	const file = join(dir, 'package.json');
	writeFileSync(
		file,
		JSON.stringify(edit(JSON.parse(readFileSync(file, 'utf8')) as PackageJson), null, 2),
	);
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
		return {
			ok: true,
			data: await rest.request<Record<string, unknown>>(method, path, body),
			error: '',
		};
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
	const { status, body } = await sandbox.rapid.push(notification, { url: webhookUrl() });
	if (status !== 200)
		return {
			status,
			body,
			items: [] as Array<Record<string, unknown>>,
			notification,
			executions: before,
		};
	const executions = await waitFor(
		async () => await readExecutions(runtime, database(), { workflowId }),
		(list) => list.length > before && !['new', 'running'].includes(list[0].status),
	);
	return {
		status,
		body,
		items: nodeOutput(executions[0], 'Rapid Trigger'),
		notification,
		execution: executions[0],
		executions: executions.length,
	};
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
	n8nStart = async () =>
		await startN8n({ userFolder, port, brokerPort, runtime, env: registry.env });
	n8n = await n8nStart();
	rest = new N8nRestClient(n8n.url);
	await rest.ensureOwner();
	report(`installer e2e: set up in ${Math.round((Date.now() - started) / 1000)} s`);
}, 10 * 60_000);

afterAll(async () => {
	await n8n?.stop();
	await sandbox?.close();
	await registry?.close();
	if (workDir && process.env.TRAVEL_OPS_KEEP !== '1')
		rmSync(workDir, { recursive: true, force: true });
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
		const workflow = await rest.request<{ id: string; versionId: string }>(
			'POST',
			'/rest/workflows',
			{
				name: 'e2e: installer, Rapid Trigger',
				nodes: [
					{
						parameters: { events: ['*'], options: {} },
						name: 'Rapid Trigger',
						type: RAPID_TRIGGER_TYPE,
						typeVersion: 1.1,
						position: [0, 0],
						webhookId: WEBHOOK_ID,
						credentials: {
							expediaRapidApi: { id: credential.id, name: 'Expedia Rapid (installer test)' },
						},
					},
				],
				connections: {},
				settings: { executionOrder: 'v1' },
			},
		);
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

describe("n8n's installer refuses a broken package and keeps the installed one", () => {
	/** Packaging mistakes, each as n8n's installer meets it in a newer version. */
	const mistakes: Array<{
		mistake: string;
		version: string;
		edit: (dir: string) => void;
		reason: RegExp;
		/** What else n8n asked the registry for, beyond the version's tarball. */
		alsoFetched?: string[];
	}> = [
		{
			mistake: 'a node file missing from the tarball (left out of `files`)',
			version: '0.0.2',
			edit: (dir) => rmSync(join(dir, 'dist', 'nodes', 'Atlas', 'AtlasTrigger.node.js')),
			reason: /could not be loaded/,
		},
		{
			// n8n's `npm install` fetches it from the registry: here a 404 (only this package is
			// published), on the public registry code that n8n's verification forbids.
			mistake: 'a runtime dependency',
			version: '0.0.3',
			edit: (dir) =>
				editPackageJson(dir, (pkg) => ({ ...pkg, dependencies: { 'left-pad': '^1.3.0' } })),
			reason: /npm package not found/,
			alsoFetched: ['/left-pad'],
		},
		{
			mistake: 'a wrong `n8n.nodes` path',
			version: '0.0.4',
			edit: (dir) =>
				editPackageJson(dir, (pkg) => ({
					...pkg,
					n8n: { ...pkg.n8n, nodes: pkg.n8n.nodes.map((f) => f.replace(/^dist\//, '')) },
				})),
			reason: /could not be loaded/,
		},
	];
	it.each(mistakes)(
		'$mistake: the update fails; the older version stays installed and running',
		async ({ version, edit, reason, alsoFetched }) => {
			await publishVariant(version, edit);
			const update = await attempt('PATCH', '/rest/community-packages', { name: NAME, version });
			report(
				`installer e2e: update to ${version}: ${update.ok ? 'accepted' : update.error.slice(0, 300)}`,
			);
			expect(update).toMatchObject({ ok: false, error: expect.stringMatching(/answered 5\d\d/) });
			expect(update.error).toMatch(reason);
			const fetched = registry.requests.map((r) => r.path);
			expect(fetched).toEqual(
				expect.arrayContaining([`/${NAME}/-/${NAME}-${version}.tgz`, ...(alsoFetched ?? [])]),
			);

			const state = installedState();
			expect(state.ledger).toEqual({ [NAME]: OLDER });
			expect(state.folders).toEqual([NAME]);
			expect(state.packageJson).toMatchObject({ version: OLDER });
			expect((await databaseRecord()).packages).toEqual([
				{ packageName: NAME, installedVersion: OLDER },
			]);
			const event = await sendEvent();
			expect(event.status).toBe(200);
			expect(event.items).toEqual([expect.objectContaining({ [MARK]: OLDER })]);
		},
	);
});

describe("n8n's installer updates the package under a published workflow", () => {
	it('updates to the current version: the published workflow keeps answering, now with the current code', async () => {
		const updated = await rest.request<InstalledPackage>('PATCH', '/rest/community-packages', {
			name: NAME,
			version: current.version,
		});
		expect(updated.installedVersion).toBe(current.version);
		expect(updated.installedNodes.map((n) => n.type).sort()).toEqual(expectedNodeTypes);
		expect(registry.requests).toContainEqual(
			expect.objectContaining({ path: `/${NAME}/-/${NAME}-${current.version}.tgz`, status: 200 }),
		);
		const state = installedState();
		expect(state.ledger).toEqual({ [NAME]: current.version });
		// No `<name>.backup-<ms>` folder left beside it.
		expect(state.folders).toEqual([NAME]);
		expect(state.packageJson).toMatchObject({ name: NAME, version: current.version });
		expect(await databaseRecord()).toEqual({
			packages: [{ packageName: NAME, installedVersion: current.version }],
			nodes: expectedNodeTypes.map((type) => ({ type, package: NAME })),
		});

		// Without a restart: n8n reloaded the package, and the webhook runs the new code.
		const event = await sendEvent();
		expect(event.status).toBe(200);
		expect(event.execution?.status).toBe('success');
		expect(event.items).toEqual([expect.objectContaining(event.notification)]);
		expect(event.items[0]).not.toHaveProperty(MARK);
	});

	it('the current version as packed: every node and credential type, icon and codex reaches n8n', async () => {
		const nodeTypes = (await rest.nodeTypes()).filter((t) => t.name.startsWith(`${NAME}.`));
		// Besides ours, the AI-tool variant n8n derives from each node marked usableAsTool.
		expect([...new Set(nodeTypes.map((t) => t.name))].sort()).toEqual(
			[...expectedNodeTypes, `${NAME}.atlasTool`, `${NAME}.expediaRapidTool`].sort(),
		);
		for (const type of nodeTypes) {
			// The icon files (`files`: dist/nodes/**/*.svg) are served from the installed folder.
			const icons = Object.values((type.iconUrl ?? {}) as Record<string, string>);
			if (typeof type.iconUrl === 'string') icons.push(type.iconUrl);
			expect({ type: type.name, icons: icons.length > 0 }).toEqual({
				type: type.name,
				icons: true,
			});
			for (const icon of icons)
				expect({ icon, status: (await fetch(`${n8n.url}/${icon}`)).status }).toEqual({
					icon,
					status: 200,
				});
			// The codex files (dist/nodes/**/*.node.json) give the nodes panel its categories.
			expect({ type: type.name, codex: type.codex }).toEqual({
				type: type.name,
				codex: expect.objectContaining({
					categories: expect.arrayContaining([expect.any(String)]),
				}),
			});
		}
		const credentialTypes = (await rest.credentialTypes()).map((t) => t.name);
		expect(credentialTypes).toEqual(expect.arrayContaining(['atlasApi', 'expediaRapidApi']));
	});

	it('after a restart n8n starts the updated package from what it recorded, and the workflow answers', async () => {
		await n8n.stop();
		n8n = await (n8nStart as () => Promise<RunningN8n>)();
		await rest.login();
		await webhookRegistered(webhookUrl());
		const event = await sendEvent();
		expect(event.status).toBe(200);
		expect(event.items).toEqual([expect.objectContaining(event.notification)]);
		expect(event.items[0]).not.toHaveProperty(MARK);
		expect(installedState().ledger).toEqual({ [NAME]: current.version });
	});
});

describe("n8n's installer uninstalls the package", () => {
	/** The published workflow's webhook, answered without our node: refused, and no execution. */
	async function expectUnknownNodeType() {
		const event = await sendEvent();
		report(`installer e2e: event after uninstall: ${event.status} ${event.body.slice(0, 120)}`);
		expect(event.status).toBe(400);
		expect(event.body).toContain(`Unrecognized node type: ${RAPID_TRIGGER_TYPE}`);
		expect(event.executions).toBe(
			(await readExecutions(runtime, database(), { workflowId })).length,
		);
	}

	it('removes the folder, the database record and the node types; the workflow no longer runs', async () => {
		await rest.request('DELETE', `/rest/community-packages?name=${encodeURIComponent(NAME)}`);
		const state = installedState();
		expect(state.folders).toEqual([]);
		expect(state.packageJson).toBeUndefined();
		// n8n 2.40.7's removePackage deletes the folder and the rows but never calls
		// removePackageJsonDependency: the nodes/package.json entry stays (harmless: at start n8n
		// reinstalls from the database rows, not from this file).
		expect(state.ledger).toEqual({ [NAME]: current.version });
		expect(await databaseRecord()).toEqual({ packages: [], nodes: [] });
		expect((await rest.nodeTypes()).filter((t) => t.name.startsWith(`${NAME}.`))).toEqual([]);
		expect((await rest.credentialTypes()).map((t) => t.name)).not.toContain('expediaRapidApi');
		await expectUnknownNodeType();
	});

	it('after a restart n8n does not bring the package back, and the workflow still does not run', async () => {
		const registryRequests = registry.requests.length;
		await n8n.stop();
		n8n = await (n8nStart as () => Promise<RunningN8n>)();
		await rest.login();
		expect(installedState().folders).toEqual([]);
		expect(await databaseRecord()).toEqual({ packages: [], nodes: [] });
		expect(registry.requests.slice(registryRequests)).toEqual([]);
		await expectUnknownNodeType();
	});
});
