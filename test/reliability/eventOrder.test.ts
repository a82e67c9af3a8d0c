/**
 * Out-of-order marks through the real triggers: every delivery runs the trigger's webhook() in a
 * real n8n-core WebhookContext; shuffled deliveries are checked item by item against an oracle.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { STATE_KEYS as ATLAS_KEYS } from '../../nodes/Atlas/AtlasTriggerHelpers';
import { ExpediaRapidTrigger } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node';
import { STATE_KEYS as RAPID_KEYS } from '../../nodes/ExpediaRapid/ExpediaRapidTriggerHelpers';
import { buildAuthorizationHeader } from '../../nodes/ExpediaRapid/signature';
import { CID } from '../atlas/fixtures';
import { createWebhookContext } from '../helpers/n8n';

const rapid = new ExpediaRapidTrigger();
const atlas = new AtlasTrigger();
const rapidCredentials = {
	expediaRapidApi: { environment: 'test', apiKey: 'key', sharedSecret: 'secret' },
};
const atlasCredentials = {
	atlasApi: {
		environment: 'custom',
		baseUrl: 'http://127.0.0.1:9',
		clientId: CID,
		clientSecret: 'x',
	},
};

interface Delivery {
	staticData: IDataObject;
	/** Same id: the same workflow in the same process; another: a restart or another process. */
	workflowId: string;
	parameters?: INodeParameters;
	mode?: 'webhook' | 'manual';
}

async function deliver(trigger: 'rapid' | 'atlas', body: unknown, delivery: Delivery) {
	const nodeType = trigger === 'rapid' ? rapid : atlas;
	const { context } = createWebhookContext({
		nodeType,
		parameters: delivery.parameters ?? {},
		credentials: trigger === 'rapid' ? rapidCredentials : atlasCredentials,
		staticData: delivery.staticData,
		workflowId: delivery.workflowId,
		mode: delivery.mode,
		request: {
			headers: {
				'content-type': 'application/json',
				authorization: buildAuthorizationHeader('key', 'secret'),
			},
			rawBody: Buffer.from(JSON.stringify(body), 'utf8'),
		},
	});
	const result = await nodeType.webhook.call(context);
	return { item: result.workflowData?.[0]?.[0]?.json };
}

let ids = 0;
const rapidEvent = (
	itinerary: string,
	time: string | number | undefined,
	extra: IDataObject = {},
): IDataObject => ({
	event_id: `order-evt-${++ids}`,
	event_type: 'itinerary.agent.change',
	event_time: time,
	itinerary_id: itinerary,
	email: 'customer@example.com',
	message: 'An agent changed the itinerary.',
	...extra,
});
const atlasEmail = (orderNo: string, received: string): IDataObject => ({
	cid: CID,
	type: 'email.all',
	notificationId: `2026112210000000${++ids}ORDER`,
	status: -1,
	data: { orderNo, emailReceivingDate: received, emailCategory: 'Schedule change' },
});

let seed = 24;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
function shuffled<T>(items: T[]): T[] {
	const copy = [...items];
	for (let i = copy.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[copy[i], copy[j]] = [copy[j], copy[i]];
	}
	return copy;
}

/** What each emitted item must say, from the deliveries before it (times as sortable text). */
class Oracle {
	private newest = new Map<string, string>();
	expect(subject: string, time: string) {
		const before = this.newest.get(subject);
		if (before === undefined || time > before) this.newest.set(subject, time);
		return {
			newerEventSeen: before !== undefined && before > time,
			newestEventTime: this.newest.get(subject),
		};
	}
}

let workflows = 0;
const newWorkflowId = () => `order-workflow-${++workflows}`;
/** Rapid sample times with milliseconds, in one minute. */
const at = (second: number, ms = 0) =>
	`2026-11-22T10:00:${String(second).padStart(2, '0')}.${String(ms).padStart(3, '0')}Z`;

describe('Expedia Rapid Trigger: out-of-order marks', () => {
	/** Three itineraries; equal times twice; one event retried (same event_id). */
	function deliveries() {
		const events: Array<{ subject: string; time: string; body: IDataObject }> = [];
		for (const itinerary of ['8091234567890', '8999989898988', '9025254271673']) {
			for (const [second, ms] of [
				[1, 0],
				[2, 500],
				[2, 500],
				[3, 1],
				[3, 2],
				[9, 999],
			]) {
				const time = at(second, ms);
				events.push({ subject: itinerary, time, body: rapidEvent(itinerary, time) });
			}
		}
		const retried = events[4];
		return shuffled([...events, { ...retried }]);
	}

	async function checkShuffles(runs: number, restartEveryCall: boolean) {
		for (let run = 0; run < runs; run++) {
			const oracle = new Oracle();
			const seen = new Set<unknown>();
			let staticData: IDataObject = {};
			const workflowId = newWorkflowId();
			for (const { subject, time, body } of deliveries()) {
				const { item } = await deliver('rapid', body, {
					staticData,
					workflowId: restartEveryCall ? newWorkflowId() : workflowId,
				});
				if (seen.has(body.event_id)) {
					expect(item).toBeUndefined(); // a retry stays a dropped duplicate
					continue;
				}
				seen.add(body.event_id);
				// Never dropped: every new event is emitted, marked as the oracle says.
				expect(item).toMatchObject({ ...body, ...oracle.expect(subject, time) });
				if (restartEveryCall) staticData = JSON.parse(JSON.stringify(staticData)) as IDataObject;
			}
		}
	}

	it('marks each item of shuffled deliveries as an oracle says (one process)', async () => {
		await checkShuffles(60, false);
	});

	it('marks them the same when every delivery meets a restarted n8n (static data only)', async () => {
		await checkShuffles(30, true);
	});

	it("is saved with the duplicate window after n8n cleared the call's change mark, and survives a restart", async () => {
		const staticData: IDataObject = {};
		const { item } = await deliver('rapid', rapidEvent('R-1', at(30)), {
			staticData,
			workflowId: newWorkflowId(),
		});
		expect(item).toMatchObject({ newerEventSeen: false, newestEventTime: at(30) });
		// n8n's workflow marks the static data object it was given (non-enumerable `__dataChanged`).
		const root = staticData as IDataObject & { __dataChanged: boolean };
		expect(root.__dataChanged).toBe(true);
		root.__dataChanged = false; // n8n prepares the execution
		for (let waited = 0; !root.__dataChanged && waited < 10_000; waited += 50) await sleep(50);
		expect(root.__dataChanged).toBe(true); // n8n's save after recording now writes it
		const afterRestart = JSON.parse(JSON.stringify(staticData)) as IDataObject;
		expect(JSON.stringify(afterRestart)).toContain(RAPID_KEYS.order);
		const late = await deliver('rapid', rapidEvent('R-1', at(10)), {
			staticData: afterRestart,
			workflowId: newWorkflowId(),
		});
		expect(late.item).toMatchObject({ newerEventSeen: true, newestEventTime: at(30) });
	});

	it('emits hostile times and ids unmarked and lets them change nothing', async () => {
		const staticData: IDataObject = {};
		const workflowId = newWorkflowId();
		const first = await deliver('rapid', rapidEvent('H-1', at(20)), { staticData, workflowId });
		expect(first.item).toMatchObject({ newerEventSeen: false });
		const notCompared = { newerEventSeen: false, newestEventTime: null };
		for (const body of [
			rapidEvent('H-1', undefined),
			rapidEvent('H-1', 'not a time'),
			rapidEvent('H-1', 1795000000),
			rapidEvent('H-1', '2999-01-01T00:00:00Z'), // would make every later event look stale
			rapidEvent('H-1', '2026-02-30T10:00:00Z'),
			{ ...rapidEvent('x', at(1)), itinerary_id: 8091234567890 },
			{ ...rapidEvent('x', at(1)), itinerary_id: undefined },
		]) {
			const { item } = await deliver('rapid', body, { staticData, workflowId });
			expect(item).toMatchObject(notCompared);
		}
		// The genuine memory is intact.
		const late = await deliver('rapid', rapidEvent('H-1', at(19)), { staticData, workflowId });
		expect(late.item).toMatchObject({ newerEventSeen: true, newestEventTime: at(20) });
		// A huge itinerary id is compared like any other and stored at fixed width.
		const huge = 'I'.repeat(200_000);
		await deliver('rapid', rapidEvent(huge, at(40)), { staticData, workflowId });
		const again = await deliver('rapid', rapidEvent(huge, at(39)), { staticData, workflowId });
		expect(again.item).toMatchObject({ newerEventSeen: true, newestEventTime: at(40) });
		expect(JSON.stringify(staticData).length).toBeLessThan(2000);
	});

	it('forgets the least recently updated itineraries beyond the duplicate window size', async () => {
		const staticData: IDataObject = {};
		const workflowId = newWorkflowId();
		const parameters = { options: { dedupeWindowSize: 2 } };
		for (const itinerary of ['F-1', 'F-2', 'F-3']) {
			await deliver('rapid', rapidEvent(itinerary, at(50)), { staticData, workflowId, parameters });
		}
		const forgotten = await deliver('rapid', rapidEvent('F-1', at(10)), {
			staticData,
			workflowId,
			parameters,
		});
		expect(forgotten.item).toMatchObject({ newerEventSeen: false, newestEventTime: at(10) });
	});

	it('compares nothing without the duplicate window or on the test URL, and records nothing there', async () => {
		const staticData: IDataObject = {};
		const workflowId = newWorkflowId();
		const notCompared = { newerEventSeen: false, newestEventTime: null };
		await deliver('rapid', rapidEvent('T-1', at(30)), { staticData, workflowId, mode: 'manual' });
		const off = { options: { dropDuplicates: false } };
		const { item } = await deliver('rapid', rapidEvent('T-1', at(40)), {
			staticData,
			workflowId,
			parameters: off,
		});
		expect(item).toMatchObject(notCompared);
		expect(JSON.stringify(staticData)).not.toContain(RAPID_KEYS.order);
		const late = await deliver('rapid', rapidEvent('T-1', at(10)), { staticData, workflowId });
		expect(late.item).toMatchObject({ newerEventSeen: false, newestEventTime: at(10) });
	});
});

describe('Atlas Trigger: out-of-order marks', () => {
	it('marks shuffled airline emails per order as an oracle says; types without a time stay unmarked', async () => {
		const behindAllowList = { options: { allowedIps: '127.0.0.1' } };
		for (let run = 0; run < 40; run++) {
			const oracle = new Oracle();
			const staticData: IDataObject = {};
			const workflowId = newWorkflowId();
			const emails = ['TO1', 'TO2'].flatMap((orderNo) =>
				[
					'2026-11-22 09:00:00',
					'2026-11-22 09:00:00',
					'2026-11-22 09:05:10',
					'2026-11-22 10:00:00',
				].map((received) => ({ orderNo, received, body: atlasEmail(orderNo, received) })),
			);
			const ticketed = {
				cid: CID,
				type: 'order.ticketed',
				status: -1,
				data: { orderNo: 'TO1', orderStatus: 2 },
			};
			for (const delivery of shuffled([
				...emails,
				{ orderNo: 'TO1', received: null, body: ticketed },
			])) {
				const { item } = await deliver('atlas', delivery.body, {
					staticData,
					workflowId,
					parameters: behindAllowList,
				});
				if (delivery.received === null) {
					expect(item).toMatchObject({ newerEventSeen: false, newestEventTime: null });
					continue;
				}
				const expected = oracle.expect(delivery.orderNo, delivery.received);
				expect(item).toMatchObject({
					eventType: 'email.all',
					newerEventSeen: expected.newerEventSeen,
					newestEventTime: `${expected.newestEventTime?.replace(' ', 'T')}.000Z`,
				});
			}
			expect(JSON.stringify(staticData)).toContain(ATLAS_KEYS.order);
		}
	});
});
