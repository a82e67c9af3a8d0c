/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- development tooling: never shipped, runs under plain Node.js */
/**
 * Builds this package, packs it with `npm pack` and installs the tarball by the steps of n8n's
 * Community Nodes installer, into `<userFolder>/.n8n/nodes/node_modules/<name>`. That is what users
 * get, so node types keep their real prefix (`n8n-nodes-travel-ops.<node>`), unlike the `custom/`
 * folder used by `n8n-node dev`, where they become `CUSTOM.<node>`.
 *
 * The steps are n8n 2.40.7's, in
 * node_modules/n8n/dist/modules/community-packages/community-packages.service.js:
 * installOrUpdatePackage (move the old folder to `<name>.backup-<ms>`, put it back on failure, delete
 * it on success) and downloadPackage (`npm pack <name>@<version>` from the registry, here from this
 * folder; `tar -xzf <tgz> -C <dir> --strip-components=1`; drop devDependencies, peerDependencies and
 * optionalDependencies from the unpacked package.json; `npm install` with NPM_INSTALL_ARGS in that
 * folder, even with no dependencies left; updatePackageJsonDependency: `dependencies[<name>] =
 * <version>` in `<userFolder>/.n8n/nodes/package.json`, rebuilt as `{ name: 'installed-nodes',
 * private: true, dependencies }` when it is missing or has no `dependencies`).
 * What only n8n's own path does: the `installed_packages` / `installed_nodes` rows (written after it
 * loads the package), so the Community Nodes settings page does not list a package installed here;
 * n8n still loads it at start, as it scans `nodes/node_modules` whatever the database says.
 * dev/e2e/installer.e2e.test.ts installs, updates and uninstalls through n8n's own code instead.
 * n8n reads the folder at start, so (re)install before starting n8n or restart it afterwards.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { cacheRoot, fileExists, formatDuration, log, readJson, REPO_ROOT, run, tail } from './util';

interface PackageJson {
	name: string;
	version: string;
	dependencies?: Record<string, string>;
	devDependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	n8n?: { nodes?: string[]; credentials?: string[] };
	[key: string]: unknown;
}

export interface InstallOptions {
	/** Use the existing dist/ instead of running `n8n-node build`. */
	skipBuild?: boolean;
	/** The package to install; default this repository. */
	packageDir?: string;
	/**
	 * Entries of package.json `n8n.nodes` / `n8n.credentials` whose file is missing from the tarball
	 * make n8n log a load error. By default that throws; with this flag the installed copy's
	 * package.json drops them (with a warning) — handy while nodes are still being written.
	 */
	allowMissingEntries?: boolean;
}

export interface InstallResult {
	tarball: string;
	installedAt: string;
	name: string;
	version: string;
	/** The installed package.json's `n8n.nodes` / `n8n.credentials` entries (paths under dist/). */
	nodes: string[];
	credentials: string[];
	/** Entries dropped because of allowMissingEntries. */
	dropped: string[];
}

/** `<userFolder>/.n8n/nodes` — n8n's InstanceSettings.nodesDownloadDir. */
export function nodesDir(userFolder: string): string {
	return join(resolve(userFolder), '.n8n', 'nodes');
}

function newestMtime(dir: string): number {
	let newest = 0;
	if (!fileExists(dir)) return newest;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
		else newest = Math.max(newest, statSync(path).mtimeMs);
	}
	return newest;
}

/** `n8n-node build` in a package folder (tsc + icons), with the TypeScript errors on failure. */
export async function buildPackage(packageDir: string): Promise<void> {
	const cli = join(packageDir, 'node_modules', '.bin', 'n8n-node');
	if (!fileExists(cli)) {
		throw new Error(
			`${cli} is missing: run \`npm install\` in ${packageDir} first (or pass skipBuild / --skip-build).`,
		);
	}
	log('building the package (n8n-node build: tsc + icons)…');
	const started = Date.now();
	const result = await run(cli, ['build'], {
		cwd: packageDir,
		env: { ...process.env, CI: 'true', NO_COLOR: '1' },
		heartbeat: 'building',
	});
	if (result.code !== 0) {
		const tsc = await run(
			join(packageDir, 'node_modules', '.bin', 'tsc'),
			['--noEmit', '-p', 'tsconfig.json'],
			{
				cwd: packageDir,
			},
		);
		throw new Error(
			`n8n-node build failed (exit ${result.code}). Fix the TypeScript errors below, or pass --skip-build ` +
				`to install the dist/ that is already there.\n${tail(tsc.stdout + tsc.stderr, 30) || tail(result.stdout + result.stderr, 30)}`,
		);
	}
	log(`built dist/ in ${formatDuration(Date.now() - started)}`);
}

/** `npm pack` of a package folder into outDir; returns the tarball's path. */
export async function packPackage(packageDir: string, outDir: string): Promise<string> {
	mkdirSync(outDir, { recursive: true });
	const result = await run(
		'npm',
		['pack', '--json', '--ignore-scripts', '--pack-destination', outDir],
		{
			cwd: packageDir,
		},
	);
	if (result.code !== 0) {
		throw new Error(
			`npm pack failed (exit ${result.code}) in ${packageDir}:\n${tail(result.stderr)}`,
		);
	}
	let filename: string | undefined;
	try {
		filename = (JSON.parse(result.stdout) as Array<{ filename: string }>)[0]?.filename;
	} catch {
		filename = result.stdout.trim().split('\n').pop();
	}
	const tarball = filename ? join(outDir, filename.replace(/^@/, '').replace(/\//, '-')) : '';
	if (!tarball || !fileExists(tarball)) {
		throw new Error(
			`npm pack did not report a tarball we can find (stdout: ${tail(result.stdout, 5)}).`,
		);
	}
	return tarball;
}

/**
 * The arguments n8n 2.40.7's downloadPackage gives `npm install` in the unpacked package folder
 * (it adds `--registry=<its registry>`, which needs nothing here: with no dependencies left npm
 * asks no registry).
 */
export const NPM_INSTALL_ARGS = [
	'install',
	'--audit=false',
	'--fund=false',
	'--bin-links=false',
	'--install-strategy=shallow',
	'--ignore-scripts=true',
	'--package-lock=false',
];

/** n8n's ledger of installed community packages: `<userFolder>/.n8n/nodes/package.json`. */
export interface NodesLedger {
	name: string;
	private: boolean;
	dependencies: Record<string, string>;
}

export function readNodesLedger(userFolder: string): NodesLedger | undefined {
	const ledger = readJson<NodesLedger>(join(nodesDir(userFolder), 'package.json'));
	return ledger?.dependencies ? ledger : undefined;
}

/** n8n's updatePackageJsonDependency; a ledger without `dependencies` is rebuilt (no database here). */
function recordInLedger(userFolder: string, name: string, version: string): void {
	const ledger = readNodesLedger(userFolder) ?? {
		name: 'installed-nodes',
		private: true,
		dependencies: {},
	};
	ledger.dependencies[name] = version;
	writeFileSync(
		join(nodesDir(userFolder), 'package.json'),
		JSON.stringify(ledger, null, 2),
		'utf8',
	);
}

/** The environment n8n's own npm calls run with: ours without what `npm run` adds (npm_*). */
function npmEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env };
	for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
	return env;
}

/** The unpacked package.json's `n8n` entries whose file is not in the tarball. */
function missingEntries(packageDirectory: string, pkg: PackageJson): string[] {
	const entries = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	return entries.filter((entry) => !fileExists(join(packageDirectory, entry)));
}

/** downloadPackage's steps after `npm pack`; throws with what failed. */
async function unpackAndInstall(
	tarball: string,
	packageDirectory: string,
	opts: InstallOptions,
): Promise<{ pkg: PackageJson; dropped: string[] }> {
	mkdirSync(packageDirectory, { recursive: true });
	const untar = await run('tar', ['-xzf', tarball, '-C', packageDirectory, '--strip-components=1']);
	if (untar.code !== 0)
		throw new Error(`tar could not unpack ${tarball}: ${tail(untar.stderr, 5)}`);
	const packageJsonPath = join(packageDirectory, 'package.json');
	const unpacked = readJson<PackageJson>(packageJsonPath);
	if (!unpacked) throw new Error(`The tarball ${tarball} has no package.json.`);
	const pkg: PackageJson = { ...unpacked };
	delete pkg.devDependencies;
	delete pkg.peerDependencies;
	delete pkg.optionalDependencies;

	// Ours, before n8n would log a load error: an `n8n` entry whose file the tarball lacks.
	const missing = missingEntries(packageDirectory, pkg);
	if (missing.length > 0 && !opts.allowMissingEntries) {
		throw new Error(
			`package.json lists files that the tarball does not contain, which n8n would report as load errors:\n  ${missing.join('\n  ')}\n` +
				'Write/build them, or drop them from the installed copy with allowMissingEntries (cli.ts --allow-missing; TRAVEL_OPS_ALLOW_MISSING=1 for the e2e test).',
		);
	}
	if (missing.length > 0) {
		log(
			`WARNING: ${missing.length} package.json n8n entr${missing.length === 1 ? 'y has' : 'ies have'} no file yet; dropped from the installed copy: ${missing.join(', ')}`,
		);
		pkg.n8n = {
			...pkg.n8n,
			nodes: (pkg.n8n?.nodes ?? []).filter((e) => !missing.includes(e)),
			credentials: (pkg.n8n?.credentials ?? []).filter((e) => !missing.includes(e)),
		};
	}
	writeFileSync(packageJsonPath, JSON.stringify(pkg, null, 2), 'utf8');

	const npm = await run('npm', NPM_INSTALL_ARGS, {
		cwd: packageDirectory,
		env: npmEnv(),
		heartbeat: 'installing runtime dependencies (npm install)',
	});
	if (npm.code !== 0) {
		throw new Error(
			`npm install in the unpacked package failed (exit ${npm.code}), as it would in n8n's installer:\n${tail(npm.stderr)}`,
		);
	}
	return { pkg, dropped: missing };
}

/**
 * Build (unless skipBuild), pack and install this package into `<userFolder>/.n8n/nodes/node_modules`
 * by n8n's installer steps (see the header).
 */
export async function installPackage(
	userFolder: string,
	opts: InstallOptions = {},
): Promise<InstallResult> {
	const packageDir = resolve(opts.packageDir ?? REPO_ROOT);
	const sourcePkg = readJson<PackageJson>(join(packageDir, 'package.json'));
	if (!sourcePkg?.name) throw new Error(`No readable package.json in ${packageDir}.`);

	if (opts.skipBuild) {
		const dist = join(packageDir, 'dist');
		if (!fileExists(dist))
			throw new Error(
				`--skip-build was given but ${dist} does not exist: build first (npx n8n-node build).`,
			);
		const age = Date.now() - newestMtime(dist);
		log(`using the existing dist/ (newest file ${formatDuration(age)} old; not rebuilt)`);
	} else {
		await buildPackage(packageDir);
	}

	log(`packing ${sourcePkg.name}@${sourcePkg.version} (npm pack)…`);
	const tarball = await packPackage(packageDir, join(cacheRoot(), 'packs'));

	const packageDirectory = join(nodesDir(userFolder), 'node_modules', sourcePkg.name);
	const backup = `${packageDirectory}.backup-${Date.now()}`;
	const hadPrevious = fileExists(packageDirectory);
	if (hadPrevious) renameSync(packageDirectory, backup);
	log(`installing ${tarball} into ${packageDirectory} (n8n's installer steps)…`);
	let installed: { pkg: PackageJson; dropped: string[] };
	try {
		installed = await unpackAndInstall(tarball, packageDirectory, opts);
		recordInLedger(userFolder, sourcePkg.name, installed.pkg.version);
	} catch (error) {
		rmSync(packageDirectory, { recursive: true, force: true });
		if (hadPrevious) renameSync(backup, packageDirectory);
		throw error;
	}
	if (hadPrevious) rmSync(backup, { recursive: true, force: true });

	const { pkg, dropped } = installed;
	const nodes = pkg.n8n?.nodes ?? [];
	const credentials = pkg.n8n?.credentials ?? [];
	log(
		`installed ${pkg.name}@${pkg.version} (${nodes.length} node(s), ${credentials.length} credential(s)) at ${packageDirectory}; n8n picks it up at its next start`,
	);
	return {
		tarball,
		installedAt: packageDirectory,
		name: pkg.name,
		version: pkg.version,
		nodes,
		credentials,
		dropped,
	};
}
