/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling: never shipped, runs under plain Node.js */
/**
 * `npm run bench`: figures for speed, each a ratio against a baseline measured in the same run
 * (absolute times on shared machines are noise). Sections:
 *   1. trigger cost in-process (Rapid, Atlas; 1 KB and 64 KB bodies) vs the physical floor
 *   2. throughput in real n8n: both triggers vs n8n's Webhook node (bare and with Header Auth) and
 *      n8n's GitHub Trigger with its secret, in n8n's defaults and in the recommended setting:
 *      isolates per call counted, then 5 interleaved runs, ratio per run (skip: --no-n8n)
 *   2b. lookups in real n8n: each lookup operation vs n8n's HTTP Request node making the same call
 *      with the same credential, recommended setting, same load, 5 runs each (skip: --no-n8n)
 *   3. incident pagination: Return All of 10,000 incidents, 50 ms per call, vs a sequential loop
 *   4. drain: 10,000 undeliverable notifications, calls vs the minimum, time vs bare signed GETs
 *   5. dedupe state: bytes of static data after 1k, 10k, 100k distinct events
 * Options: --no-n8n, --n8n-requests N (default 150), --n8n-runs N (default 5), --concurrency N
 * (default 16), --only lookups (section 2b alone), --only throughput (section 2 alone).
 */
// First: keeps n8n-core's instance key in a scratch folder, as the tests do.
import '../../test/setup';

import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IDataObject, INodeType, IWebhookFunctions } from 'n8n-workflow';

// `.node.ts` spelled out: beside each node sits a `.node.json` codex file, which Node's resolver
// (under tsx) would pick for the bare `.node` name.
import { Atlas } from '../../nodes/Atlas/Atlas.node.ts';
import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node.ts';
import { atlasApiRequest } from '../../nodes/Atlas/transport';
import { ExpediaRapid } from '../../nodes/ExpediaRapid/ExpediaRapid.node.ts';
import { ExpediaRapidTrigger } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node.ts';
import {
	buildAuthorizationHeader,
	verifyAuthorizationHeader,
} from '../../nodes/ExpediaRapid/signature';
import { rapidNotificationSchema, summariseNotification } from '../../nodes/ExpediaRapid/events';
import { parseJson } from '../../nodes/shared/json';
import { DEFAULT_MAX_CALLS } from '../../nodes/ExpediaRapid/actions/notification/getUndeliverable.operation';
import {
	isDuplicateAndRecord,
	MAX_DEDUPE_MAX_ENTRIES,
	DEFAULT_DEDUPE_MAX_ENTRIES,
} from '../../nodes/shared/dedupe';
import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	startSandbox,
	type Sandbox,
} from '../sandbox';
import { startN8n } from '../n8n/process';
import { ensureN8nRuntime } from '../n8n/runtime';
import { findFreePort } from '../n8n/util';
import { createExecuteContext, createWebhookContext, executeNode } from '../../test/helpers/n8n';
import { fire, percentile } from './load';
import { measureLookups } from './lookups';
import { startFakeGithub } from './fakeGithub';
import { githubTarget, installTargets, N8N_SETTINGS, TARGETS, type Target } from './targets';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: number) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? Number(args[i + 1]) : fallback;
};

interface Row {
	section: string;
	measure: string;
	value: string;
	baseline: string;
	ratio: string;
	goal?: string;
}
const rows: Row[] = [];
const say = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/**
 * Mean microseconds per call of each function over `iterations`, after a warm-up, best of 3
 * rounds. The functions take turns round by round, so a slow spell of the machine hits all of
 * them alike and their ratios hold.
 */
async function interleavedMicros(
	iterations: number,
	fns: Array<(i: number) => unknown | Promise<unknown>>,
): Promise<number[]> {
	// Every call of a function gets its own index (0 … 3×iterations+199), e.g. to pick a body
	// never sent before.
	const calls = fns.map(() => 0);
	for (const [f, fn] of fns.entries()) {
		for (let i = 0; i < Math.min(200, iterations); i++) await fn(calls[f]++);
	}
	const best = fns.map(() => Infinity);
	for (let round = 0; round < 3; round++) {
		for (const [f, fn] of fns.entries()) {
			const started = process.hrtime.bigint();
			for (let i = 0; i < iterations; i++) await fn(calls[f]++);
			const micros = Number(process.hrtime.bigint() - started) / 1000 / iterations;
			best[f] = Math.min(best[f], micros);
		}
	}
	return best;
}

// ------------------------------------------------------------------------------------------------
// 1. Trigger cost in-process

/**
 * The same context without n8n-core: each parameter and credential the trigger reads is taken
 * from `context` once, then served from a plain object, so only the trigger's own steps cost.
 */
let plainContexts = 0;
function withoutCore(context: IWebhookFunctions): IWebhookFunctions {
	const workflowId = `bench-own-${++plainContexts}`;
	const parameters = new Map<string, unknown>();
	const credentials = new Map<string, unknown>();
	const staticData: IDataObject = {};
	const { node, workflow, request } = {
		node: context.getNode(),
		workflow: context.getWorkflow(),
		request: context.getRequestObject(),
	};
	const plain = {
		getNodeParameter: (name: string, fallback?: unknown) => {
			if (!parameters.has(name)) parameters.set(name, context.getNodeParameter(name, fallback));
			return parameters.get(name);
		},
		getCredentials: async (type: string) => {
			if (!credentials.has(type)) credentials.set(type, await context.getCredentials(type));
			return credentials.get(type);
		},
		getMode: () => 'webhook',
		getNode: () => node,
		getWorkflow: () => ({ ...workflow, id: workflowId }),
		getRequestObject: () => request,
		getResponseObject: () => context.getResponseObject(),
		getWorkflowStaticData: () => staticData,
		logger: context.logger,
	};
	return plain as unknown as IWebhookFunctions;
}

function rapidBody(bytes: number, i: number): string {
	const base = {
		event_id: `bench-${i}-${Math.random().toString(36).slice(2)}`,
		event_type: 'itinerary.message.received',
		event_time: '2026-11-22T10:00:00.000Z',
		itinerary_id: '8091234567890',
		email: 'customer@example.com',
		affiliate_reference_id: 'R194193582',
		message: '',
	};
	base.message = 'x'.repeat(Math.max(0, bytes - JSON.stringify(base).length));
	return JSON.stringify(base);
}

function atlasBody(bytes: number, i: number): string {
	const base = {
		cid: DEFAULT_ATLAS_CLIENT_ID,
		type: 'email.all',
		notificationId: `bench-${i}-${Math.random().toString(36).slice(2)}`,
		status: 0,
		data: { orderNo: 'TO1', emailSubject: 'Schedule change', emailLink: '' },
	};
	base.data.emailLink = 'x'.repeat(Math.max(0, bytes - JSON.stringify(base).length));
	return JSON.stringify(base);
}

async function triggerCost(): Promise<void> {
	const credentials = {
		expediaRapidApi: { apiKey: DEFAULT_RAPID_API_KEY, sharedSecret: DEFAULT_RAPID_SHARED_SECRET },
		atlasApi: {
			environment: 'custom',
			baseUrl: 'http://127.0.0.1:9',
			clientId: DEFAULT_ATLAS_CLIENT_ID,
			clientSecret: 'x',
		},
	};
	const cases: Array<[string, INodeType, (bytes: number, i: number) => string, boolean]> = [
		['Rapid Trigger', new ExpediaRapidTrigger(), rapidBody, true],
		['Atlas Trigger', new AtlasTrigger(), atlasBody, false],
	];
	const setups = cases.flatMap(([name, trigger, makeBody, signed]) =>
		[1024, 64 * 1024].map((bytes) => {
			const iterations = bytes > 2048 ? 400 : 3000;
			const bodies = Array.from({ length: 4 * iterations + 400 }, (_, i) =>
				Buffer.from(makeBody(bytes, i)),
			);
			const header = buildAuthorizationHeader(DEFAULT_RAPID_API_KEY, DEFAULT_RAPID_SHARED_SECRET);
			const { context, request } = createWebhookContext({
				nodeType: trigger,
				credentials,
				staticData: {},
				request: {
					headers: { 'content-type': 'application/json', authorization: header },
					rawBody: bodies[0],
				},
			});
			const webhook = trigger.webhook as (this: unknown) => Promise<{ workflowData?: unknown }>;
			const call = (through: IWebhookFunctions) => async (i: number) => {
				request.rawBody = bodies[i % bodies.length];
				const result = await webhook.call(through);
				if (!result.workflowData)
					throw new Error(
						`${name} did not emit body ${i} of ${bytes} bytes: ${JSON.stringify(result)}`,
					);
			};
			const signingString = `${DEFAULT_RAPID_API_KEY}${DEFAULT_RAPID_SHARED_SECRET}${Math.floor(Date.now() / 1000)}`;
			const floorCall = (i: number) => {
				if (signed) createHash('sha512').update(signingString, 'utf8').digest('hex');
				return JSON.parse(bodies[i % bodies.length].toString('utf8'));
			};
			return { name, bytes, iterations, signed, context, call, floorCall };
		}),
	);
	// Every whole call is timed before any call through the plain context: once webhook() has met
	// both kinds of context, V8's feedback for it is polymorphic and the whole call would be timed
	// slower than n8n runs it (n8n only ever passes its own context).
	const times = new Map<string, { ours: number; floor: number }>();
	for (const pass of ['whole', 'own'] as const) {
		for (const s of setups) {
			// The same calls without n8n-core: its parameter, credential and context reads served
			// from a plain object, so only the trigger's own steps cost.
			const through = pass === 'whole' ? s.context : withoutCore(s.context);
			const [ours, floor] = await interleavedMicros(s.iterations, [s.call(through), s.floorCall]);
			times.set(`${pass} ${s.name} ${s.bytes}`, { ours, floor });
		}
	}
	for (const s of setups) {
		for (const pass of ['whole', 'own'] as const) {
			const { ours, floor } = times.get(`${pass} ${s.name} ${s.bytes}`) as {
				ours: number;
				floor: number;
			};
			const measure =
				pass === 'whole'
					? `${s.name}, ${s.bytes / 1024} KB body (µs/event)`
					: `${s.name}, ${s.bytes / 1024} KB body: its own steps, without n8n-core's reads (µs/event)`;
			rows.push({
				section: '1 trigger cost',
				measure,
				value: fmt(ours),
				baseline: `${fmt(floor)} (${s.signed ? 'sha512 + ' : ''}JSON.parse)`,
				ratio: `${fmt(ours / floor, 2)}×`,
				goal: pass === 'whole' ? '≤ 3×' : undefined,
			});
		}
	}
}

/**
 * Where one 1 KB Rapid event's time goes, step by step: ours (verify, parse, dedupe, item) and
 * n8n-core's (parameter, credential and context reads), each against the same floor.
 */
async function triggerSteps(): Promise<void> {
	const trigger = new ExpediaRapidTrigger();
	const iterations = 3000;
	const bodies = Array.from({ length: 4 * iterations + 400 }, (_, i) => rapidBody(1024, i));
	const parsed = bodies.slice(0, 1000).map((b) => JSON.parse(b) as IDataObject);
	const header = buildAuthorizationHeader(DEFAULT_RAPID_API_KEY, DEFAULT_RAPID_SHARED_SECRET);
	const keys = { apiKey: DEFAULT_RAPID_API_KEY, sharedSecret: DEFAULT_RAPID_SHARED_SECRET };
	const { context } = createWebhookContext({
		nodeType: trigger,
		credentials: { expediaRapidApi: keys },
		staticData: {},
		request: { headers: { authorization: header }, rawBody: Buffer.from(bodies[0]) },
	});
	const signingString = `${keys.apiKey}${keys.sharedSecret}${Math.floor(Date.now() / 1000)}`;
	// As in the whole call: each body arrives as bytes and is decoded afresh.
	const rawBodies = bodies.map((body) => Buffer.from(body));
	const floorCall = (i: number) => {
		createHash('sha512').update(signingString, 'utf8').digest('hex');
		return JSON.parse(rawBodies[i % rawBodies.length].toString('utf8'));
	};
	const dedupeData: IDataObject = {};
	const fullWindow = {
		data: {} as IDataObject,
		options: {
			maxEntries: MAX_DEDUPE_MAX_ENTRIES,
			maxAgeSeconds: 8 * 86400,
			processKey: 'bench-steps-full',
		},
	};
	for (let i = 0; i < MAX_DEDUPE_MAX_ENTRIES; i++) {
		isDuplicateAndRecord(fullWindow.data, 'seen', `fill-${i}`, fullWindow.options);
	}
	const steps: Array<[string, (i: number) => unknown]> = [
		['ours: verify the Authorization header', () => verifyAuthorizationHeader(header, keys)],
		['ours: parse JSON with the depth check', (i) => parseJson(bodies[i % bodies.length])],
		[
			'ours: summary + documented-shape check',
			(i) => {
				summariseNotification(parsed[i % 1000]);
				return rapidNotificationSchema.safeParse(parsed[i % 1000]);
			},
		],
		[
			'ours: duplicate window (1,000 ids)',
			(i) =>
				isDuplicateAndRecord(dedupeData, 'seen', `step-${i}`, {
					maxEntries: DEFAULT_DEDUPE_MAX_ENTRIES,
					maxAgeSeconds: 8 * 86400,
					processKey: 'bench-steps',
				}),
		],
		[
			`ours: duplicate window (full: ${MAX_DEDUPE_MAX_ENTRIES.toLocaleString('en-US')} ids)`,
			(i) => isDuplicateAndRecord(fullWindow.data, 'seen', `full-${i}`, fullWindow.options),
		],
		[
			'n8n-core: 3 node parameter reads',
			() => {
				context.getNodeParameter('options', {});
				context.getNodeParameter('events', ['*']);
				return context.getNodeParameter('verifySignature', true);
			},
		],
		['n8n-core: credential read', async () => await context.getCredentials('expediaRapidApi')],
		[
			'n8n-core: workflow, node, static data',
			() => {
				context.getWorkflow();
				context.getNode();
				return context.getWorkflowStaticData('node');
			},
		],
	];
	for (const [name, step] of steps) {
		const [micros, floor] = await interleavedMicros(iterations, [step, floorCall]);
		rows.push({
			section: '1 trigger cost',
			measure: `  step: ${name} (µs)`,
			value: fmt(micros, 2),
			baseline: `${fmt(floor)} (sha512 + JSON.parse)`,
			ratio: `${fmt(micros / floor, 2)}×`,
		});
	}
}

// ------------------------------------------------------------------------------------------------
// 2. Throughput in real n8n

/** Median, min and max of a few runs, as "median [min–max]". */
function spread(values: number[], digits = 1): { median: number; text: string } {
	const sorted = [...values].sort((a, b) => a - b);
	const median = sorted[Math.floor(sorted.length / 2)];
	const text = `${fmt(median, digits)} [${fmt(sorted[0], digits)}–${fmt(sorted[sorted.length - 1], digits)}]`;
	return { median, text };
}

/** Isolates per call, by where n8n took them, from the counter loaded into n8n (isolateCount.cjs). */
const ISOLATE_COUNTER = join(__dirname, 'isolateCount.cjs');

function readCounts(path: string): Record<string, number> {
	return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>) : {};
}

const pause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Counts the isolates of `calls` calls to each target, one call at a time, and adds a row per
 * target and place. Waits after each target: with "respond immediately" the execution (and its
 * isolate) runs after the answer.
 */
async function countIsolates(opts: {
	n8nUrl: string;
	countsFile: string;
	targets: Target[];
	setting: string;
	sandbox: Sandbox;
	calls: number;
	label: Record<string, string>;
}): Promise<void> {
	for (const t of opts.targets) {
		await pause(1500);
		const before = readCounts(opts.countsFile);
		const { results } = await fire(t.url(opts.n8nUrl), t.shots(opts.sandbox, opts.calls), {
			concurrency: 1,
		});
		if (results.some((r) => r.status !== 200))
			throw new Error(`${t.name} (${opts.setting}): not every call answered 200`);
		await pause(2500);
		const after = readCounts(opts.countsFile);
		const perCall = Object.entries(after)
			.map(([where, n]) => [where, (n - (before[where] ?? 0)) / opts.calls] as const)
			.filter(([, n]) => n > 0);
		const total = perCall.reduce((sum, [, n]) => sum + n, 0);
		rows.push({
			section: '2 isolates per call',
			measure: `${opts.label[t.name]}, ${opts.setting} (${opts.calls} calls, one at a time)`,
			value: fmt(total, 2),
			baseline: '',
			ratio: '',
		});
		for (const [where, n] of perCall)
			rows.push({
				section: '2 isolates per call',
				measure: `  ${where}`,
				value: fmt(n, 2),
				baseline: '',
				ratio: '',
			});
	}
}

/**
 * The same load on n8n's Webhook node (bare, and with Header Auth: it reads a credential per call,
 * as our triggers do), n8n's GitHub Trigger with its secret (a signed trigger of the same class as
 * ours) and both our triggers, in n8n's defaults and in the setting the README recommends: one n8n
 * per setting. First the isolates each call takes, counted; then `reps` runs, each giving every
 * target the same load in turn (the starting target rotating from run to run), so a slow spell of
 * the shared machine hits one run's targets alike; each ratio is taken within a run, and the table
 * gives the median of the runs' ratios with their min–max.
 */
async function n8nThroughput(requests: number, concurrency: number, reps: number): Promise<void> {
	const runtime = await ensureN8nRuntime();
	const userFolder = mkdtempSync(join(tmpdir(), 'travel-ops-bench-'));
	const sandbox = await startSandbox({ port: 0, incidentCount: 0 });
	const github = await startFakeGithub();
	const names = ['webhook', 'webhook+headerAuth', 'rapid', 'atlas'];
	const targets = [...TARGETS.filter((t) => names.includes(t.name)), githubTarget(github)];
	const label: Record<string, string> = {
		webhook: "n8n's Webhook node",
		'webhook+headerAuth': "n8n's Webhook node with Header Auth",
		github: "n8n's GitHub Trigger with its secret",
		rapid: 'Expedia Rapid Trigger',
		atlas: 'Atlas Trigger',
	};
	const rps: Record<string, Record<string, number[]>> = {};
	const p50: Record<string, Record<string, number[]>> = {};
	const started = performance.now();
	try {
		const step = (m: string) => say(`  ${m}`);
		await installTargets({ userFolder, runtime, sandbox, targets, github, step });
		for (const setting of ['defaults', 'recommended']) {
			rps[setting] = {};
			p50[setting] = {};
			const countsFile = join(userFolder, `isolates-${setting}`);
			const n8n = await startN8n({
				userFolder,
				port: await findFreePort(),
				runtime,
				env: {
					...N8N_SETTINGS[setting],
					N8N_LOG_LEVEL: 'warn',
					NODE_OPTIONS: `--require ${ISOLATE_COUNTER}`,
					ISOLATE_COUNT_FILE: countsFile,
				},
			});
			try {
				for (const t of targets) await fire(t.url(n8n.url), t.shots(sandbox, 100), { concurrency });
				await countIsolates({
					n8nUrl: n8n.url,
					countsFile: `${countsFile}.${n8n.pid}.json`,
					targets,
					setting,
					sandbox,
					calls: 20,
					label,
				});
				// One stack per place, kept for reading what each place stands for.
				const stacks = `${countsFile}.${n8n.pid}.stacks.json`;
				const kept = join(tmpdir(), `travel-ops-bench-isolate-stacks-${setting}.json`);
				if (existsSync(stacks)) copyFileSync(stacks, kept);
				say(`  isolates counted (${setting}); one stack per place in ${kept}`);
				for (let rep = 0; rep < reps; rep++) {
					const order = targets.map((_, i) => targets[(i + rep) % targets.length]);
					for (const t of order) {
						await pause(500);
						const { results, seconds } = await fire(t.url(n8n.url), t.shots(sandbox, requests), {
							concurrency,
						});
						const failed = results.filter((r) => r.status !== 200).length;
						if (failed > 0)
							throw new Error(`${t.name} (${setting}): ${failed} requests not answered 200`);
						(rps[setting][t.name] ??= []).push(results.length / seconds);
						(p50[setting][t.name] ??= []).push(
							percentile(
								results.map((r) => r.ms),
								50,
							),
						);
						say(
							`  ${setting}, run ${rep + 1}/${reps}, ${t.name}: ${fmt(results.length / seconds)} req/s`,
						);
					}
				}
			} finally {
				await n8n.stop();
			}
		}
	} finally {
		await github.close();
		await sandbox.close();
		rmSync(userFolder, { recursive: true, force: true });
	}
	const setup = `${requests} req × ${reps} runs, ${concurrency} in flight; req/s median [min–max]; ratio: median of the runs' ratios [min–max]`;
	const compare = (
		setting: string,
		ours: string,
		base: string,
		goal?: string,
		baseSetting = setting,
	) => {
		const perRun = rps[setting][ours].map((value, i) => value / rps[baseSetting][base][i]);
		const where = setting === baseSetting ? setting : `${setting} vs ${baseSetting}`;
		rows.push({
			section: '2 n8n throughput',
			measure: `${label[ours]} vs ${label[base]}, ${where} (${setup})`,
			value: spread(rps[setting][ours]).text,
			baseline: spread(rps[baseSetting][base]).text,
			ratio: spread(perRun, 2).text,
			goal,
		});
	};
	for (const setting of ['defaults', 'recommended']) {
		compare(setting, 'rapid', 'github', '≥ 1.0');
		compare(setting, 'atlas', 'github', '≥ 1.0');
		compare(setting, 'rapid', 'webhook+headerAuth', '≥ 0.95');
		compare(setting, 'atlas', 'webhook+headerAuth');
		compare(setting, 'rapid', 'webhook', setting === 'recommended' ? '≥ 0.8' : undefined);
		compare(setting, 'github', 'webhook+headerAuth');
		compare(setting, 'webhook+headerAuth', 'webhook');
		const perRun = p50[setting].rapid.map((v, i) => v / p50[setting]['webhook+headerAuth'][i]);
		rows.push({
			section: '2 n8n throughput',
			measure: `latency p50 (ms), ${label.rapid} vs ${label['webhook+headerAuth']}, ${setting}`,
			value: spread(p50[setting].rapid).text,
			baseline: spread(p50[setting]['webhook+headerAuth']).text,
			ratio: spread(perRun, 2).text,
		});
	}
	for (const t of targets) compare('recommended', t.name, t.name, undefined, 'defaults');
	say(`  section 2 took ${fmt((performance.now() - started) / 60_000)} min`);
}

/** Each lookup vs the HTTP Request node: req/s and p50 of both, the ratio of each run, its median. */
async function n8nLookups(requests: number, concurrency: number, reps: number): Promise<void> {
	const setting = 'recommended';
	const runs = await measureLookups({ requests, concurrency, reps, setting, say });
	const setup = `${requests} req × ${reps} runs, ${concurrency} in flight, ${setting}; median [min–max]`;
	for (const { name, ours, http } of runs) {
		for (const [what, key] of [
			['req/s', 'rps'],
			['latency p50 (ms)', 'p50'],
		] as const) {
			const perRun = ours[key].map((value, i) => value / http[key][i]);
			rows.push({
				section: '2b n8n lookups',
				measure: `${name} vs n8n's HTTP Request node, ${what} (${setup}; ratio per run: ${perRun.map((r) => fmt(r, 2)).join(', ')})`,
				value: spread(ours[key]).text,
				baseline: spread(http[key]).text,
				ratio: fmt(spread(perRun).median, 2),
			});
		}
	}
}

// ------------------------------------------------------------------------------------------------
// 3 + 4. Pagination and drain against the sandbox

async function withPeakHeap<T>(
	fn: () => Promise<T>,
): Promise<{ result: T; peakMb: number; seconds: number }> {
	global.gc?.();
	const start = process.memoryUsage().heapUsed;
	let peak = start;
	const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
	const started = performance.now();
	try {
		const result = await fn();
		peak = Math.max(peak, process.memoryUsage().heapUsed);
		return {
			result,
			peakMb: (peak - start) / 1024 / 1024,
			seconds: (performance.now() - started) / 1000,
		};
	} finally {
		clearInterval(timer);
	}
}

async function pagination(): Promise<void> {
	const total = 10_000;
	const pageSize = 100;
	const sandbox = await startSandbox({ port: 0, incidentCount: total });
	try {
		sandbox.faults.add({ route: 'atlas.getPageList', kind: 'latency', latencyMs: 50 });
		const credentials = {
			atlasApi: {
				environment: 'custom',
				baseUrl: sandbox.url,
				clientId: DEFAULT_ATLAS_CLIENT_ID,
				clientSecret: DEFAULT_ATLAS_CLIENT_SECRET,
			},
		};
		const calls = () => sandbox.requests.filter((r) => r.route === 'atlas.getPageList').length;

		const before = calls();
		const ours = await withPeakHeap(async () =>
			executeNode({
				nodeType: new Atlas(),
				parameters: {
					resource: 'incident',
					operation: 'getMany',
					returnAll: true,
					options: { pageSize },
				},
				credentials,
			}),
		);
		const ourCalls = calls() - before;
		const ourRecords = ours.result[0].length;

		// The HTTP Request node's way: one page after the other until a short page.
		const context = createExecuteContext({ nodeType: new Atlas(), credentials });
		const seqBefore = calls();
		const sequential = await withPeakHeap(async () => {
			const records: IDataObject[] = [];
			for (let pageIndex = 1; ; pageIndex++) {
				const page = await atlasApiRequest.call(context, 'Listing incidents', 'event/getPageList', {
					pageIndex,
					pageSize,
				});
				const batch = (page.records as IDataObject[]) ?? [];
				records.push(...batch);
				if (batch.length < pageSize) return records;
			}
		});
		const seqCalls = calls() - seqBefore;
		const minimum = Math.ceil(total / pageSize);
		rows.push(
			{
				section: '3 pagination',
				measure: `requests for ${ourRecords} incidents (page size ${pageSize})`,
				value: String(ourCalls),
				baseline: `ceil(total/pageSize) = ${minimum}; sequential loop: ${seqCalls}`,
				ratio: fmt(ourCalls / minimum, 2),
				goal: '= 1.00',
			},
			{
				section: '3 pagination',
				measure: 'wall time, 50 ms per call (s)',
				value: fmt(ours.seconds, 2),
				baseline: `${fmt(sequential.seconds, 2)} (sequential loop)`,
				ratio: fmt(ours.seconds / sequential.seconds, 2),
			},
			{
				section: '3 pagination',
				measure: 'peak heap growth (MB)',
				value: fmt(ours.peakMb),
				baseline: `${fmt(sequential.peakMb)} (sequential loop)`,
				ratio: fmt(ours.peakMb / sequential.peakMb, 2),
			},
		);
	} finally {
		await sandbox.close();
	}
}

async function drain(): Promise<void> {
	const n = 10_000;
	const sandbox = await startSandbox({ port: 0, incidentCount: 0 });
	try {
		const credentials = {
			expediaRapidApi: {
				environment: 'custom',
				baseUrl: sandbox.url,
				apiKey: DEFAULT_RAPID_API_KEY,
				sharedSecret: DEFAULT_RAPID_SHARED_SECRET,
			},
		};
		const calls = () => sandbox.requests.filter((r) => r.route === 'rapid.getUndeliverable').length;
		sandbox.rapid.enqueueUndeliverable(n);
		const before = calls();
		const ours = await withPeakHeap(async () =>
			executeNode({
				nodeType: new ExpediaRapid(),
				parameters: {
					resource: 'notification',
					operation: 'getUndeliverable',
					maxCalls: Math.max(DEFAULT_MAX_CALLS, 1000),
				},
				credentials,
			}),
		);
		const ourCalls = calls() - before;
		const received = ours.result[0].length;

		// Baseline: the same calls as bare signed fetches, nothing else.
		sandbox.rapid.enqueueUndeliverable(n);
		const bare = await withPeakHeap(async () => {
			let got = 0;
			for (;;) {
				const response = await fetch(`${sandbox.url}/v3/notifications?undeliverable=true`, {
					headers: {
						authorization: buildAuthorizationHeader(
							DEFAULT_RAPID_API_KEY,
							DEFAULT_RAPID_SHARED_SECRET,
						),
						accept: 'application/json',
					},
				});
				const batch = (await response.json()) as unknown[];
				got += batch.length;
				if (batch.length === 0) return got;
			}
		});
		const minimum = Math.ceil(n / 25) + 1;
		rows.push(
			{
				section: '4 drain',
				measure: `calls for ${received} of ${n} notifications`,
				value: String(ourCalls),
				baseline: `ceil(n/25)+1 = ${minimum}`,
				ratio: fmt(ourCalls / minimum, 2),
				goal: '= 1.00',
			},
			{
				section: '4 drain',
				measure: 'wall time (s)',
				value: fmt(ours.seconds, 2),
				baseline: `${fmt(bare.seconds, 2)} (bare signed fetch loop)`,
				ratio: fmt(ours.seconds / bare.seconds, 2),
			},
		);
	} finally {
		await sandbox.close();
	}
}

// ------------------------------------------------------------------------------------------------
// 5. Dedupe state

function dedupeState(): void {
	for (const maxEntries of [DEFAULT_DEDUPE_MAX_ENTRIES, MAX_DEDUPE_MAX_ENTRIES]) {
		const staticData: IDataObject = {};
		let done = 0;
		for (const target of [1_000, 10_000, 100_000]) {
			for (; done < target; done++) {
				isDuplicateAndRecord(staticData, 'seen', `${done}-0f8fad5b-d9cb-469f-a165-70867728950e`, {
					maxEntries,
					maxAgeSeconds: 8 * 86400,
					processKey: `bench-state-${maxEntries}`,
				});
			}
			const bytes = JSON.stringify(staticData).length;
			const unbounded = target * JSON.stringify('0f8fad5b-d9cb-469f-a165-70867728950e,').length;
			rows.push({
				section: '5 dedupe state',
				measure: `bytes after ${target.toLocaleString('en')} events (window ${maxEntries.toLocaleString('en')})`,
				value: bytes.toLocaleString('en'),
				baseline: `${unbounded.toLocaleString('en')} (every event_id kept)`,
				ratio: fmt(bytes / unbounded, 3),
				goal: 'bounded',
			});
		}
	}
}

// ------------------------------------------------------------------------------------------------

function printTable(): void {
	const header: Row = {
		section: 'section',
		measure: 'measure',
		value: 'ours',
		baseline: 'baseline (same run)',
		ratio: 'ratio',
		goal: 'goal',
	};
	const all = [header, ...rows];
	const keys = Object.keys(header) as Array<keyof Row>;
	const widths = keys.map((k) => Math.max(...all.map((r) => String(r[k] ?? '').length)));
	const line = (r: Row) =>
		`| ${keys.map((k, i) => String(r[k] ?? '').padEnd(widths[i])).join(' | ')} |`;
	say('');
	say(line(header));
	say(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
	for (const r of rows) say(line(r));
	say(`\nmachine: ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`);
}

async function main(): Promise<void> {
	const n8nLoad = [
		option('n8n-requests', 150),
		option('concurrency', 16),
		option('n8n-runs', 5),
	] as const;
	const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
	if (only !== undefined) {
		if (only === 'lookups') {
			say('2b lookups in real n8n (starts n8n; first run installs it)…');
			await n8nLookups(...n8nLoad);
		} else if (only === 'throughput') {
			say('2 throughput in real n8n (starts n8n; first run installs it)…');
			await n8nThroughput(...n8nLoad);
		} else throw new Error(`--only takes "lookups" or "throughput", not "${only}"`);
		printTable();
		return;
	}
	say('1/5 trigger cost in-process…');
	await triggerCost();
	await triggerSteps();
	if (flag('no-n8n')) say('2/5 skipped (--no-n8n)');
	else {
		say('2/5 throughput in real n8n (starts n8n; first run installs it)…');
		await n8nThroughput(...n8nLoad);
		say('2b/5 lookups in real n8n…');
		await n8nLookups(...n8nLoad);
	}
	say('3/5 incident pagination…');
	await pagination();
	say('4/5 drain…');
	await drain();
	say('5/5 dedupe state…');
	dedupeState();
	printTable();
}

main().catch((error: Error) => {
	process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
	process.exit(1);
});
