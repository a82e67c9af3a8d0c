/** Atlas → Order → Get through a real n8n-core ExecuteContext, against the sandbox over real HTTP. */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { Atlas } from '../../nodes/Atlas/Atlas.node';
import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { createExecuteContext, createWebhookContext, executeNode } from '../helpers/n8n';
import { DOCUMENTED_ORDER_FIELDS } from './documentedOrders';
import {
	atlasCredentials,
	continueOnFail,
	expectApiError,
	requestsTo,
	useSandbox,
} from './sandbox';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

const atlas = new Atlas();
const sandbox = useSandbox(40);
const lookups = () => requestsTo(sandbox(), 'atlas.queryOrderDetails');
/** Nowhere: a push to it fails, but the sandbox has sent the callback all the same. */
const NOWHERE = 'http://127.0.0.1:9/atlas';

async function getOrder(parameters: INodeParameters, items?: INodeExecutionData[]) {
	const [output] = await executeNode({
		nodeType: atlas,
		parameters: { resource: 'order', operation: 'get', ...parameters },
		credentials: atlasCredentials(sandbox()),
		items,
	});
	return output;
}

/** Runs `action` and returns the lookups it made. */
async function lookupsDuring<T>(action: () => Promise<T>) {
	const before = lookups().length;
	const result = await action().catch((error: unknown) => error);
	return { result, calls: lookups().slice(before) };
}

/** An order number the sandbox knows from its incidents, and that incident. */
function knownOrder(eventType = 'order.schedulechange') {
	const incident = sandbox().atlas.incidents.find(
		(i) => i.eventType === eventType && !sandbox().atlas.orders.has(i.orderNo),
	);
	if (!incident) throw new Error(`no untouched ${eventType} incident in the sandbox`);
	return incident;
}

const asDisplayed = (wallClock: string) => wallClock.slice(0, 16);

describe('Order → Get: the request', () => {
	it('sends the order number, trimmed, with the Atlas keys', async () => {
		const { orderNo } = knownOrder();
		const { calls } = await lookupsDuring(async () => await getOrder({ orderNo: `  ${orderNo} ` }));
		expect(calls).toHaveLength(1);
		expect(calls[0].path).toBe('/queryOrderDetails.do');
		expect(calls[0].method).toBe('POST');
		expect(calls[0].body).toEqual({ orderNo });
		expect(calls[0].headers['x-atlas-client-id']).toBe(
			atlasCredentials(sandbox()).atlasApi.clientId,
		);
		expect(calls[0].headers['content-type']).toMatch(/^application\/json/);
	});

	it('takes the order number from a trigger item by expression, one lookup per item', async () => {
		const [first, second] = [knownOrder(), knownOrder('email.schedulechange')];
		const items = [first, second].map((i) => ({
			json: { eventType: i.eventType, orderNo: i.orderNo },
		}));
		const output = await getOrder({ orderNo: '={{ $json.orderNo }}' }, items);
		expect(output.map((item) => item.json.orderNo)).toEqual([first.orderNo, second.orderNo]);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('sends a numeric order number as text', async () => {
		sandbox().atlas.orders.set('12345', {
			...sandbox().atlas.order(knownOrder().orderNo)!,
			orderNo: '12345',
		});
		const { calls } = await lookupsDuring(async () => await getOrder({ orderNo: '={{ 12345 }}' }));
		expect(calls[0].body).toEqual({ orderNo: '12345' });
	});

	it.each([
		['empty', ''],
		['only spaces', '   '],
		['an object', '={{ { "orderNo": "TO1" } }}'],
		['a missing trigger field', '={{ $json.orderNo }}'],
	])('refuses an order number that is %s, before asking Atlas', async (_name, orderNo) => {
		const { result, calls } = await lookupsDuring(
			async () => await getOrder({ orderNo }, [{ json: { eventType: 'airline.status' } }]),
		);
		expect(result).toBeInstanceOf(NodeOperationError);
		expect((result as Error).message).toMatch(/^No order number to look up/);
		expect((result as NodeOperationError).description).toContain('orderNo field');
		expect(calls).toHaveLength(0);
	});
});

describe('Order → Get: Simplify', () => {
	it('is on by default and keeps what a person acts on, with readable statuses', async () => {
		const incident = knownOrder();
		const [{ json }] = await getOrder({ orderNo: incident.orderNo });
		const stored = sandbox().atlas.order(incident.orderNo)!;
		const names = incident.paxName.split(',');
		expect(Object.keys(json).sort()).toEqual(
			[
				'orderNo',
				'atlasPnr',
				'orderStatus',
				'orderStatusName',
				'ticketStatus',
				'ticketStatusName',
				'airlinePnrs',
				'airlines',
				'passengers',
				'segments',
				'totalPrice',
				'totalTransactionFee',
				'totalAncillaryPrice',
				'currency',
			].sort(),
		);
		expect(json).toMatchObject({
			orderNo: incident.orderNo,
			atlasPnr: stored.pnrCode,
			orderStatus: 2,
			orderStatusName: 'Ticketed',
			ticketStatus: 1,
			ticketStatusName: 'Issued',
			airlinePnrs: [incident.pnr],
			airlines: [incident.airline],
			totalPrice: stored.totalPrice,
			currency: 'USD',
		});
		const tickets = (stored.paxTicketInfos as IDataObject[]).map((p) => p.ticketNos);
		expect(json.passengers).toEqual(
			names.map((name, index) => ({
				name,
				type: 'Adult',
				typeCode: 0,
				ticketNumbers: tickets[index],
				airlinePnrs: [incident.pnr],
			})),
		);
		const [segment] = json.segments as IDataObject[];
		expect(segment).toMatchObject({
			direction: 'outbound',
			segmentIndex: 1,
			carrier: incident.airline,
			departure: asDisplayed(incident.depTime),
			cabinClass: 1,
			cabinClassName: 'Economy',
		});
		for (const field of ['flightNumber', 'from', 'to', 'arrival', 'bookingClass']) {
			expect(typeof segment[field]).toBe('string');
		}
	});

	it("off, returns Atlas' answer as sent: every documented field", async () => {
		const { orderNo } = knownOrder();
		const [{ json }] = await getOrder({ orderNo, simplify: false });
		const required = Object.entries(DOCUMENTED_ORDER_FIELDS).filter(([, r]) => r);
		for (const [field] of required) expect(json).toHaveProperty(field);
		expect(json).toEqual({ status: 0, msg: 'success', ...sandbox().atlas.order(orderNo) });
		expect(json.orderStatus).toBe('2');
	});

	it('reads an unaccounted cancellation as cancelled, the ticket still issued', async () => {
		const { orderNo } = knownOrder('abnormal.cancelled');
		const [{ json }] = await getOrder({ orderNo });
		expect(json).toMatchObject({
			orderStatus: -3,
			orderStatusName: 'Cancelled',
			ticketStatusName: 'Issued',
		});
	});
});

describe('Order → Get: after a callback the sandbox sent, the order reads accordingly', () => {
	const send = async (type: string, orderNo: string, data: IDataObject = {}) =>
		await sandbox().atlas.push(type, { data: { orderNo, ...data } }, { url: NOWHERE });

	it('ticketed: the ticket numbers of the callback', async () => {
		const { orderNo } = knownOrder();
		sandbox().atlas.order(orderNo)!.orderStatus = '1';
		sandbox().atlas.order(orderNo)!.ticketStatus = '0';
		const before = (await getOrder({ orderNo }))[0].json;
		expect(before).toMatchObject({
			orderStatusName: 'Ticketing in Progress',
			ticketStatusName: 'Not Issued',
		});
		const event = sandbox().atlas.sampleEvent('order.ticketed', { data: { orderNo } });
		await sandbox().atlas.push(
			'order.ticketed',
			{ data: event.data as IDataObject },
			{ url: NOWHERE },
		);
		const [{ json }] = await getOrder({ orderNo });
		expect(json).toMatchObject({ orderStatusName: 'Ticketed', ticketStatusName: 'Issued' });
		const sent = (event.data as { paxTicketInfos: IDataObject[] }).paxTicketInfos;
		expect((json.passengers as IDataObject[]).map((p) => p.ticketNumbers)).toEqual(
			sent.map((p) => p.ticketNos),
		);
	});

	it('void: cancelled, the ticket no longer issued', async () => {
		const { orderNo } = knownOrder();
		await send('order.void', orderNo, { voidStatus: 2 });
		const [{ json }] = await getOrder({ orderNo });
		expect(json).toMatchObject({
			orderStatus: -3,
			orderStatusName: 'Cancelled',
			ticketStatus: 0,
			ticketStatusName: 'Not Issued',
		});
	});

	it('void rejected: unchanged', async () => {
		const { orderNo } = knownOrder();
		await send('order.void', orderNo, { voidStatus: 4 });
		const [{ json }] = await getOrder({ orderNo });
		expect(json).toMatchObject({ orderStatusName: 'Ticketed', ticketStatusName: 'Issued' });
	});

	it("cancelled: cancelled, with Atlas' reason", async () => {
		const { orderNo } = knownOrder();
		await send('order.cancelled', orderNo, { errorCode: '604', errorMessage: 'Fare gone' });
		const [{ json }] = await getOrder({ orderNo });
		expect(json).toMatchObject({
			orderStatusName: 'Cancelled',
			errorCode: '604',
			errorMessage: 'Fare gone',
		});
	});

	it('schedule change: the old segments were the order’s, the new ones are', async () => {
		const { orderNo } = knownOrder();
		const [{ json: before }] = await getOrder({ orderNo });
		const event = sandbox().atlas.sampleEvent('order.schedulechange', { data: { orderNo } });
		const data = event.data as { originalSegs: IDataObject[]; revisedSegs: IDataObject[] };
		const shown = (segs: IDataObject[]) =>
			segs.map((s) => [
				s.carrier,
				s.flightNumber,
				s.depAirport,
				s.arrAirport,
				asDisplayed(String(s.depTime)),
				asDisplayed(String(s.arrTime)),
			]);
		const ours = (segs: IDataObject[]) =>
			segs.map((s) => [s.carrier, s.flightNumber, s.from, s.to, s.departure, s.arrival]);
		expect(shown(data.originalSegs)).toEqual(ours(before.segments as IDataObject[]));
		await sandbox().atlas.push('order.schedulechange', { data }, { url: NOWHERE });
		const [{ json: after }] = await getOrder({ orderNo });
		expect(ours(after.segments as IDataObject[])).toEqual(shown(data.revisedSegs));
		expect(after.segments).not.toEqual(before.segments);
	});
});

describe('Order → Get: every documented status is a clear error', () => {
	it('an unknown order: status 703, what to do, not retried', async () => {
		const { result, calls } = await lookupsDuring(
			async () => await getOrder({ orderNo: 'TO-NOT-THERE' }),
		);
		const error = await expectApiError(Promise.reject(result));
		expect(error.message).toBe(
			'Looking up the order: Atlas refused the request with status 703: No order found, please check the parameter',
		);
		expect(error.description).toMatch(/found no order with this number .*Check the order number/);
		expect(calls).toHaveLength(1);
	});

	it.each([
		[800, /no order with this number/],
		[701, /more than one order/],
		[702, /needs an order number/],
		[704, /do not belong to the same order/],
	])('status %i fails at once with its advice', async (status, advice) => {
		sandbox().faults.add({ route: 'atlas.queryOrderDetails', kind: 'atlas-status', status });
		const { result, calls } = await lookupsDuring(
			async () => await getOrder({ orderNo: knownOrder().orderNo }),
		);
		const error = await expectApiError(Promise.reject(result));
		expect(error.message).toMatch(
			new RegExp(`^Looking up the order: Atlas refused the request with status ${status}`),
		);
		expect(error.description).toMatch(advice);
		expect(calls).toHaveLength(1);
	});

	it('status 705 (timeout) is retried once, then says to wait and run again', async () => {
		sandbox().faults.add({ route: 'atlas.queryOrderDetails', kind: 'atlas-status', status: 705 });
		const { result, calls } = await lookupsDuring(
			async () => await getOrder({ orderNo: knownOrder().orderNo }),
		);
		const error = await expectApiError(Promise.reject(result));
		expect(error.message).toMatch(/status 705.*\(after 2 attempts\)$/);
		expect(error.description).toMatch(/timed out.*run it again/);
		expect(calls).toHaveLength(2);
	});

	it('a 705 followed by an answer outputs the order', async () => {
		sandbox().faults.add({
			route: 'atlas.queryOrderDetails',
			kind: 'atlas-status',
			status: 705,
			times: 1,
		});
		const { orderNo } = knownOrder();
		const output = await getOrder({ orderNo });
		expect(output[0].json.orderNo).toBe(orderNo);
	});

	it('the common statuses keep their advice: wrong keys (900)', async () => {
		const promise = executeNode({
			nodeType: atlas,
			parameters: { resource: 'order', operation: 'get', orderNo: knownOrder().orderNo },
			credentials: atlasCredentials(sandbox(), 'wrong-secret'),
		});
		const error = await expectApiError(promise);
		expect(error.message).toMatch(
			/^Looking up the order: Atlas refused the request with status 900/,
		);
		expect(error.description).toMatch(/client ID or client secret/);
		expect(JSON.stringify(error)).not.toContain('wrong-secret');
	});

	it('with On Error → Continue, a failed lookup is an error item paired with its input', async () => {
		const context = createExecuteContext({
			nodeType: atlas,
			parameters: { resource: 'order', operation: 'get', orderNo: '={{ $json.orderNo }}' },
			credentials: atlasCredentials(sandbox()),
			items: [{ json: { orderNo: 'TO-NOT-THERE' } }, { json: { orderNo: knownOrder().orderNo } }],
		});
		continueOnFail(context);
		const [output] = await atlas.execute.call(context);
		expect(output[0]).toMatchObject({
			json: { error: expect.stringMatching(/status 703/) },
			pairedItem: { item: 0 },
		});
		expect(output[1]).toMatchObject({
			json: { orderStatusName: 'Ticketed' },
			pairedItem: { item: 1 },
		});
	});
});

describe('Order → Get after the triggers, as a flow chains them', () => {
	/** What the Atlas Trigger emits for a callback the sandbox sent. */
	async function triggerItem(type: string) {
		const payload = sandbox().atlas.sampleEvent(type, { data: { orderNo: knownOrder().orderNo } });
		await sandbox().atlas.push(type, payload, { url: NOWHERE });
		const trigger = new AtlasTrigger();
		const { context } = createWebhookContext({
			nodeType: trigger,
			// Events without cid (a cancellation) pass behind an IP allow-list.
			parameters: { options: { allowedIps: '127.0.0.1/32' } },
			credentials: atlasCredentials(sandbox()),
			request: {
				headers: { 'content-type': 'application/json;charset=UTF-8' },
				rawBody: Buffer.from(JSON.stringify(payload), 'utf8'),
			},
		});
		const result = await trigger.webhook.call(context);
		const item = result.workflowData?.[0]?.[0];
		if (!item) throw new Error(`the Atlas Trigger emitted nothing for ${type}`);
		return { item, payload };
	}

	it('Atlas Trigger (schedule change) → Get with {{ $json.orderNo }}: the revised flights', async () => {
		const { item, payload } = await triggerItem('order.schedulechange');
		const [{ json }] = await getOrder({ orderNo: '={{ $json.orderNo }}' }, [item]);
		const data = payload.data as { orderNo: string; revisedSegs: IDataObject[] };
		expect(json.orderNo).toBe(data.orderNo);
		expect((json.segments as IDataObject[]).map((s) => s.departure)).toEqual(
			data.revisedSegs.map((s) => asDisplayed(String(s.depTime))),
		);
	});

	it('Atlas Trigger (ticketing failed) → Get: cancelled, with the reason', async () => {
		const { item, payload } = await triggerItem('order.cancelled');
		const [{ json }] = await getOrder({ orderNo: '={{ $json.orderNo }}' }, [item]);
		expect(json).toMatchObject({
			orderStatusName: 'Cancelled',
			errorCode: (payload.data as IDataObject).errorCode,
		});
	});

	it('Incident → Get Many (the Incident Trigger’s item shape) → Get, one order per incident', async () => {
		const [incidents] = await executeNode({
			nodeType: atlas,
			parameters: { resource: 'incident', operation: 'getMany', returnAll: false, limit: 3 },
			credentials: atlasCredentials(sandbox()),
		});
		const output = await getOrder({ orderNo: '={{ $json.orderNo }}' }, incidents);
		expect(output.map((o) => o.json.orderNo)).toEqual(incidents.map((i) => i.json.orderNo));
	});
});
