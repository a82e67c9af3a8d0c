/**
 * Atlas Incident Trigger: poll() through a real n8n-core PollContext against the sandbox, with the
 * workflow's static data kept between polls as n8n keeps it.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { Sandbox } from '../../dev/sandbox';
import { AtlasIncidentTrigger, POLL_MEMORY_KEY } from '../../nodes/Atlas/AtlasIncidentTrigger.node';
import {
	MAX_REMEMBERED,
	mergePoll,
	OVERLAP_MS,
	readMemory,
	type PollMemory,
} from '../../nodes/Atlas/incidentPolling';
import { createPollContext } from '../helpers/n8n';
import { atlasCredentials, requestsTo, useSandbox } from './sandbox';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

const trigger = new AtlasIncidentTrigger();

/**
 * One workflow: its static data lives as long as the test. As in n8n, one activation keeps one
 * poll context for all its polls; `reactivate()` starts another (new settings take effect then).
 */
function workflowOn(
	sandbox: () => Sandbox,
	parameters: INodeParameters = {},
	activation: 'activate' | 'init' = 'activate',
) {
	const staticData: IDataObject = {};
	const workflowId = `incident-poll-${Math.random()}`;
	const newContext = (mode: 'trigger' | 'manual', activationMode = activation) =>
		createPollContext({
			nodeType: trigger,
			parameters,
			credentials: atlasCredentials(sandbox()),
			staticData,
			workflowId,
			mode,
			activation: activationMode,
		});
	let active: ReturnType<typeof newContext> | undefined;
	const poll = async (mode: 'trigger' | 'manual' = 'trigger') => {
		const context = mode === 'manual' ? newContext(mode) : (active ??= newContext(mode));
		const result = (await trigger.poll.call(context)) as INodeExecutionData[][] | null;
		return result?.[0].map((item) => item.json) ?? [];
	};
	const reactivate = (mode?: 'activate' | 'init') => {
		active = newContext('trigger', mode);
	};
	const node = () => (staticData['node:Atlas Incident Trigger'] ?? {}) as IDataObject;
	const memory = () => readMemory(node()[POLL_MEMORY_KEY]);
	const setMemory = (change: Partial<PollMemory>) => {
		node()[POLL_MEMORY_KEY] = { ...(node()[POLL_MEMORY_KEY] as IDataObject), ...change };
	};
	return { poll, reactivate, memory, setMemory, staticData };
}

const ids = (items: IDataObject[]) => items.map((item) => String(item.eventId));

/** An eventTime, in Atlas' UTC+08:00 wall clock, `minutes` ago. */
const receivedAgo = (minutes: number) =>
	new Date(Date.now() + 8 * 3600_000 - minutes * 60_000)
		.toISOString()
		.slice(0, 19)
		.replace('T', ' ');

describe('Atlas Incident Trigger', () => {
	const sandbox = useSandbox(40);
	const workflow = (parameters?: INodeParameters) => workflowOn(sandbox, parameters);
	const listCalls = () => requestsTo(sandbox(), 'atlas.getPageList');

	it('emits nothing on its first poll: it starts from now', async () => {
		const wf = workflow();
		sandbox().atlas.createIncident();
		expect(await wf.poll()).toEqual([]);
		expect(wf.memory().startedAt).toBeGreaterThan(0);
		expect(wf.memory().since).toBeGreaterThan(0);
	});

	it('emits an incident created between polls once, though later polls list it again', async () => {
		const wf = workflow();
		await wf.poll();
		const created = sandbox().atlas.createIncident();
		const second = await wf.poll();
		expect(second).toEqual([expect.objectContaining({ eventId: created.eventId, change: 'new' })]);
		expect(await wf.poll()).toEqual([]);
	});

	it('emits a confirmation as a change; "New Incidents Only" does not', async () => {
		const both = workflow();
		const onlyNew = workflow({ emit: 'new' });
		await both.poll();
		await onlyNew.poll();
		const created = sandbox().atlas.createIncident();
		await both.poll();
		await onlyNew.poll();
		sandbox().atlas.confirmIncident(created.eventId, { result: 'Flight Cancelled' });
		expect(await both.poll()).toEqual([
			expect.objectContaining({
				eventId: created.eventId,
				eventStatus: 1,
				confirmedResult: 'Flight Cancelled',
				change: 'changed',
				changedFields: ['eventStatus', 'confirmedResult'],
				previous: { eventStatus: 0, confirmedResult: null },
			}),
		]);
		expect(await both.poll()).toEqual([]);
		expect(await onlyNew.poll()).toEqual([]);
	});

	it('a changed remark says so, with the old and new remark, though Simplify drops remarks', async () => {
		const wf = workflow();
		await wf.poll();
		const created = sandbox().atlas.createIncident();
		sandbox().atlas.confirmIncident(created.eventId, { result: 'Accepted', remark: 'call pax' });
		await wf.poll();
		sandbox().atlas.confirmIncident(created.eventId, { result: 'Accepted', remark: 'rebooked' });
		const [item] = await wf.poll();
		expect(item).toMatchObject({
			eventId: created.eventId,
			change: 'changed',
			changedFields: ['confirmedRemark'],
			confirmedRemark: 'rebooked',
			previous: { confirmedRemark: 'call pax' },
		});
	});

	it('an incident created and confirmed between two polls is emitted once, as new', async () => {
		const wf = workflow();
		await wf.poll();
		const created = sandbox().atlas.createIncident();
		sandbox().atlas.confirmIncident(created.eventId);
		const items = await wf.poll();
		expect(items.filter((i) => i.eventId === created.eventId)).toEqual([
			expect.objectContaining({ change: 'new', eventStatus: 1 }),
		]);
	});

	it('filters by type and status', async () => {
		const wf = workflow({ eventTypes: ['abnormal.cancelled'], statuses: [0] });
		await wf.poll();
		const wanted = sandbox().atlas.createIncident({ eventType: 'abnormal.cancelled' });
		sandbox().atlas.createIncident({ eventType: 'order.schedulechange' });
		expect(ids(await wf.poll())).toEqual([wanted.eventId]);
		const body = listCalls().at(-1)?.body as IDataObject;
		expect(body).toMatchObject({ eventType: 'abnormal.cancelled', eventStatus: [0] });
	});

	it('a poll that fails half-way emits nothing; the next poll loses nothing', async () => {
		const wf = workflow();
		await wf.poll();
		const before = wf.memory();
		// Two pages of 100: the first arrives, the second fails.
		const created = Array.from({ length: 150 }, () => sandbox().atlas.createIncident());
		sandbox().faults.add({ route: 'atlas.getPageList', kind: 'http', status: 500, skip: 1 });
		await expect(wf.poll()).rejects.toThrow(/HTTP 500/);
		expect(wf.memory()).toEqual(before);
		sandbox().faults.clear();
		expect(ids(await wf.poll()).sort()).toEqual(created.map((c) => c.eventId).sort());
	});

	it('backs off on Atlas rate limits instead of failing, and keeps its place', async () => {
		const wf = workflow();
		await wf.poll();
		const before = wf.memory();
		const created = sandbox().atlas.createIncident();
		sandbox().faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status: 110 });
		expect(await wf.poll()).toEqual([]);
		expect(wf.memory()).toEqual(before);
		sandbox().faults.clear();
		expect(ids(await wf.poll())).toEqual([created.eventId]);
	}, 120_000);

	describe('a first poll that fails still starts the watch', () => {
		// Incidents of other tests may share the first attempt's second, which counts as watched.
		// Clocks differ: what Atlas received within the overlap before the first attempt is watched.
		const createdMinuteAgo = () => sandbox().atlas.createIncident({ eventTime: receivedAgo(15) });
		it('rate-limited beyond the retries: incidents created after it are emitted next time', async () => {
			const wf = workflow();
			const older = createdMinuteAgo();
			sandbox().faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status: 110 });
			expect(await wf.poll()).toEqual([]);
			const created = sandbox().atlas.createIncident();
			sandbox().faults.clear();
			const emitted = ids(await wf.poll());
			expect(emitted).toContain(created.eventId);
			expect(emitted).not.toContain(older.eventId);
			expect(await wf.poll()).toEqual([]);
		}, 120_000);

		it('an error: incidents created after it are emitted, older ones are not', async () => {
			const wf = workflow();
			const older = createdMinuteAgo();
			sandbox().faults.add({ route: 'atlas.getPageList', kind: 'http', status: 500 });
			await expect(wf.poll()).rejects.toThrow(/HTTP 500/);
			const created = sandbox().atlas.createIncident();
			sandbox().faults.clear();
			const emitted = ids(await wf.poll());
			expect(emitted).toContain(created.eventId);
			expect(emitted).not.toContain(older.eventId);
			expect(await wf.poll()).toEqual([]);
		});
	});

	it.each([
		['every minute', { mode: 'everyMinute' }, 1],
		['every hour', { mode: 'everyHour' }, 60],
		['every 6 hours', { mode: 'everyX', value: 6, unit: 'hours' }, 360],
	])(
		"at n8n's start without a stored memory (nothing emitted yet), polling %s: watches one poll interval and the overlap before it",
		async (_, pollTime, gapMinutes) => {
			// n8n stores a poll's memory only when the poll emits: a restart loses that of quiet polls.
			const watched = gapMinutes + OVERLAP_MS / 60_000;
			const sinceLastPoll = sandbox().atlas.createIncident({ eventTime: receivedAgo(watched - 2) });
			const longBefore = sandbox().atlas.createIncident({ eventTime: receivedAgo(watched + 2) });
			const wf = workflowOn(sandbox, { pollTimes: { item: [pollTime] } }, 'init');
			const emitted = ids(await wf.poll());
			expect(emitted).toContain(sinceLastPoll.eventId);
			expect(emitted).not.toContain(longBefore.eventId);
			expect(await wf.poll()).toEqual([]);
		},
	);

	it("a first poll failing at n8n's start keeps the workflow active and the watch's start", async () => {
		// Throwing would fail the activation; n8n retries that with a fresh memory.
		const wf = workflowOn(sandbox, {}, 'init');
		sandbox().faults.add({ route: 'atlas.getPageList', kind: 'http', status: 500 });
		expect(await wf.poll()).toEqual([]);
		const created = sandbox().atlas.createIncident();
		// Later polls fail as usual, so that n8n records the error.
		await expect(wf.poll()).rejects.toThrow(/HTTP 500/);
		sandbox().faults.clear();
		expect(ids(await wf.poll())).toContain(created.eventId);
	});

	it("adding an event type to watch does not emit that type's existing incidents, only new ones", async () => {
		const parameters: INodeParameters = { eventTypes: ['order.schedulechange'] };
		const wf = workflow(parameters);
		const existing = sandbox().atlas.createIncident({
			eventType: 'abnormal.cancelled',
			eventTime: receivedAgo(30),
		});
		await wf.poll();
		await wf.poll();
		parameters.eventTypes = ['order.schedulechange', 'abnormal.cancelled'];
		wf.reactivate();
		const fresh = sandbox().atlas.createIncident({ eventType: 'abnormal.cancelled' });
		const emitted = ids(await wf.poll());
		expect(emitted).toContain(fresh.eventId);
		expect(emitted).not.toContain(existing.eventId);
		expect(await wf.poll()).toEqual([]);
	});

	it('refuses a look-back that is not a number of days, and keeps its memory', async () => {
		const parameters: INodeParameters = {};
		const wf = workflow(parameters);
		await wf.poll();
		const before = wf.memory();
		parameters.options = { lookBackDays: '3 days' };
		wf.reactivate();
		await expect(wf.poll()).rejects.toThrow(
			'Look Back (Days) must be a number of days above 0, not "3 days"',
		);
		expect(wf.memory()).toEqual(before);
	});

	it("a poll failing at n8n's start after a restart keeps the workflow active, whatever it remembers", async () => {
		const wf = workflowOn(sandbox);
		sandbox().faults.add({ route: 'atlas.getPageList', kind: 'http', status: 500 });
		await expect(wf.poll()).rejects.toThrow(/HTTP 500/);
		// n8n restarts: the activation poll must not throw, or n8n retries the activation for hours.
		wf.reactivate('init');
		expect(await wf.poll()).toEqual([]);
		await expect(wf.poll()).rejects.toThrow(/HTTP 500/);
		const created = sandbox().atlas.createIncident();
		sandbox().faults.clear();
		expect(ids(await wf.poll())).toContain(created.eventId);
	});

	it('two polls that overlap (a slow one still running) emit a new incident once', async () => {
		for (const slow of ['first', 'second'] as const) {
			const wf = workflow();
			await wf.poll();
			const created = sandbox().atlas.createIncident();
			// Whichever poll's listing is slow finishes after the other one.
			sandbox().faults.add({
				route: 'atlas.getPageList',
				kind: 'latency',
				latencyMs: 400,
				skip: slow === 'first' ? 0 : 1,
				times: 1,
			});
			const first = wf.poll();
			await sleep(5);
			const second = wf.poll();
			const emitted = [...(await first), ...(await second)];
			sandbox().faults.clear();
			expect(ids(emitted)).toEqual([created.eventId]);
			expect(await wf.poll()).toEqual([]);
		}
	});

	it('"Fetch Test Event" returns the latest few and remembers nothing', async () => {
		const wf = workflow({ simplify: false });
		const items = await wf.poll('manual');
		expect(items).toHaveLength(5);
		expect(items[0]).toHaveProperty('paxName');
		expect(wf.memory()).toEqual({ incidents: [] });
	});

	it('asks Atlas for the time Atlas received incidents, in its UTC+08:00 wall clock', async () => {
		const wf = workflow({ options: { lookBackDays: 1 } });
		await wf.poll();
		// Last complete poll at 00:05 on 1 June in Beijing (16:05 UTC the day before).
		const since = Date.UTC(2024, 4, 31, 16, 5, 0);
		wf.setMemory({ since, horizon: undefined });
		const lateNight = sandbox().atlas.createIncident({ eventTime: '2024-05-31 23:58:00' });
		const before = Date.now();
		const items = await wf.poll();
		const body = listCalls().at(-1)?.body as IDataObject;
		expect(since - OVERLAP_MS).toBe(Date.UTC(2024, 4, 31, 15, 55, 0));
		expect(body.eventTimeStart).toBe('2024-05-31 23:55:00');
		// The listing ends at the poll's start: incidents arriving while it pages wait for the next.
		const end = Date.parse(`${String(body.eventTimeEnd).replace(' ', 'T')}+08:00`);
		expect(end).toBeGreaterThanOrEqual(before - 1000);
		expect(end).toBeLessThanOrEqual(Date.now());
		expect(body).not.toHaveProperty('updateTimeStart');
		expect(ids(items)).toContain(lateNight.eventId);
	});
});

describe('Atlas Incident Trigger, when the list moves while it is read', () => {
	const sandbox = useSandbox(0);
	afterEach(() => {
		sandbox().atlas.incidents.length = 0;
		sandbox().atlas.beforeListPage = undefined;
	});

	const createMany = (count: number) =>
		Array.from({ length: count }, () => sandbox().atlas.createIncident().eventId);

	/** `minutes` pass before the next poll: the incidents' times move back instead of the clock. */
	const minutesPass = (minutes: number) => {
		const shift = (stamp: unknown) =>
			typeof stamp === 'string'
				? new Date(Date.parse(`${stamp.replace(' ', 'T')}+08:00`) + 8 * 3600_000 - minutes * 60_000)
						.toISOString()
						.slice(0, 19)
						.replace('T', ' ')
				: stamp;
		for (const incident of sandbox().atlas.incidents) {
			for (const field of ['eventTime', 'createTime', 'updateTime'] as const) {
				incident[field] = shift(incident[field]) as string;
			}
		}
	};

	it('incidents arriving between pages are all emitted, each once, with polls 30 minutes apart', async () => {
		const wf = workflowOn(sandbox);
		await wf.poll();
		const before = createMany(200);
		let late: string[] = [];
		sandbox().atlas.beforeListPage = (body) => {
			if (body.pageIndex === 2 && late.length === 0) late = createMany(30);
		};
		const emitted = ids(await wf.poll());
		sandbox().atlas.beforeListPage = undefined;
		minutesPass(30);
		emitted.push(...ids(await wf.poll()));
		expect(emitted.sort()).toEqual([...before, ...late].sort());
		expect(await wf.poll()).toEqual([]);
	});

	it('a page that comes back empty early: the next poll, 30 minutes later, emits the rest once', async () => {
		const wf = workflowOn(sandbox);
		await wf.poll();
		const created = createMany(200);
		const { atlas } = sandbox();
		let emptied = false;
		atlas.beforeListPage = (body) => {
			if (body.pageIndex !== 2 || emptied) return;
			emptied = true;
			const all = atlas.incidents.splice(0);
			void sleep(0).then(() => atlas.incidents.push(...all));
		};
		const since = wf.memory().since;
		const first = ids(await wf.poll());
		expect(first).toHaveLength(100);
		expect(wf.memory().since).toBe(since);
		minutesPass(30);
		const second = ids(await wf.poll());
		expect([...first, ...second].sort()).toEqual([...created].sort());
	});

	it('a server that ignores pageIndex: the poll does not move its place; the rest comes once it answers', async () => {
		const wf = workflowOn(sandbox);
		await wf.poll();
		const created = createMany(150);
		sandbox().atlas.beforeListPage = (body) => {
			body.pageIndex = 1;
		};
		const since = wf.memory().since;
		const first = ids(await wf.poll());
		expect(first).toHaveLength(100);
		expect(wf.memory().since).toBe(since);
		sandbox().atlas.beforeListPage = undefined;
		const second = ids(await wf.poll());
		expect([...first, ...second].sort()).toEqual([...created].sort());
	});
});

describe('Atlas Incident Trigger against servers that read updateTimeStart differently', () => {
	const sandbox = useSandbox(0);
	afterEach(() => {
		sandbox().atlas.incidents.length = 0;
		sandbox().atlas.updateTimeStart = 'utc+8';
	});

	it.each(['ignore', 'utc'] as const)(
		'a server that reads it as %s: nothing twice, nothing missed, one request per page',
		async (reading) => {
			const { atlas } = sandbox();
			atlas.updateTimeStart = reading;
			const old = Array.from({ length: 120 }, () => atlas.createIncident().eventId);
			const wf = workflowOn(sandbox);
			expect(await wf.poll()).toEqual([]);
			const created = Array.from({ length: 130 }, () => atlas.createIncident().eventId);
			atlas.confirmIncident(old[5], { result: 'Accepted' });
			const requests = () => requestsTo(sandbox(), 'atlas.getPageList').length;
			const before = requests();
			const items = await wf.poll();
			expect(requests() - before).toBe(Math.ceil(250 / 100));
			expect(ids(items.filter((i) => i.change === 'new')).sort()).toEqual(created.sort());
			expect(items.filter((i) => i.change === 'changed')).toEqual([
				expect.objectContaining({
					eventId: old[5],
					eventStatus: 1,
					changedFields: ['eventStatus', 'confirmedResult'],
				}),
			]);
			expect(await wf.poll()).toEqual([]);
		},
	);
});

describe('mergePoll', () => {
	const at = (second: number) => Date.UTC(2026, 0, 1) + second * 1000;
	/** An incident Atlas received at `second`, as its UTC+08:00 eventTime. */
	const incident = (id: number, second = id, eventStatus = 0): IDataObject => ({
		eventId: `E${id}`,
		eventStatus,
		eventTime: new Date(at(second) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' '),
	});
	const window = { start: at(-1), end: at(1e6) };
	const listing = (incidents: IDataObject[], polledAt: number, complete = true) => ({
		incidents,
		polledAt,
		complete,
		window,
	});

	it('above the bound, forgets the incidents Atlas received longest ago, whatever the order listed', () => {
		const learned: PollMemory = { startedAt: at(0), since: at(0), listedAt: at(0), incidents: [] };
		// Newest first, as Atlas lists them.
		const many = Array.from({ length: MAX_REMEMBERED + 50 }, (_, i) => incident(i)).reverse();
		const { memory, changes } = mergePoll(learned, listing(many, at(1e5)), 'newAndChanged');
		expect(changes).toHaveLength(MAX_REMEMBERED + 50);
		expect(memory.incidents).toHaveLength(MAX_REMEMBERED);
		// The newest are remembered: listed again they are not new.
		const again = mergePoll(memory, listing(many.slice(0, 100), at(1e5 + 60)), 'newAndChanged');
		expect(again.changes).toEqual([]);
		// The forgotten oldest are not taken for new either.
		const oldest = mergePoll(memory, listing(many.slice(-50), at(1e5 + 60)), 'newAndChanged');
		expect(oldest.changes).toEqual([]);
		// A really new incident still is.
		const fresh = mergePoll(memory, listing([incident(2e5)], at(2e5)), 'newAndChanged');
		expect(fresh.changes).toEqual([{ incident: incident(2e5), change: 'new' }]);
	});

	it('reads an eventTime sent as epoch seconds', () => {
		const memory: PollMemory = { startedAt: at(0), since: at(0), listedAt: at(0), incidents: [] };
		const seconds = { eventId: 'S1', eventStatus: 0, eventTime: at(500) / 1000 };
		const { memory: next, changes } = mergePoll(
			memory,
			listing([seconds], at(600)),
			'newAndChanged',
		);
		expect(changes).toHaveLength(1);
		expect(next.incidents[0][1]).toBe(at(500));
	});

	it('tells which long text changed, even past the part it remembers', () => {
		const long = (end: string) => `${'x'.repeat(150)}${end}`;
		const state = (result: string, remark: string) => ({
			...incident(1),
			eventStatus: 1,
			confirmedResult: result,
			confirmedRemark: remark,
		});
		let memory: PollMemory = { startedAt: at(0), since: at(0), listedAt: at(0), incidents: [] };
		memory = mergePoll(
			memory,
			listing([state(long('a'), long('a'))], at(10)),
			'newAndChanged',
		).memory;
		const both = mergePoll(memory, listing([state(long('b'), long('b'))], at(20)), 'newAndChanged');
		expect(both.changes[0]).toMatchObject({
			changedFields: ['confirmedResult', 'confirmedRemark'],
			previous: { confirmedResult: `${'x'.repeat(100)}…`, confirmedRemark: `${'x'.repeat(100)}…` },
		});
		const remarkOnly = mergePoll(
			memory,
			listing([state(long('a'), long('c'))], at(20)),
			'newAndChanged',
		);
		expect(remarkOnly.changes[0].changedFields).toEqual(['confirmedRemark']);
	});

	it('discards a poll that finishes after a newer poll merged', () => {
		const memory: PollMemory = { startedAt: at(0), since: at(10), listedAt: at(10), incidents: [] };
		const result = mergePoll(memory, listing([incident(5)], at(9)), 'newAndChanged');
		expect(result).toMatchObject({ stale: true, changes: [] });
		expect(result.memory).toBe(memory);
	});

	it('an incomplete listing emits what it read but does not move its place', () => {
		const memory: PollMemory = { startedAt: at(0), since: at(10), listedAt: at(10), incidents: [] };
		const result = mergePoll(memory, listing([incident(15)], at(20), false), 'newAndChanged');
		expect(result.changes).toHaveLength(1);
		expect(result.memory).toMatchObject({ since: at(10), listedAt: at(20) });
	});

	it('reads a damaged memory as empty and carries over the memory of version 0.2', () => {
		for (const damaged of [
			null,
			'x',
			{ incidents: 'x' },
			{ since: 'soon', incidents: [[1, 2], ['a']] },
		]) {
			expect(readMemory(damaged)).toMatchObject({ since: undefined, incidents: [] });
		}
		const old = readMemory({
			polledAt: at(3),
			seen: [
				['E1', 'abc'],
				[1, 'x'],
			],
		});
		expect(old).toMatchObject({ since: at(3), incidents: [['E1', at(3), 'abc']] });
	});
});
