/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling: never shipped, runs under plain Node.js */
/**
 * Builds this package, packs it with `npm pack` and unpacks the tarball where n8n's Community Nodes
 * screen installs packages: `<userFolder>/.n8n/nodes/node_modules/<name>`. That is what users get, so
 * node types keep their real prefix (`n8n-nodes-travel-ops.<node>`), unlike the `custom/` folder used
 * by `n8n-node dev`, where they become `CUSTOM.<node>`.
 *
 * Mirrors n8n 2.40's CommunityPackagesService.downloadPackage: `tar -xzf --strip-components=1`, drop
 * devDependencies / peerDependencies / optionalDependencies from package.json, then install the
 * remaining runtime dependencies (this package has none; n8n provides n8n-workflow and zod).
 * n8n reads the folder at start, so (re)install before starting n8n or restart it afterwards.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import {
	cacheRoot,
	fileExists,
	formatDuration,
	log,
	readJson,
	REPO_ROOT,
	run,
	tail,
} from './util';

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

async function build(packageDir: string): Promise<void> {
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

async function pack(packageDir: string, outDir: string): Promise<string> {
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
 * Build (unless skipBuild), pack and install this package into `<userFolder>/.n8n/nodes/node_modules`.
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
		await build(packageDir);
	}

	log(`packing ${sourcePkg.name}@${sourcePkg.version} (npm pack)…`);
	const tarball = await pack(packageDir, join(cacheRoot(), 'packs'));

	const modulesDir = join(nodesDir(userFolder), 'node_modules');
	const target = join(modulesDir, sourcePkg.name);
	const staging = join(
		modulesDir,
		`.${sourcePkg.name.replace(/\//g, '__')}.partial-${process.pid}`,
	);
	mkdirSync(modulesDir, { recursive: true });
	rmSync(staging, { recursive: true, force: true });
	mkdirSync(staging, { recursive: true });
	log(`unpacking ${tarball} into ${target}…`);
	const untar = await run('tar', ['-xzf', tarball, '-C', staging, '--strip-components=1']);
	if (untar.code !== 0) {
		rmSync(staging, { recursive: true, force: true });
		throw new Error(`tar could not unpack ${tarball}: ${tail(untar.stderr, 5)}`);
	}

	// What n8n does after unpacking: keep only what a user's install would resolve.
	const pkg = readJson<PackageJson>(join(staging, 'package.json'));
	if (!pkg) throw new Error(`The tarball ${tarball} has no package.json.`);
	// What n8n drops before installing a community package's runtime dependencies.
	const installedPkg: PackageJson = { ...pkg };
	delete installedPkg.devDependencies;
	delete installedPkg.peerDependencies;
	delete installedPkg.optionalDependencies;
	const nodes = [...(pkg.n8n?.nodes ?? [])];
	const credentials = [...(pkg.n8n?.credentials ?? [])];
	const missing = [...nodes, ...credentials].filter((entry) => !fileExists(join(staging, entry)));
	let dropped: string[] = [];
	if (missing.length > 0) {
		if (!opts.allowMissingEntries) {
			rmSync(staging, { recursive: true, force: true });
			throw new Error(
				`package.json lists files that the tarball does not contain, which n8n would report as load errors:\n  ${missing.join('\n  ')}\n` +
					'Write/build them, or drop them from the installed copy with allowMissingEntries (cli.ts --allow-missing; TRAVEL_OPS_ALLOW_MISSING=1 for the e2e test).',
			);
		}
		dropped = missing;
		log(
			`WARNING: ${missing.length} package.json n8n entr${missing.length === 1 ? 'y has' : 'ies have'} no file yet; dropped from the installed copy: ${missing.join(', ')}`,
		);
		installedPkg.n8n = {
			...pkg.n8n,
			nodes: nodes.filter((e) => !missing.includes(e)),
			credentials: credentials.filter((e) => !missing.includes(e)),
		};
	}
	writeFileSync(join(staging, 'package.json'), `${JSON.stringify(installedPkg, null, 2)}\n`);

	const deps = Object.keys(pkg.dependencies ?? {});
	if (deps.length > 0) {
		log(`installing runtime dependencies: ${deps.join(', ')}…`);
		const result = await run(
			'npm',
			[
				'install',
				'--omit=dev',
				'--omit=peer',
				'--omit=optional',
				'--ignore-scripts',
				'--no-package-lock',
				'--no-audit',
				'--no-fund',
			],
			{ cwd: staging, heartbeat: 'installing runtime dependencies' },
		);
		if (result.code !== 0) {
			rmSync(staging, { recursive: true, force: true });
			throw new Error(
				`npm install of the runtime dependencies failed (exit ${result.code}):\n${tail(result.stderr)}`,
			);
		}
	}

	rmSync(target, { recursive: true, force: true });
	renameSync(staging, target);
	log(
		`installed ${pkg.name}@${pkg.version} (${nodes.length - dropped.filter((d) => nodes.includes(d)).length} node(s), ${credentials.length - dropped.filter((d) => credentials.includes(d)).length} credential(s)) at ${target}; n8n picks it up at its next start`,
	);
	return {
		tarball,
		installedAt: target,
		name: pkg.name,
		version: pkg.version,
		nodes: nodes.filter((e) => !dropped.includes(e)),
		credentials: credentials.filter((e) => !dropped.includes(e)),
		dropped,
	};
}
