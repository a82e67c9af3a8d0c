/**
 * Atlas Incident Trigger: poll() through a real n8n-core PollContext against the sandbox, with the
 * workflow's static data kept between polls as n8n keeps it.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { AtlasIncidentTrigger, POLL_MEMORY_KEY } from '../../nodes/Atlas/AtlasIncidentTrigger.node';
import {
	comparePoll,
	MAX_REMEMBERED,
	OVERLAP_MS,
	readMemory,
} from '../../nodes/Atlas/incidentPolling';
import { createPollContext } from '../helpers/n8n';
import { atlasCredentials, requestsTo, useSandbox } from './sandbox';

const trigger = new AtlasIncidentTrigger();
const sandbox = useSandbox(40);

/** One workflow: its static data lives as long as the test. */
function workflow(parameters: INodeParameters = {}) {
	const staticData: IDataObject = {};
	const workflowId = `incident-poll-${Math.random()}`;
	const poll = async (mode: 'trigger' | 'manual' = 'trigger') => {
		const context = createPollContext({
			nodeType: trigger,
			parameters,
			credentials: atlasCredentials(sandbox()),
			staticData,
			workflowId,
			mode,
		});
		const result = (await trigger.poll.call(context)) as INodeExecutionData[][] | null;
		return result?.[0].map((item) => item.json) ?? [];
	};
	const memory = () =>
		readMemory((staticData['node:Atlas Incident Trigger'] as IDataObject)?.[POLL_MEMORY_KEY]);
	return { poll, memory, staticData };
}

const listCalls = () => requestsTo(sandbox(), 'atlas.getPageList');

describe('Atlas Incident Trigger', () => {
	it('emits nothing on its first poll: it starts from now', async () => {
		const wf = workflow();
		sandbox().atlas.createIncident();
		expect(await wf.poll()).toEqual([]);
		expect(wf.memory().polledAt).toBeGreaterThan(0);
	});

	it('emits an incident created between polls once, though the overlap lists it again', async () => {
		const wf = workflow();
		await wf.poll();
		const created = sandbox().atlas.createIncident();
		const second = await wf.poll();
		expect(second).toEqual([expect.objectContaining({ eventId: created.eventId, change: 'new' })]);
		// The next poll reads the same minutes again (overlap): nothing twice.
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
			}),
		]);
		expect(await onlyNew.poll()).toEqual([]);
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
		expect((await wf.poll()).map((i) => i.eventId)).toEqual([wanted.eventId]);
		const body = listCalls().at(-1)?.body as IDataObject;
		expect(body).toMatchObject({ eventType: 'abnormal.cancelled', eventStatus: [0] });
	});

	it('a poll that fails half-way emits nothing and keeps its place: the next poll loses nothing', async () => {
		const wf = workflow();
		await wf.poll();
		const before = wf.memory();
		// Two pages of 100: the first arrives, the second fails.
		const created = Array.from({ length: 150 }, () => sandbox().atlas.createIncident());
		sandbox().faults.add({ route: 'atlas.getPageList', kind: 'http', status: 500, skip: 1 });
		await expect(wf.poll()).rejects.toThrow(/HTTP 500/);
		expect(wf.memory()).toEqual(before);
		sandbox().faults.clear();
		const items = await wf.poll();
		expect(items.map((i) => i.eventId).sort()).toEqual(created.map((c) => c.eventId).sort());
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
		expect((await wf.poll()).map((i) => i.eventId)).toEqual([created.eventId]);
	}, 120_000);

	it('"Fetch Test Event" returns the latest few and remembers nothing', async () => {
		const wf = workflow({ simplify: false });
		const items = await wf.poll('manual');
		expect(items).toHaveLength(5);
		expect(items[0]).toHaveProperty('paxName');
		expect(wf.memory()).toEqual({ polledAt: undefined, seen: [] });
	});

	it('asks Atlas in its UTC+08:00 wall clock, across a date boundary', async () => {
		const wf = workflow();
		await wf.poll();
		// Last poll at 00:05 on 1 June in Beijing (16:05 UTC the day before).
		const polledAt = Date.UTC(2024, 4, 31, 16, 5, 0);
		const memory = wf.memory();
		(wf.staticData['node:Atlas Incident Trigger'] as IDataObject)[POLL_MEMORY_KEY] = {
			...memory,
			polledAt,
		} as unknown as IDataObject;
		const lateNight = sandbox().atlas.createIncident({ updateTime: '2024-05-31 23:58:00' });
		const items = await wf.poll();
		const body = listCalls().at(-1)?.body as IDataObject;
		expect(body.updateTimeStart).toBe('2024-05-31 23:55:00');
		expect(polledAt - OVERLAP_MS).toBe(Date.UTC(2024, 4, 31, 15, 55, 0));
		expect(items.map((i) => i.eventId)).toContain(lateNight.eventId);
	});
});

describe('comparePoll', () => {
	const incident = (id: number, eventStatus = 0): IDataObject => ({
		eventId: `E${id}`,
		eventStatus,
	});

	it('remembers at most MAX_REMEMBERED incidents, dropping those seen longest ago', () => {
		const many = Array.from({ length: MAX_REMEMBERED + 50 }, (_, i) => incident(i));
		const { memory } = comparePoll(many, { polledAt: 1, seen: [] }, 'newAndChanged', 2);
		expect(memory.seen).toHaveLength(MAX_REMEMBERED);
		expect(memory.seen[0][0]).toBe('E50');
		// The newest are still recognised.
		const again = comparePoll([incident(MAX_REMEMBERED + 49)], memory, 'newAndChanged', 3);
		expect(again.changes).toEqual([]);
	});

	it('emits incidents without an ID (they cannot be recognised), after the first poll', () => {
		const noId = { eventType: 'abnormal.cancelled' };
		expect(comparePoll([noId], { seen: [] }, 'newAndChanged', 1).changes).toEqual([]);
		expect(comparePoll([noId], { polledAt: 1, seen: [] }, 'newAndChanged', 2).changes).toEqual([
			{ incident: noId, change: 'new' },
		]);
	});

	it('reads a damaged memory as empty', () => {
		for (const damaged of [null, 'x', { seen: 'x' }, { polledAt: 'soon', seen: [[1, 2], ['a']] }]) {
			expect(readMemory(damaged)).toEqual({ polledAt: undefined, seen: [] });
		}
	});
});
