/**
 * The nodes in n8n queue mode (`npm run test:queue`): PostgreSQL + Redis, one main, two webhook
 * processors, two workers, this package installed in each. Events are sent to both processors;
 * what ran, and where, is read from PostgreSQL and the workers' logs.
 */
import { report, T } from '../e2e/harness.cjs';
import { finishedOutputs, Q, startQueueTestStack, tally, type QueueTestStack } from './harness.cjs';

/** Seconds between the two copies in the "minutes apart" case (QUEUE_DUPLICATE_GAP_SECONDS overrides). */
const GAP_SECONDS = Number(process.env.QUEUE_DUPLICATE_GAP_SECONDS ?? 120);
const RAPID_EVENTS = 60;
const DUPLICATE_PAIRS = 40;

let stack: QueueTestStack;
beforeAll(async () => {
	stack = await startQueueTestStack();
}, 30 * 60_000);
afterAll(async () => await stack?.stop(), 5 * 60_000);

/** Runs `tasks` with at most `width` at once, keeping their order in the results. */
async function inBatches<R>(tasks: Array<() => Promise<R>>, width: number): Promise<R[]> {
	const results: R[] = [];
	for (let i = 0; i < tasks.length; i += width) {
		results.push(...(await Promise.all(tasks.slice(i, i + width).map((task) => task()))));
	}
	return results;
}

/** Execution ids that no worker's log claims. */
function notRunByWorkers(ids: number[]): number[] {
	const byWorker = stack.queue.executionsByWorker();
	return ids.filter((id) => !byWorker.some((set) => set.has(id)));
}

const perWorker = (ids: number[]) =>
	stack.queue.executionsByWorker().map((set) => ids.filter((id) => set.has(id)).length);

it('every process loaded the package', () => {
	expect(stack.queue.webhooks).toHaveLength(2);
	expect(stack.queue.workers).toHaveLength(2);
	expect(stack.loadProblems()).toEqual([]);
});

it('Rapid events sent to both webhook processors: one execution each, all run by the workers', async () => {
	const { rapid } = stack.sandbox;
	const sent = Array.from({ length: RAPID_EVENTS }, (_, i) => ({
		notification: rapid.sampleNotification(rapid.eventTypes[i % rapid.eventTypes.length]),
		processor: i % 2,
	}));
	const results = await inBatches(
		sent.map(
			({ notification, processor }) =>
				async () =>
					await rapid.push(notification, { url: stack.url(T.rapidTrigger, processor) }),
		),
		8,
	);
	expect(new Set(results.map((r) => r.status))).toEqual(new Set([200]));

	const rows = await finishedOutputs(
		stack,
		T.rapidTrigger,
		'Rapid Trigger',
		'event_id',
		RAPID_EVENTS,
	);
	expect(rows.every((row) => row.status === 'success')).toBe(true);
	const counts = tally(rows.flatMap((row) => row.values));
	expect(counts.size).toBe(RAPID_EVENTS);
	expect(sent.every(({ notification }) => counts.get(String(notification.event_id)) === 1)).toBe(
		true,
	);

	const ids = rows.map((row) => row.id);
	expect(notRunByWorkers(ids)).toEqual([]);
	const split = perWorker(ids);
	expect(split.every((n) => n > 0)).toBe(true);
	report(
		`[queue] Rapid: ${RAPID_EVENTS} events, ${RAPID_EVENTS / 2} to each webhook processor → ` +
			`${rows.length} executions (workers ${split.join(' / ')}), each event once`,
	);
});

it('Atlas events sent to both webhook processors: one execution each, all run by the workers', async () => {
	const { atlas } = stack.sandbox;
	const types = [...atlas.eventTypes, ...atlas.eventTypes];
	const results = await inBatches(
		types.map(
			(type, i) => async () =>
				await atlas.push(type, undefined, { url: stack.url(T.atlasTrigger, i % 2) }),
		),
		8,
	);
	expect(new Set(results.map((r) => r.status))).toEqual(new Set([200]));

	const rows = await finishedOutputs(
		stack,
		T.atlasTrigger,
		'Atlas Trigger',
		'eventType',
		types.length,
	);
	expect(rows).toHaveLength(types.length);
	expect(rows.every((row) => row.status === 'success')).toBe(true);
	expect(rows.flatMap((row) => row.values).sort()).toEqual([...types].sort());
	expect(notRunByWorkers(rows.map((row) => row.id))).toEqual([]);
	report(
		`[queue] Atlas: ${types.length} events over both processors → ${rows.length} executions ` +
			`(workers ${perWorker(rows.map((row) => row.id)).join(' / ')})`,
	);
});

it('Get Many and Get Undeliverable run on the workers', async () => {
	stack.sandbox.rapid.enqueueUndeliverable(25);
	expect((await fetch(stack.url(Q.getMany, 0), { method: 'POST' })).status).toBe(200);
	expect((await fetch(stack.url(Q.drain, 1), { method: 'POST' })).status).toBe(200);

	const incidents = await finishedOutputs(stack, Q.getMany, 'Atlas', 'eventId', 1);
	expect(incidents.map((row) => row.status)).toEqual(['success']);
	expect(new Set(incidents[0].values)).toEqual(
		new Set(stack.sandbox.atlas.incidents.map((incident) => incident.eventId)),
	);
	const drained = await finishedOutputs(stack, Q.drain, 'Expedia Rapid', 'event_id', 1);
	expect(drained.map((row) => row.status)).toEqual(['success']);
	expect(drained[0].values).toHaveLength(25);
	expect(stack.sandbox.rapid.undeliverable).toHaveLength(0);

	expect(notRunByWorkers([incidents[0].id, drained[0].id])).toEqual([]);
	report(
		`[queue] actions on workers: Get Many returned ${incidents[0].values.length} incidents, ` +
			`Get Undeliverable drained ${drained[0].values.length} notifications`,
	);
});

/**
 * Sends `pairs` notifications twice, the copies to different webhook processors, and counts how
 * many of each passed the trigger and how many reached Slack after Remove Duplicates.
 */
async function sendTwice(pairs: number, gapSeconds: number) {
	const { rapid } = stack.sandbox;
	const notifications = Array.from({ length: pairs }, () =>
		rapid.sampleNotification('itinerary.supplier.cancel'),
	);
	const push = (notification: object, processor: number) => async () =>
		await rapid.push(notification, { url: stack.url(Q.eachOnce, processor) });
	let statuses: number[];
	if (gapSeconds === 0) {
		const results = await inBatches(
			notifications.map((n) => async () => await Promise.all([push(n, 0)(), push(n, 1)()])),
			4,
		);
		statuses = results.flat().map((r) => r.status);
	} else {
		const first = await inBatches(
			notifications.map((n) => push(n, 0)),
			4,
		);
		await new Promise((resolve) => setTimeout(resolve, gapSeconds * 1000));
		const second = await inBatches(
			notifications.map((n) => push(n, 1)),
			4,
		);
		statuses = [...first, ...second].map((r) => r.status);
	}
	expect(new Set(statuses)).toEqual(new Set([200]));
	const ids = notifications.map((n) => String(n.event_id));
	return { ids };
}

async function countOnce(ids: string[], expectedAtLeast: number) {
	const triggered = await finishedOutputs(
		stack,
		Q.eachOnce,
		'Expedia Rapid Trigger',
		'event_id',
		expectedAtLeast,
	);
	// Late copies may still be queued: give the workers a moment, then read again.
	await new Promise((resolve) => setTimeout(resolve, 3000));
	const rows = await finishedOutputs(
		stack,
		Q.eachOnce,
		'Expedia Rapid Trigger',
		'event_id',
		triggered.length,
	);
	const wanted = new Set(ids);
	const through = tally(rows.flatMap((row) => row.values).filter((id) => wanted.has(String(id))));
	const kept = await finishedOutputs(stack, Q.eachOnce, 'Once per event_id', 'event_id', 0);
	const once = tally(kept.flatMap((row) => row.values).filter((id) => wanted.has(String(id))));
	// What Slack got: the catcher's messages name the event.
	const slack = tally(
		stack.sandbox.caught
			.map((message) => /\(event ([^)]+)\)/.exec(JSON.stringify(message.body))?.[1])
			.filter((id): id is string => id !== undefined && wanted.has(id)),
	);
	expect([...slack.entries()].sort()).toEqual([...once.entries()].sort());
	return {
		executions: rows.filter((row) => row.values.some((id) => wanted.has(String(id)))).length,
		triggerDuplicates: [...through.values()].filter((n) => n > 1).length,
		slackDuplicates: [...slack.values()].filter((n) => n > 1).length,
		lost: ids.filter((id) => !slack.has(id)).length,
		failed: rows.filter((row) => row.status !== 'success').length,
	};
}

it(`duplicates across webhook processors: the same event at once, and ${GAP_SECONDS} s apart`, async () => {
	const atOnce = await sendTwice(DUPLICATE_PAIRS, 0);
	const atOnceCounts = await countOnce(atOnce.ids, DUPLICATE_PAIRS);
	const apart = await sendTwice(DUPLICATE_PAIRS, GAP_SECONDS);
	const apartCounts = await countOnce(apart.ids, DUPLICATE_PAIRS);
	for (const [label, counts] of [
		['at once', atOnceCounts],
		[`${GAP_SECONDS} s apart`, apartCounts],
	] as const) {
		report(
			`[queue] duplicates ${label}: ${DUPLICATE_PAIRS} events × 2 processors → ${counts.executions} executions, ` +
				`${counts.triggerDuplicates} passed the trigger twice, ${counts.slackDuplicates} reached Slack twice, ` +
				`lost ${counts.lost}, failed executions ${counts.failed}`,
		);
	}
	expect(atOnceCounts.lost).toBe(0);
	expect(apartCounts.lost).toBe(0);
});
