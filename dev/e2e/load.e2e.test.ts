/**
 * Reliability under load, in a real n8n: 10,000 requests at a published Rapid Trigger workflow with
 * bounded concurrency (10% duplicates re-sent after their original was acknowledged, 1% forged).
 * Every genuine notification must start exactly one execution; duplicates and forged ones none.
 * n8n runs with the setting recommended for webhook volume (E2E_LOAD_N8N_DEFAULTS=1: n8n's
 * defaults, about 4× slower); the rest of the e2e suite keeps n8n's defaults.
 */
import { fire, percentile, rapidPlan } from '../bench/load';
import { DEFAULT_RAPID_API_KEY, DEFAULT_RAPID_SHARED_SECRET } from '../sandbox';
import { LOAD_EVENTS, LOAD_N8N_ENV, report, startStack, T, waitFor, type Stack } from './harness';

const CONCURRENCY = 16;

let stack: Stack;
/** About when the first refused call (the webhook probe) reached the trigger: reports count from it. */
let firstRefusalAt = 0;
beforeAll(async () => {
	// n8n 1.x answers readiness before it registers the webhooks: the first shots would meet 404.
	stack = await startStack({ env: LOAD_N8N_ENV, webhooksFirst: [T.load] });
	firstRefusalAt = Date.now();
}, 30 * 60_000);
afterAll(async () => await stack?.stop(), 120_000);

it(
	`${LOAD_EVENTS} signed notifications: one execution per genuine event, none for duplicates or forgeries`,
	async () => {
		const plan = rapidPlan(
			stack.sandbox,
			DEFAULT_RAPID_API_KEY,
			DEFAULT_RAPID_SHARED_SECRET,
			LOAD_EVENTS,
		);
		const { results, seconds } = await fire(stack.url(T.load), plan.shots, {
			concurrency: CONCURRENCY,
			followUp: plan.followUp,
		});
		const refusingSeconds = (Date.now() - firstRefusalAt) / 1000;
		const byKind = (kind: string) => results.filter((r) => r.shot.kind === kind);
		const statuses = (kind: string) => [...new Set(byKind(kind).map((r) => r.status))];
		expect(statuses('genuine')).toEqual([200]);
		expect(statuses('duplicate')).toEqual([200]);
		expect(statuses('forged')).toEqual([401]);

		const genuine = plan.genuineIds.length;
		const outputs = await waitFor(
			async () => await stack.outputField(T.load, 'Rapid Trigger', 'event_id'),
			(rows) =>
				rows.filter((r) => r.values.length > 0).length >= genuine &&
				rows.every((r) => r.status === 'success'),
			300_000,
		);
		// Forged calls start refusal reports (at most one per 5 minutes), which carry no event.
		const eventRows = outputs.filter((row) => row.values.length > 0);
		const reportsOnly = outputs.length - eventRows.length;
		const emitted = eventRows.flatMap((row) => row.values.map(String));
		const counts = new Map<string, number>();
		for (const id of emitted) counts.set(id, (counts.get(id) ?? 0) + 1);
		const lost = plan.genuineIds.filter((id) => !counts.has(id)).length;
		const repeated = [...counts.values()].filter((n) => n > 1).length;
		const forgedIds = new Set(byKind('forged').map((r) => r.shot.eventId));
		const forgedEmitted = emitted.filter((id) => forgedIds.has(id)).length;
		const latencies = results.map((r) => r.ms);
		report(
			`[load] sent ${results.length} (genuine ${genuine}, duplicates ${byKind('duplicate').length}, forged ${forgedIds.size}) ` +
				`in ${seconds.toFixed(1)} s = ${(results.length / seconds).toFixed(0)} req/s, p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
				`p99 ${percentile(latencies, 99).toFixed(1)} ms; executions ${eventRows.length} (+${reportsOnly} refusal reports), lost ${lost}, duplicate executions ${repeated}, forged executions ${forgedEmitted}`,
		);
		expect(reportsOnly).toBeLessThanOrEqual(1 + Math.floor(refusingSeconds / 300));
		expect({ executions: eventRows.length, lost, repeated, forgedEmitted }).toEqual({
			executions: genuine,
			lost: 0,
			repeated: 0,
			forgedEmitted: 0,
		});
		expect((await fetch(`${stack.n8n.url}/healthz`)).status).toBe(200);
		expect(stack.loadProblems()).toEqual([]);
	},
	45 * 60_000,
);
