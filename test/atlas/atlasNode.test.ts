/** The Atlas node (Incident → Get Many, Webhook → Register URL) through a real n8n-core ExecuteContext, against the sandbox. */
import { DateTime } from 'luxon';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { SIMPLIFIED_FIELDS } from '../../nodes/Atlas/incidents';
import { Atlas } from '../../nodes/Atlas/Atlas.node';
import { createExecuteContext, executeNode } from '../helpers/n8n';
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

const INCIDENTS = 300;
const atlas = new Atlas();
const sandbox = useSandbox(INCIDENTS);

const listCalls = () => requestsTo(sandbox(), 'atlas.getPageList');

async function getMany(
	parameters: INodeParameters,
	items?: INodeExecutionData[],
	typeVersion?: number,
) {
	const [output] = await executeNode({
		nodeType: atlas,
		parameters: { resource: 'incident', operation: 'getMany', ...parameters },
		credentials: atlasCredentials(sandbox()),
		items,
		typeVersion,
	});
	return output;
}

/** Runs `action` and returns the getPageList requests it made. */
async function callsDuring<T>(action: () => Promise<T>) {
	const before = listCalls().length;
	const result = await action();
	return { result, calls: listCalls().slice(before) };
}

const ids = (items: INodeExecutionData[]) => items.map((item) => item.json.eventId);

describe('Incident → Get Many: filters', () => {
	it('sends every filter in the documented form', async () => {
		const { calls } = await callsDuring(
			async () =>
				await getMany({
					returnAll: true,
					filters: {
						eventId: ' E-1 ',
						orderNo: 'TO123',
						pnr: 'NX4K2P',
						paxName: 'ZHANG/SAN',
						paxEmail: 'zhang@example.com',
						airline: 'CA',
						eventTypes: ['order.schedulechange'],
						eventStatus: [0, 1],
						eventTimeStart: '2024-05-01T00:00:00Z',
						eventTimeEnd: '2024-05-31T23:59:59+08:00',
						updateTimeStart: '2024-05-10T12:00:00-04:00',
						depTimeStart: '2024-06-01T06:00:00',
						depTimeEnd: '2024-06-02T23:30:00+09:00',
					},
				}),
		);
		expect(calls).toHaveLength(1);
		expect(calls[0].path).toBe('/event/getPageList.do');
		expect(calls[0].body).toEqual({
			eventId: 'E-1',
			orderNo: 'TO123',
			pnr: 'NX4K2P',
			paxName: 'ZHANG/SAN',
			paxEmail: 'zhang@example.com',
			airline: 'CA',
			eventType: 'order.schedulechange',
			eventStatus: [0, 1],
			eventTimeStart: '2024-05-01 08:00:00',
			eventTimeEnd: '2024-05-31 23:59:59',
			updateTimeStart: '2024-05-11 00:00:00',
			depTimeStart: '2024-06-01 06:00:00',
			depTimeEnd: '2024-06-02 23:30:00',
			pageIndex: 1,
			pageSize: 100,
		});
	});

	it("reads a picker value without offset in the workflow's time zone", async () => {
		const zone = createExecuteContext({ nodeType: atlas }).getTimezone();
		const { calls } = await callsDuring(
			async () =>
				await getMany({ returnAll: true, filters: { eventTimeStart: '2024-05-01T10:00:00' } }),
		);
		const expected = DateTime.fromISO('2024-05-01T10:00:00', { zone })
			.setZone('UTC+8')
			.toFormat('yyyy-MM-dd HH:mm:ss');
		expect(calls[0].body.eventTimeStart).toBe(expected);
	});

	it('sends no filter fields when none are set', async () => {
		const { calls } = await callsDuring(async () => await getMany({ returnAll: false, limit: 5 }));
		expect(calls[0].body).toEqual({ pageIndex: 1, pageSize: 5 });
	});

	it('returns only what the filters select', async () => {
		const wanted = sandbox().atlas.incidents.filter((i) => Number(i.eventStatus) === 1);
		const output = await getMany({ returnAll: true, filters: { eventStatus: [1] } });
		expect(output.length).toBe(wanted.length);
		expect(output.every((item) => item.json.eventStatus === 1)).toBe(true);
	});

	it('lists each selected event type separately, one after the other', async () => {
		const types = ['abnormal.cancelled', 'email.schedulechange'];
		const { result, calls } = await callsDuring(
			async () => await getMany({ returnAll: true, filters: { eventTypes: types } }),
		);
		expect(calls.map((call) => call.body.eventType)).toEqual(types);
		const expected = types.flatMap((type) =>
			sandbox()
				.atlas.incidents.filter((i) => i.eventType === type)
				.map((i) => i.eventId),
		);
		expect(ids(result)).toEqual(expected);
	});

	it('rejects a date it cannot read instead of dropping the filter', async () => {
		await expect(
			getMany({ returnAll: true, filters: { depTimeStart: 'next tuesday' } }),
		).rejects.toThrow(/Cannot read the date in "Departure Time From"/);
	});
});

describe('Incident → Get Many: pagination', () => {
	it.each([1, 7, 100])(
		'Return All with page size %d returns each incident once in ceil(total / pageSize) requests',
		async (pageSize) => {
			const { result, calls } = await callsDuring(
				async () => await getMany({ returnAll: true, options: { pageSize } }),
			);
			expect(calls).toHaveLength(Math.ceil(INCIDENTS / pageSize));
			expect(
				calls.map((call) => call.body.pageIndex).sort((a, b) => Number(a) - Number(b)),
			).toEqual(Array.from({ length: calls.length }, (_, i) => i + 1));
			expect(calls.every((call) => call.body.pageSize === pageSize)).toBe(true);
			expect(ids(result)).toEqual(sandbox().atlas.incidents.map((incident) => incident.eventId));
		},
	);

	it('Simplify (the default) keeps the key fields only', async () => {
		const [first] = await getMany({ returnAll: false, limit: 1 });
		const source = sandbox().atlas.incidents[0] as IDataObject;
		expect(Object.keys(first.json).sort()).toEqual(
			SIMPLIFIED_FIELDS.filter((field) => field in source).sort(),
		);
		expect(first.json.eventId).toBe(source.eventId);
	});

	it('version 1 nodes (made before Simplify) keep every field', async () => {
		const [first] = await getMany({ returnAll: false, limit: 1 }, undefined, 1);
		const source = sandbox().atlas.incidents[0] as IDataObject;
		expect(Object.keys(first.json).sort()).toEqual(Object.keys(source).sort());
	});

	it('normalises numeric strings and keeps every field Atlas sent', async () => {
		const [first] = await getMany({ returnAll: false, limit: 1, simplify: false });
		const source = sandbox().atlas.incidents[0] as IDataObject;
		expect(Object.keys(first.json).sort()).toEqual(Object.keys(source).sort());
		expect(typeof first.json.eventStatus).toBe('number');
		if (source.notified !== null && source.notified !== undefined) {
			expect(typeof first.json.notified).toBe('number');
		}
		expect(first.pairedItem).toEqual({ item: 0 });
	});

	it('Limit 10 stops after the one page it needs', async () => {
		const { result, calls } = await callsDuring(
			async () => await getMany({ returnAll: false, limit: 10 }),
		);
		expect(calls).toHaveLength(1);
		expect(calls[0].body).toMatchObject({ pageIndex: 1, pageSize: 10 });
		expect(ids(result)).toEqual(
			sandbox()
				.atlas.incidents.slice(0, 10)
				.map((i) => i.eventId),
		);
	});

	it('Limit 10 with page size 7 reads two pages', async () => {
		const { result, calls } = await callsDuring(
			async () => await getMany({ returnAll: false, limit: 10, options: { pageSize: 7 } }),
		);
		expect(calls.map((call) => call.body.pageIndex)).toEqual([1, 2]);
		expect(ids(result)).toEqual(
			sandbox()
				.atlas.incidents.slice(0, 10)
				.map((i) => i.eventId),
		);
	});

	it('a limit above the total returns everything in ceil(total / pageSize) requests', async () => {
		const { result, calls } = await callsDuring(
			async () => await getMany({ returnAll: false, limit: 1000, options: { pageSize: 100 } }),
		);
		expect(result).toHaveLength(INCIDENTS);
		expect(calls).toHaveLength(3);
	});

	it('runs once per input item, each output paired with its item', async () => {
		const output = await getMany(
			{ returnAll: false, limit: '={{ $json.limit }}' as unknown as number },
			[{ json: { limit: 2 } }, { json: { limit: 3 } }],
		);
		expect(output.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 0 },
			{ item: 1 },
			{ item: 1 },
			{ item: 1 },
		]);
	});
});

describe('Incident → Get Many: errors', () => {
	const listAll = async () => await getMany({ returnAll: true, options: { pageSize: 100 } });

	it('reports bad keys (status 900) without leaking the secret', async () => {
		const run = executeNode({
			nodeType: atlas,
			parameters: { resource: 'incident', operation: 'getMany', returnAll: true },
			credentials: atlasCredentials(sandbox(), 'not-the-secret'),
		});
		const error = await expectApiError(run);
		expect(error.message).toMatch(/status 900/);
		expect(error.description).toMatch(/client ID or client secret/);
		expect(JSON.stringify(error)).not.toContain('not-the-secret');
	});

	it.each([
		[902, /denied access/],
		[2, /refused the request with status 2.*Atlas' error codes/],
	])('reports status %d with a hint, without retrying', async (status, hint) => {
		sandbox().faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status });
		const { calls, result } = await callsDuring(async () => await expectApiError(listAll()));
		expect(result.message).toMatch(new RegExp(`status ${status}`));
		expect(result.description).toMatch(hint);
		expect(calls).toHaveLength(1);
	});

	it('fails on a later page rather than returning part of the list', async () => {
		sandbox().faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status: 2, skip: 1 });
		const error = await expectApiError(listAll());
		expect(error.message).toMatch(/status 2/);
	});

	const RATE_LIMITED = { kind: 'atlas-status', status: 110 } as const;
	const http = (status: number) => ({ kind: 'http', status }) as const;

	it.each([
		['status 110', RATE_LIMITED],
		['HTTP 429', http(429)],
		['HTTP 500', http(500)],
		['HTTP 503', http(503)],
	])('backs off on %s and returns everything once it clears', async (_name, fault) => {
		sandbox().faults.add({ route: 'atlas.getPageList', ...fault, times: 2 });
		const { result, calls } = await callsDuring(listAll);
		expect(result).toHaveLength(INCIDENTS);
		expect(calls).toHaveLength(3 + 2);
	});

	it.each([
		['status 110', RATE_LIMITED, /status 110.*after 6 attempts/, '200'],
		['HTTP 503', http(503), /HTTP 503.*after 6 attempts/, '503'],
	])(
		'reports a persistent %s once the retries run out',
		async (_name, fault, message, httpCode) => {
			sandbox().faults.add({ route: 'atlas.getPageList', ...fault });
			const error = await expectApiError(listAll());
			expect(error.message).toMatch(message);
			expect(error.httpCode).toBe(httpCode);
		},
	);

	it.each(['malformed-json', 'truncated-gzip'] as const)(
		'recovers from one %s response and reports a persistent one',
		async (kind) => {
			sandbox().faults.add({ route: 'atlas.getPageList', kind, times: 1 });
			expect(await listAll()).toHaveLength(INCIDENTS);
			sandbox().faults.add({ route: 'atlas.getPageList', kind });
			const error = await expectApiError(listAll());
			expect(error.message).toMatch(/not one Atlas sends|Could not reach Atlas/);
		},
	);

	it('continueOnFail turns the failure into an error item paired with its input', async () => {
		sandbox().faults.add({ route: 'atlas.getPageList', kind: 'atlas-status', status: 2 });
		const context = createExecuteContext({
			nodeType: atlas,
			parameters: { resource: 'incident', operation: 'getMany', returnAll: true },
			credentials: atlasCredentials(sandbox()),
			items: [{ json: {} }, { json: {} }],
		});
		continueOnFail(context);
		const [output] = (await atlas.execute.call(context)) as INodeExecutionData[][];
		expect(output).toEqual([
			{
				json: { error: expect.stringMatching(/status 2/), description: expect.any(String) },
				pairedItem: { item: 0 },
			},
			{
				json: { error: expect.stringMatching(/status 2/), description: expect.any(String) },
				pairedItem: { item: 1 },
			},
		]);
	});
});

const register = async (url: string, additionalFields = {}) =>
	await executeNode({
		nodeType: atlas,
		parameters: { resource: 'webhook', operation: 'register', url, additionalFields },
		credentials: atlasCredentials(sandbox()),
	});

describe('Webhook → Register URL', () => {
	it('replaces the URL Atlas sends events to', async () => {
		await register('https://first.example.com/webhook/a/webhook');
		const [[item]] = await register('https://n8n.example.com/webhook/b/webhook');
		expect(sandbox().atlas.webhookUrl()).toBe('https://n8n.example.com/webhook/b/webhook');
		expect(item).toEqual({
			json: {
				url: 'https://n8n.example.com/webhook/b/webhook',
				registered: true,
				status: 0,
				msg: expect.anything(),
			},
			pairedItem: { item: 0 },
		});
		const [last] = requestsTo(sandbox(), 'atlas.updateWebhookURL').slice(-1);
		expect(last.body).toEqual({ url: 'https://n8n.example.com/webhook/b/webhook' });
	});

	it('sends the optional cid', async () => {
		await register('https://n8n.example.com/webhook/c/webhook', { cid: 'sub-7' });
		const [last] = requestsTo(sandbox(), 'atlas.updateWebhookURL').slice(-1);
		expect(last.body).toEqual({ url: 'https://n8n.example.com/webhook/c/webhook', cid: 'sub-7' });
	});

	it('refuses something that is not an http(s) URL, without calling Atlas', async () => {
		const before = requestsTo(sandbox(), 'atlas.updateWebhookURL').length;
		await expect(register('ftp://example.com/x')).rejects.toThrow(NodeOperationError);
		await expect(register('')).rejects.toThrow(/not an http\(s\) URL/);
		expect(requestsTo(sandbox(), 'atlas.updateWebhookURL')).toHaveLength(before);
	});

	it('reports an Atlas failure as a NodeApiError', async () => {
		sandbox().faults.add({ route: 'atlas.updateWebhookURL', kind: 'atlas-status', status: 902 });
		const error = await expectApiError(register('https://n8n.example.com/webhook/d/webhook'));
		expect(error.message).toMatch(
			/Registering the webhook URL: Atlas refused the request with status 902/,
		);
	});

	it('continueOnFail yields an error item paired with its input', async () => {
		sandbox().faults.add({ route: 'atlas.updateWebhookURL', kind: 'atlas-status', status: 2 });
		const context = createExecuteContext({
			nodeType: atlas,
			parameters: { resource: 'webhook', operation: 'register', url: 'https://x.example.com/h' },
			credentials: atlasCredentials(sandbox()),
		});
		continueOnFail(context);
		const [output] = (await atlas.execute.call(context)) as INodeExecutionData[][];
		expect(output).toEqual([
			{
				json: expect.objectContaining({ error: expect.stringMatching(/status 2/) }),
				pairedItem: { item: 0 },
			},
		]);
	});
});
