/**
 * Contract: Atlas' published incident list (`POST /event/getPageList.do`), its request example and
 * 200 example, run through Incident → Get Many and the Atlas Incident Trigger, and the sandbox's
 * answers checked against the documented response schema.
 *
 * Source: atlas-doc/atlas-api-docs, `Atlas API _notification and webhook.md`, section
 * "POST Incident List" (request example, "200 Response" example, response table); the same
 * schema is the OpenAPI in the project's seed for the incident list.
 */
import type { IDataObject } from 'n8n-workflow';

import { DEFAULT_ATLAS_CLIENT_ID, DEFAULT_ATLAS_CLIENT_SECRET } from '../../dev/sandbox';
import { Atlas } from '../../nodes/Atlas/Atlas.node';
import { AtlasIncidentTrigger } from '../../nodes/Atlas/AtlasIncidentTrigger.node';
import { incidentKey, receivedAt } from '../../nodes/Atlas/incidentPolling';
import { jsonAnswer, startAnsweringServer, type AnsweringServer } from '../helpers/answeringServer';
import { createPollContext, executeNode } from '../helpers/n8n';
import { useSandbox } from './sandbox';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

/** The documented request body example. */
const DOCUMENTED_REQUEST = {
	eventId: '',
	orderNo: '',
	eventType: '',
	eventStatus: [0, 1],
	airline: '',
	eventTimeStart: '2023-04-01 00:00:00',
	eventTimeEnd: '2023-05-01 00:00:00',
	depTimeStart: null,
	depTimeEnd: null,
	pageIndex: 1,
	pageSize: 100,
};

/** Request fields the documented schema names, with their types. */
const REQUEST_FIELDS: Record<string, 'string' | 'integer' | 'integer[]'> = {
	eventId: 'string',
	orderNo: 'string',
	eventType: 'string',
	pnr: 'string',
	paxName: 'string',
	paxEmail: 'string',
	airline: 'string',
	eventStatus: 'integer[]',
	eventTimeStart: 'string',
	eventTimeEnd: 'string',
	depTimeStart: 'string',
	depTimeEnd: 'string',
	updateTimeStart: 'string',
	pageIndex: 'integer',
	pageSize: 'integer',
};

/**
 * The documented "200 Response" example record, as published: its times are in another format
 * than the table's `yyyy-MM-dd HH:mm:ss`, and it has fields the table does not name (`subOrderNo`,
 * `extraInfo`, `clientCode`, `updateIme`, `confirmUsr`).
 */
const DOCUMENTED_RECORD = {
	eventId: '20230401003644225YJQGR',
	orderNo: 'HCNMN20230227142411968',
	subOrderNo: 'HCNMN20230227142411968_1',
	eventType: 'email.schedulechange',
	eventStatus: 0,
	eventTime: 'Apr 1, 2023 12:36:44 AM',
	extraInfo: '4775822',
	confirmedResult: null,
	confirmedRemark: null,
	clientCode: 'TAC00001',
	createTime: 'Apr 1, 2023 12:36:44 AM',
	updateIme: 'Apr 1, 2023 12:36:44 AM',
	airline: 'F9',
	depTime: 'Mar 31, 2023 11:12:00 AM',
	confirmTime: null,
	confirmUsr: null,
	notified: 1,
	pnr: 'G7ZNW5',
	paxName: 'SOWERS/REBECCA MUSETTA,STEPHENS/DAVID JEROME',
	paxEmail: 'GeraldineDushkin2005@ttjipiao.top',
};

/**
 * The example shows `records` only; the response table marks `status`, `pageIndex`, `pageSize` and
 * `total` required (the paging fields typed as strings), so the page carries them too.
 */
const DOCUMENTED_PAGE = {
	status: 0,
	msg: null,
	records: [DOCUMENTED_RECORD],
	pageIndex: '1',
	pageSize: '100',
	total: '1',
};

/** Response record fields the table marks required, and the type of each field it names. */
const RECORD_REQUIRED = [
	'eventId',
	'orderNo',
	'eventType',
	'eventStatus',
	'eventTime',
	'createTime',
	'airline',
	'depTime',
	'pnr',
	'paxName',
	'paxEmail',
];
const RECORD_TYPES: Record<string, 'string' | 'integer' | 'string|null' | 'integer|null'> = {
	eventId: 'string',
	orderNo: 'string',
	eventType: 'string',
	eventStatus: 'integer',
	eventTime: 'string',
	confirmedResult: 'string|null',
	confirmedRemark: 'string|null',
	createTime: 'string',
	airline: 'string',
	depTime: 'string',
	confirmTime: 'string|null',
	notified: 'integer|null',
	pnr: 'string',
	paxName: 'string',
	paxEmail: 'string',
};

const typeOf = (value: unknown) =>
	value === null
		? 'null'
		: Number.isInteger(value)
			? 'integer'
			: Array.isArray(value)
				? value.every((v) => Number.isInteger(v))
					? 'integer[]'
					: 'array'
				: typeof value;

const credentialsFor = (baseUrl: string) => ({
	atlasApi: {
		environment: 'custom',
		baseUrl,
		clientId: DEFAULT_ATLAS_CLIENT_ID,
		clientSecret: DEFAULT_ATLAS_CLIENT_SECRET,
	},
});

describe('the documented incident list through the nodes', () => {
	let server: AnsweringServer;
	beforeAll(async () => {
		server = await startAnsweringServer();
	});
	afterAll(async () => await server.close());
	beforeEach(() => {
		server.answer = jsonAnswer(200, DOCUMENTED_PAGE);
		server.seen.length = 0;
	});

	it('Get Many returns the documented record whole, statuses as numbers', async () => {
		const [output] = await executeNode({
			nodeType: new Atlas(),
			parameters: { resource: 'incident', operation: 'getMany', returnAll: true, simplify: false },
			credentials: credentialsFor(server.url),
		});
		expect(output.map((item) => item.json)).toEqual([DOCUMENTED_RECORD]);
	});

	it('Get Many sends only documented request fields, each of its documented type', async () => {
		await executeNode({
			nodeType: new Atlas(),
			parameters: {
				resource: 'incident',
				operation: 'getMany',
				returnAll: true,
				filters: {
					eventId: 'E1',
					orderNo: 'O1',
					pnr: 'P1',
					paxName: 'A/B',
					paxEmail: 'a@example.com',
					airline: 'F9',
					eventTypes: ['email.schedulechange'],
					eventStatus: [0, 1],
					eventTimeStart: '2023-04-01T00:00:00+08:00',
					eventTimeEnd: '2023-05-01T00:00:00+08:00',
					depTimeStart: '2023-04-02T00:00:00',
					depTimeEnd: '2023-04-03T00:00:00',
				},
			},
			credentials: credentialsFor(server.url),
		});
		expect(server.seen).toHaveLength(1);
		const body = JSON.parse(server.seen[0].body) as IDataObject;
		for (const [field, value] of Object.entries(body)) {
			expect([field, typeOf(value)]).toEqual([field, REQUEST_FIELDS[field]]);
		}
		// Times go out in the documented request format, as in the example.
		expect(body.eventTimeStart).toBe(DOCUMENTED_REQUEST.eventTimeStart);
		expect(body.eventTimeEnd).toBe(DOCUMENTED_REQUEST.eventTimeEnd);
		expect(body).toMatchObject({ pageIndex: 1, eventStatus: DOCUMENTED_REQUEST.eventStatus });
	});

	it("the Incident Trigger reads the example's receiving time (UTC+08:00)", () => {
		expect(new Date(receivedAt(DOCUMENTED_RECORD) as number).toISOString()).toBe(
			'2023-03-31T16:36:44.000Z',
		);
		expect(incidentKey(DOCUMENTED_RECORD)).toBe(DOCUMENTED_RECORD.eventId);
	});

	it('the Incident Trigger emits a record in the example format once, then remembers it', async () => {
		// The example's format, received a minute ago (UTC+08:00 wall clock, 12-hour clock).
		const recent = new Date(Date.now() - 60_000 + 8 * 3600_000);
		const stamp = recent.toLocaleString('en-US', {
			timeZone: 'UTC',
			month: 'short',
			day: 'numeric',
			year: 'numeric',
			hour: 'numeric',
			minute: '2-digit',
			second: '2-digit',
			hour12: true,
		});
		const trigger = new AtlasIncidentTrigger();
		const staticData: IDataObject = {};
		const context = (activation: 'activate' | 'init') =>
			createPollContext({
				nodeType: trigger,
				parameters: {},
				credentials: credentialsFor(server.url),
				staticData,
				workflowId: 'contract',
				mode: 'trigger',
				activation,
			});
		const poll = async (ctx: ReturnType<typeof context>) =>
			((await trigger.poll.call(ctx)) ?? [[]])[0].map((item) => item.json.eventId);

		server.answer = jsonAnswer(200, { ...DOCUMENTED_PAGE, records: [], total: '0' });
		const active = context('activate');
		expect(await poll(active)).toEqual([]);
		const record = { ...DOCUMENTED_RECORD, eventTime: stamp, createTime: stamp };
		server.answer = jsonAnswer(200, { ...DOCUMENTED_PAGE, records: [record] });
		expect(await poll(active)).toEqual([record.eventId]);
		expect(await poll(active)).toEqual([]);
		// After a restart, from the memory n8n saved.
		expect(await poll(context('init'))).toEqual([]);
	});
});

describe('the sandbox answers in the documented shape', () => {
	const sandbox = useSandbox(120);

	it('every record has the required fields, each documented field of its documented type', async () => {
		const response = await fetch(`${sandbox().url}/event/getPageList.do`, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'x-atlas-client-id': DEFAULT_ATLAS_CLIENT_ID,
				'x-atlas-client-secret': DEFAULT_ATLAS_CLIENT_SECRET,
			},
			// The documented request example, for the sandbox's own time span.
			body: JSON.stringify({ ...DOCUMENTED_REQUEST, eventTimeStart: null, eventTimeEnd: null }),
		});
		const page = (await response.json()) as IDataObject & { records: IDataObject[] };
		expect(typeOf(page.status)).toBe('integer');
		for (const field of ['pageIndex', 'pageSize', 'total'])
			expect(typeof page[field]).toBe('string');
		expect(page.records.length).toBeGreaterThan(0);
		for (const record of page.records) {
			expect(Object.keys(record)).toEqual(expect.arrayContaining(RECORD_REQUIRED));
			for (const [field, type] of Object.entries(RECORD_TYPES)) {
				if (!(field in record)) continue;
				expect([field, type.split('|')]).toEqual([
					field,
					expect.arrayContaining([typeOf(record[field])]),
				]);
			}
			expect(['email.schedulechange', 'abnormal.cancelled', 'order.schedulechange']).toContain(
				record.eventType,
			);
			expect([0, 1]).toContain(record.eventStatus);
		}
	});
});
