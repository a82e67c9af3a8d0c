/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling: never shipped, runs under plain Node.js */
/**
 * `npm run bench:profile`: where n8n spends its time per webhook call, for n8n's Webhook node
 * (bare and with Header Auth), n8n's GitHub Trigger (target `github`) and our triggers in several
 * settings. One n8n per n8n setting runs
 * under `node --cpu-prof`; each target gets the same load in turn, and only the samples taken
 * during its load count. Prints requests/s and, per target, CPU ms per request by package and the
 * functions with the most time (self and on the stack).
 *
 * Options: --requests N (default 400), --concurrency N (default 16), --settings defaults,recommended,
 * --targets name,name (default all), --top N (default 12), --out file.json (full summaries).
 */
// First: keeps n8n-core's instance key in a scratch folder, as the tests do.
import '../../test/setup';

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startSandbox } from '../sandbox';
import { startN8n } from '../n8n/process';
import { PACKAGE_NAME } from '../n8n/smoke';
import { ensureN8nRuntime } from '../n8n/runtime';
import { findFreePort } from '../n8n/util';
import {
	CATEGORIES,
	categoryMs,
	monotonicMicros,
	readProfile,
	summarise,
	top,
	type WindowSummary,
} from './cpuProfile';
import { fire, percentile } from './load';
import { startFakeGithub } from './fakeGithub';
import { githubTarget, installTargets, N8N_SETTINGS, TARGETS, type Target } from './targets';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? args[i + 1] : fallback;
};
const REQUESTS = Number(option('requests', '400'));
const CONCURRENCY = Number(option('concurrency', '16'));
const TOP = Number(option('top', '12'));
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Measured {
	target: string;
	setting: string;
	rps: number;
	p50: number;
	ok: number;
	summary: WindowSummary;
}

const ms = (n: number) => n.toFixed(2);

function report(m: Measured): void {
	const per = (v: number) => v / REQUESTS;
	say(
		`\n## ${m.target} (${m.setting}): ${m.rps.toFixed(1)} req/s, p50 ${m.p50.toFixed(0)} ms, ${m.ok}/${REQUESTS} answered 200; ` +
			`main thread busy ${ms(per(m.summary.busyMs))} ms/request, idle ${ms(per(m.summary.idleMs))}`,
	);
	say('by package (self ms/request):');
	for (const [k, v] of top(m.summary.byPackage, TOP)) say(`  ${ms(per(v)).padStart(7)}  ${k}`);
	say('functions, self (ms/request):');
	for (const [k, v] of top(m.summary.bySelf, TOP)) say(`  ${ms(per(v)).padStart(7)}  ${k}`);
	say('functions, on the stack (ms/request):');
	for (const [k, v] of top(m.summary.byInclusive, TOP * 3))
		say(`  ${ms(per(v)).padStart(7)}  ${k}`);
	// Our package's own functions: what in the node itself costs time under n8n.
	const ours = (map: Map<string, number>) =>
		new Map([...map].filter(([k]) => k.includes(` ${PACKAGE_NAME}/`)));
	say(`${PACKAGE_NAME} functions, self (ms/request):`);
	for (const [k, v] of top(ours(m.summary.bySelf), TOP)) say(`  ${ms(per(v)).padStart(7)}  ${k}`);
	say(`${PACKAGE_NAME} functions, on the stack (ms/request):`);
	for (const [k, v] of top(ours(m.summary.byInclusive), TOP))
		say(`  ${ms(per(v)).padStart(7)}  ${k}`);
}

async function main(): Promise<void> {
	const settings = option('settings', 'defaults,recommended').split(',');
	const wanted = option('targets', '');
	const github = await startFakeGithub();
	const all = [...TARGETS, githubTarget(github)];
	const targets = wanted ? all.filter((t) => wanted.split(',').includes(t.name)) : all;
	const runtime = await ensureN8nRuntime();
	const userFolder = mkdtempSync(join(tmpdir(), 'travel-ops-profile-'));
	const sandbox = await startSandbox({ port: 0, incidentCount: 0 });
	const measured: Measured[] = [];
	try {
		const step = (m: string) => say(`  ${m}`);
		await installTargets({ userFolder, runtime, sandbox, targets, github, step });
		for (const setting of settings) {
			const profileDir = mkdtempSync(join(tmpdir(), 'travel-ops-cpuprof-'));
			const n8n = await startN8n({
				userFolder,
				port: await findFreePort(),
				runtime,
				env: {
					...N8N_SETTINGS[setting],
					NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}`,
					N8N_LOG_LEVEL: 'warn',
				},
			});
			const windows: Array<{
				target: Target;
				from: number;
				to: number;
				rps: number;
				p50: number;
				ok: number;
			}> = [];
			try {
				for (const target of targets) {
					const url = target.url(n8n.url);
					await fire(url, target.shots(sandbox, 100), { concurrency: CONCURRENCY });
					const from = monotonicMicros();
					const { results, seconds } = await fire(url, target.shots(sandbox, REQUESTS), {
						concurrency: CONCURRENCY,
					});
					const to = monotonicMicros();
					const rps = results.length / seconds;
					const p50 = percentile(
						results.map((r) => r.ms),
						50,
					);
					const ok = results.filter((r) => r.status === 200).length;
					say(
						`  ${target.name} (${setting}): ${rps.toFixed(1)} req/s, ${ok}/${REQUESTS} answered 200`,
					);
					windows.push({ target, from, to, rps, p50, ok });
				}
			} finally {
				await n8n.stop();
			}
			const file = readdirSync(profileDir).find((f) => f.includes(`.${n8n.pid}.`));
			if (!file) throw new Error(`no CPU profile of n8n (pid ${n8n.pid}) in ${profileDir}`);
			const profile = readProfile(join(profileDir, file));
			for (const w of windows) {
				const m: Measured = {
					target: w.target.name,
					setting,
					rps: w.rps,
					p50: w.p50,
					ok: w.ok,
					summary: summarise(profile, w.from, w.to),
				};
				measured.push(m);
				report(m);
			}
			rmSync(profileDir, { recursive: true, force: true });
		}
		// The table of docs/performance.md: CPU ms per request, in total and by category.
		const categories = CATEGORIES.map((c) => c.name).join(' | ');
		say(`\n| target | n8n setting | req/s | p50 ms | CPU ms/request | ${categories} |`);
		say(`|---|---|---|---|---|${CATEGORIES.map(() => '---|').join('')}`);
		for (const m of measured) {
			const split = CATEGORIES.map((c) => categoryMs(m.summary, c) / REQUESTS)
				.map((v) => (v < 0.05 ? '–' : v.toFixed(1)))
				.join(' | ');
			say(
				`| ${m.target} | ${m.setting} | ${m.rps.toFixed(1)} | ${m.p50.toFixed(0)} | ${(m.summary.busyMs / REQUESTS).toFixed(1)} | ${split} |`,
			);
		}
		const out = option('out', '');
		if (out) {
			writeFileSync(
				out,
				JSON.stringify(
					measured.map((m) => ({
						...m,
						summary: {
							busyMs: m.summary.busyMs,
							idleMs: m.summary.idleMs,
							byPackage: top(m.summary.byPackage, 40),
							bySelf: top(m.summary.bySelf, 80),
							byInclusive: top(m.summary.byInclusive, 200),
						},
					})),
					null,
					1,
				),
			);
		}
	} finally {
		await github.close();
		await sandbox.close();
		rmSync(userFolder, { recursive: true, force: true });
	}
}

main().catch((error: unknown) => {
	process.stderr.write(
		`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});
