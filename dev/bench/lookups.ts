/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling: never shipped, runs under plain Node.js */
/**
 * `npm run bench`, lookups: each lookup operation (Simplify off) and n8n's HTTP Request node making
 * the same call with the same credential, in one real n8n against the sandbox, the same load on
 * each, targets taking turns run by run. Both must answer the same body before anything is timed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { waitFor } from '../e2e/harness';
import { startSandbox, type Sandbox } from '../sandbox';
import { startN8n } from '../n8n/process';
import { ensureN8nRuntime } from '../n8n/runtime';
import { findFreePort } from '../n8n/util';
import { fire, percentile } from './load';
import { installTargets, lookupTargets, N8N_SETTINGS, type Target } from './targets';

/** Per run, in the order run: requests per second and median latency (ms). */
export interface LookupRuns {
	name: string;
	ours: { rps: number[]; p50: number[] };
	http: { rps: number[]; p50: number[] };
}

/**
 * One call to each workflow: both must answer 200 with the same JSON, or the bench stops. n8n
 * answers readiness before it registers the published workflows' webhooks: 404 until then.
 */
async function assertSameAnswer(n8nUrl: string, ours: Target, http: Target): Promise<void> {
	const answer = async (t: Target) => {
		const call = async () => {
			const response = await fetch(t.url(n8nUrl), { method: 'POST', body: '{}' });
			return { status: response.status, text: await response.text() };
		};
		const response = await waitFor(call, (r) => r.status !== 404, 60_000);
		const text = response.text;
		if (response.status !== 200)
			throw new Error(`${t.name} answered HTTP ${response.status}: ${text.slice(0, 500)}`);
		const body = JSON.parse(text) as unknown;
		if (typeof body !== 'object' || body === null || Object.keys(body).length === 0)
			throw new Error(`${t.name} answered without the provider's answer: ${text.slice(0, 500)}`);
		return body;
	};
	const [a, b] = [await answer(ours), await answer(http)];
	if (!isDeepStrictEqual(a, b))
		throw new Error(
			`${ours.name} and ${http.name} answered differently:\n${JSON.stringify(a).slice(0, 500)}\n${JSON.stringify(b).slice(0, 500)}`,
		);
}

async function timed(
	n8nUrl: string,
	sandbox: Sandbox,
	t: Target,
	requests: number,
	concurrency: number,
) {
	const { results, seconds } = await fire(t.url(n8nUrl), t.shots(sandbox, requests), {
		concurrency,
	});
	const failed = results.filter((r) => r.status !== 200).length;
	if (failed > 0) throw new Error(`${t.name}: ${failed} of ${requests} requests not answered 200`);
	return {
		rps: results.length / seconds,
		p50: percentile(
			results.map((r) => r.ms),
			50,
		),
	};
}

export async function measureLookups(opts: {
	requests: number;
	concurrency: number;
	reps: number;
	setting: string;
	say: (line: string) => void;
}): Promise<LookupRuns[]> {
	const runtime = await ensureN8nRuntime();
	const userFolder = mkdtempSync(join(tmpdir(), 'travel-ops-bench-lookups-'));
	const sandbox = await startSandbox({ port: 0, incidentCount: 1 });
	try {
		const lookups = lookupTargets(sandbox);
		await installTargets({
			userFolder,
			runtime,
			sandbox,
			targets: lookups.flatMap((l) => [l.ours, l.http]),
			step: (m) => opts.say(`  ${m}`),
		});
		const n8n = await startN8n({
			userFolder,
			port: await findFreePort(),
			runtime,
			env: { ...N8N_SETTINGS[opts.setting], N8N_LOG_LEVEL: 'warn' },
		});
		try {
			const runs: LookupRuns[] = lookups.map((l) => ({
				name: l.name,
				ours: { rps: [], p50: [] },
				http: { rps: [], p50: [] },
			}));
			for (const l of lookups) {
				await assertSameAnswer(n8n.url, l.ours, l.http);
				for (const t of [l.ours, l.http]) await timed(n8n.url, sandbox, t, 50, opts.concurrency);
			}
			for (let rep = 0; rep < opts.reps; rep++) {
				for (const [i, l] of lookups.entries()) {
					// Which goes first alternates, so neither always meets a warmer or colder n8n.
					const order = rep % 2 === 0 ? (['ours', 'http'] as const) : (['http', 'ours'] as const);
					for (const side of order) {
						const { rps, p50 } = await timed(
							n8n.url,
							sandbox,
							l[side],
							opts.requests,
							opts.concurrency,
						);
						runs[i][side].rps.push(rps);
						runs[i][side].p50.push(p50);
						opts.say(
							`  run ${rep + 1}/${opts.reps}, ${l[side].name}: ${rps.toFixed(1)} req/s, p50 ${p50.toFixed(1)} ms`,
						);
					}
				}
			}
			return runs;
		} finally {
			await n8n.stop();
		}
	} finally {
		await sandbox.close();
		rmSync(userFolder, { recursive: true, force: true });
	}
}
