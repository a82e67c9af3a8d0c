/**
 * The nodes in n8n queue mode (`npm run test:queue`): PostgreSQL + Redis, one main, two webhook
 * processors, two workers, this package installed in each. Events are sent to both processors;
 * what ran, and where, is read from PostgreSQL and the workers' logs.
 */
import { pause, report, T } from '../e2e/harness';
import {
	finishedOutputs,
	GAP_SECONDS,
	Q,
	startQueueTestStack,
	tally,
	type QueueTestStack,
} from './harness';

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

const DEDUPE_WORKFLOWS = [Q.eachOnce, Q.removeDuplicates];

/**
 * Sends `pairs` notifications twice to both dedupe workflows, the two copies to different webhook
 * processors: at the same moment (`gapSeconds` 0) or `gapSeconds` apart.
 */
async function sendTwice(pairs: number, gapSeconds: number): Promise<string[]> {
	const { rapid } = stack.sandbox;
	const notifications = Array.from({ length: pairs }, () =>
		rapid.sampleNotification('itinerary.supplier.cancel'),
	);
	const copy = (notification: object, processor: number) => async () =>
		await Promise.all(
			DEDUPE_WORKFLOWS.map(
				async (id) => await rapid.push(notification, { url: stack.url(id, processor) }),
			),
		);
	let results;
	if (gapSeconds === 0) {
		results = await inBatches(
			notifications.map((n) => async () => await Promise.all([copy(n, 0)(), copy(n, 1)()])),
			4,
		);
	} else {
		results = await inBatches(
			notifications.map((n) => copy(n, 0)),
			4,
		);
		await pause(gapSeconds * 1000);
		results.push(
			...(await inBatches(
				notifications.map((n) => copy(n, 1)),
				4,
			)),
		);
	}
	expect(new Set(results.flat(2).map((r) => r.status))).toEqual(new Set([200]));
	return notifications.map((n) => String(n.event_id));
}

/** Of `ids`, how many a node let through twice, and how many never. */
function twiceAndNever(values: unknown[], ids: string[]) {
	const wanted = new Set(ids);
	const counts = tally(values.map(String).filter((id) => wanted.has(id)));
	return {
		twice: [...counts.values()].filter((n) => n > 1).length,
		never: ids.filter((id) => !counts.has(id)).length,
	};
}

async function countThrough(ids: string[]) {
	const read = async (workflowId: string, nodeName: string) =>
		(await finishedOutputs(stack, workflowId, nodeName, 'event_id', 0)).flatMap(
			(row) => row.values,
		);
	const settled = async (workflowId: string) => {
		// Every copy that passed the trigger is an execution: wait until none is left running.
		const rows = await finishedOutputs(
			stack,
			workflowId,
			'Expedia Rapid Trigger',
			'event_id',
			ids.length,
		);
		await pause(3000);
		const again = await finishedOutputs(
			stack,
			workflowId,
			'Expedia Rapid Trigger',
			'event_id',
			rows.length,
		);
		expect(again.filter((row) => row.status !== 'success')).toEqual([]);
		return again.flatMap((row) => row.values);
	};
	const claimTrigger = await settled(Q.eachOnce);
	const removeTrigger = await settled(Q.removeDuplicates);
	const slackIds = stack.slack.messages
		.filter((message) => message.ok && message.channel === '#hotel-notifications')
		.map((message) => /\(event ([^)]+)\)/.exec(message.text)?.[1])
		.filter((id): id is string => id !== undefined);
	const [claimPass, removePass] = [
		twiceAndNever(claimTrigger, ids),
		twiceAndNever(removeTrigger, ids),
	];
	return {
		// The trigger alone, in each workflow (each out of ids.length).
		trigger: [claimPass, removePass],
		claim: twiceAndNever(slackIds, ids),
		removeDuplicates: twiceAndNever(await read(Q.removeDuplicates, 'Once per event_id'), ids),
	};
}

/**
 * The trigger alone: each copy is checked against the duplicate window in the workflow's static
 * data, which n8n saves right after each accepted call (the trigger answers itself). Copies minutes
 * apart therefore meet the first copy's id, whichever processor got it; copies at the same moment
 * both pass before either save, and the column is written whole, last writer wins, so the trigger
 * alone guarantees nothing then. Hence the PostgreSQL claim (example 05) is what is guaranteed.
 */
it(`duplicates across webhook processors: the same event at once, and ${GAP_SECONDS} s apart`, async () => {
	// n8n's Remove Duplicates node creates its store with the workflow's first execution: two
	// first executions at the same moment on two workers both insert it, and one of them fails
	// (n8n 2.40, duplicate key on processed_data). One event first, so the comparison measures
	// duplicates and not that.
	const warmUp = stack.sandbox.rapid.sampleNotification('itinerary.supplier.cancel');
	await stack.sandbox.rapid.push(warmUp, { url: stack.url(Q.removeDuplicates, 0) });
	await finishedOutputs(stack, Q.removeDuplicates, 'Once per event_id', 'event_id', 1);
	const atOnce = await countThrough(await sendTwice(DUPLICATE_PAIRS, 0));
	const apart = await countThrough(await sendTwice(DUPLICATE_PAIRS, GAP_SECONDS));
	for (const [label, counts] of [
		['at once', atOnce],
		[`${GAP_SECONDS} s apart`, apart],
	] as const) {
		report(
			`[queue] duplicates ${label}: ${DUPLICATE_PAIRS} events, each to both processors; through twice: ` +
				`Rapid Trigger alone ${counts.trigger.map((t) => `${t.twice}/${DUPLICATE_PAIRS}`).join(' and ')} ` +
				`(example 05's trigger and the Remove Duplicates workflow's), ` +
				`+ Remove Duplicates ${counts.removeDuplicates.twice}/${DUPLICATE_PAIRS}, ` +
				`+ PostgreSQL claim (example 05) ${counts.claim.twice}/${DUPLICATE_PAIRS}; ` +
				`lost: trigger ${counts.trigger.map((t) => t.never).join(' / ')}, ` +
				`claim ${counts.claim.never}, Remove Duplicates ${counts.removeDuplicates.never}`,
		);
	}
	// The recommended pattern: every event exactly once, whatever the timing; nothing lost anywhere.
	for (const counts of [atOnce, apart]) {
		expect(counts.claim).toEqual({ twice: 0, never: 0 });
		expect(counts.removeDuplicates.never).toBe(0);
		expect(counts.trigger.map((t) => t.never)).toEqual([0, 0]);
	}
	// Minutes apart the saved window alone recognises the copy on the other processor.
	expect(apart.trigger.map((t) => t.twice)).toEqual([0, 0]);
});
