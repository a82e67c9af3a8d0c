/** The sandbox's Atlas API over real HTTP: auth, paging, filters, gzip, webhook registration. */
import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	startSandbox,
	type AtlasIncident,
	type Sandbox,
} from '../../dev/sandbox';
import { atlasCall, listAll } from './http';

const COUNT = 300;
const ANCHOR = Date.UTC(2024, 5, 1, 4, 0, 0); // 2024-06-01 12:00:00 in UTC+08:00

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, incidentCount: COUNT, anchor: ANCHOR });
});
afterAll(async () => await sb.close());

const ids = (records: AtlasIncident[]) => records.map((r) => r.eventId);
const storeWhere = (keep: (i: AtlasIncident) => boolean) => ids(sb.atlas.incidents.filter(keep));

describe('Atlas auth', () => {
	it.each([
		['a wrong client ID', { clientId: 'nope' }],
		['a wrong client secret', { clientSecret: 'nope' }],
		['empty keys', { clientId: '', clientSecret: '' }],
	])('answers HTTP 200 with status 900 for %s', async (_name, keys) => {
		const reply = await atlasCall(sb, 'event/getPageList', { pageSize: 10 }, keys);
		expect(reply.status).toBe(200);
		expect(reply.body).toEqual({ status: 900, msg: 'Unauthorized' });
	});

	it('refuses a registration with wrong keys and keeps the URL', async () => {
		const before = sb.atlas.webhookUrl();
		const reply = await atlasCall(
			sb,
			'updateWebhookURL',
			{ url: 'https://evil.example.com/hook' },
			{ clientSecret: 'nope' },
		);
		expect(reply.body.status).toBe(900);
		expect(sb.atlas.webhookUrl()).toBe(before);
	});
});

describe('Atlas incident list: paging', () => {
	it.each([1, 7, 100])('page size %d returns every incident exactly once', async (pageSize) => {
		const seen: string[] = [];
		const pages = Math.ceil(COUNT / pageSize);
		for (let pageIndex = 1; pageIndex <= pages; pageIndex++) {
			const { body } = await atlasCall(sb, 'event/getPageList', { pageSize, pageIndex });
			expect(body).toMatchObject({
				status: 0,
				pageIndex: String(pageIndex),
				pageSize: String(pageSize),
				total: String(COUNT),
			});
			seen.push(...ids(body.records ?? []));
		}
		expect(seen).toEqual(ids(sb.atlas.incidents));
		expect(new Set(seen).size).toBe(COUNT);
	});

	it('orders by eventTime, newest first', () => {
		const times = sb.atlas.incidents.map((i) => i.eventTime);
		expect(times).toEqual([...times].sort().reverse());
	});

	it('defaults pageIndex to 1 and accepts numeric strings', async () => {
		const { body } = await atlasCall(sb, 'event/getPageList', { pageSize: '5' });
		expect(body.pageIndex).toBe('1');
		expect(ids(body.records ?? [])).toEqual(ids(sb.atlas.incidents.slice(0, 5)));
	});

	it('answers an empty page past the end, with the full total', async () => {
		const { body } = await atlasCall(sb, 'event/getPageList', { pageSize: 100, pageIndex: 4 });
		expect(body).toMatchObject({ status: 0, records: [], total: String(COUNT) });
	});

	// Codes: atlas-doc/atlas-api-docs, troubleshooting-and-support/errors-handing/
	// common-and-access-errors.md (100 missing required request data, 901 illegal request data).
	it.each([
		['missing', {}, 100],
		['zero', { pageSize: 0 }, 901],
		['over 100', { pageSize: 101 }, 901],
		['not a number', { pageSize: 'ten' }, 901],
		['with pageIndex 0', { pageSize: 10, pageIndex: 0 }, 901],
	])('refuses a pageSize %s with the documented status', async (_name, body, status) => {
		const reply = await atlasCall(sb, 'event/getPageList', body);
		expect(reply.status).toBe(200);
		expect(reply.body.status).toBe(status);
		expect(reply.body.records).toBeUndefined();
	});

	it('refuses a body that is not JSON', async () => {
		const response = await fetch(`${sb.url}/event/getPageList.do`, {
			method: 'POST',
			headers: {
				'x-atlas-client-id': DEFAULT_ATLAS_CLIENT_ID,
				'x-atlas-client-secret': DEFAULT_ATLAS_CLIENT_SECRET,
			},
			body: 'pageSize=10',
		});
		expect(((await response.json()) as { status: number }).status).toBe(901);
	});

	it('keeps every documented field, plus an extra field on some records', () => {
		const documented = [
			'eventId',
			'orderNo',
			'eventType',
			'eventStatus',
			'eventTime',
			'confirmedResult',
			'confirmedRemark',
			'createTime',
			'airline',
			'depTime',
			'confirmTime',
			'notified',
			'pnr',
			'paxName',
			'paxEmail',
			'updateTime',
		];
		for (const incident of sb.atlas.incidents) {
			expect(Object.keys(incident)).toEqual(expect.arrayContaining(documented));
		}
		expect(sb.atlas.incidents.some((i) => Object.keys(i).length > documented.length)).toBe(true);
	});
});

describe('Atlas incident list: filters', () => {
	const sample = () => sb.atlas.incidents[42];
	const sharedOrder = () =>
		sb.atlas.incidents.find(
			(a) => sb.atlas.incidents.filter((b) => b.orderNo === a.orderNo).length > 1,
		) as AtlasIncident;

	const cases: Array<[string, () => object, (i: AtlasIncident) => boolean]> = [
		[
			'eventId (exact)',
			() => ({ eventId: sample().eventId }),
			(i) => i.eventId === sample().eventId,
		],
		[
			'orderNo (exact; an order can have several incidents)',
			() => ({ orderNo: sharedOrder().orderNo }),
			(i) => i.orderNo === sharedOrder().orderNo,
		],
		[
			'eventType',
			() => ({ eventType: 'abnormal.cancelled' }),
			(i) => i.eventType === 'abnormal.cancelled',
		],
		[
			'pnr (case-insensitive)',
			() => ({ pnr: sample().pnr.toLowerCase() }),
			(i) => i.pnr === sample().pnr,
		],
		['airline (case-insensitive)', () => ({ airline: 'ca' }), (i) => i.airline === 'CA'],
		[
			'paxName (contains, case-insensitive)',
			() => ({ paxName: 'zhang/' }),
			(i) => i.paxName.includes('ZHANG/'),
		],
		[
			'paxEmail (contains)',
			() => ({ paxEmail: 'example.net' }),
			(i) => i.paxEmail.endsWith('@example.net'),
		],
		['eventStatus [1]', () => ({ eventStatus: [1] }), (i) => i.eventStatus === 1],
		['eventStatus [0]', () => ({ eventStatus: [0] }), (i) => i.eventStatus === 0],
		[
			'eventTimeStart/End (inclusive)',
			() => ({
				eventTimeStart: sb.atlas.incidents[200].eventTime,
				eventTimeEnd: sb.atlas.incidents[50].eventTime,
			}),
			(i) =>
				i.eventTime >= sb.atlas.incidents[200].eventTime &&
				i.eventTime <= sb.atlas.incidents[50].eventTime,
		],
		[
			'eventTimeStart as a bare date (start of day)',
			() => ({ eventTimeStart: '2024-05-20' }),
			(i) => i.eventTime >= '2024-05-20 00:00:00',
		],
		[
			'eventTimeEnd as a bare date (end of day)',
			() => ({ eventTimeEnd: '2024-05-20' }),
			(i) => i.eventTime <= '2024-05-20 23:59:59',
		],
		[
			'depTimeStart/End (departure-local)',
			() => ({ depTimeStart: '2024-06-15 00:00:00', depTimeEnd: '2024-07-15 12:00:00' }),
			(i) => i.depTime >= '2024-06-15 00:00:00' && i.depTime <= '2024-07-15 12:00:00',
		],
		[
			'updateTimeStart',
			() => ({ updateTimeStart: '2024-05-25 08:00:00' }),
			(i) => i.updateTime >= '2024-05-25 08:00:00',
		],
		[
			'several filters at once (AND)',
			() => ({ eventType: 'order.schedulechange', eventStatus: [0], airline: 'MU' }),
			(i) => i.eventType === 'order.schedulechange' && i.eventStatus === 0 && i.airline === 'MU',
		],
	];

	it.each(cases)(
		'%s narrows the list to exactly the matching incidents',
		async (_name, filters, keep) => {
			const expected = storeWhere(keep);
			expect(expected.length).toBeGreaterThan(0);
			expect(expected.length).toBeLessThan(COUNT);
			const records = await listAll(sb, filters());
			expect(ids(records)).toEqual(expected);
		},
	);

	it.each([
		['eventStatus [0, 1]', { eventStatus: [0, 1] }],
		['eventStatus []', { eventStatus: [] }],
		['empty strings', { pnr: '', airline: '' }],
	])('%s filters nothing', async (_name, filters) => {
		const { body } = await atlasCall(sb, 'event/getPageList', { ...filters, pageSize: 1 });
		expect(body.total).toBe(String(COUNT));
	});

	it('finds nothing for an unknown order, with total "0"', async () => {
		const { body } = await atlasCall(sb, 'event/getPageList', { orderNo: 'nope', pageSize: 10 });
		expect(body).toMatchObject({ status: 0, records: [], total: '0' });
	});

	it.each([
		['a date it cannot read', { eventTimeStart: '01/05/2024' }],
		['an unknown status', { eventStatus: [2] }],
	])('refuses %s with status 901 (illegal request data)', async (_name, filters) => {
		const { body } = await atlasCall(sb, 'event/getPageList', { ...filters, pageSize: 10 });
		expect(body.status).toBe(901);
		expect(body.msg).toEqual(expect.any(String));
	});
});

describe('Atlas gzip', () => {
	it('compresses when the client accepts gzip', async () => {
		const reply = await atlasCall(
			sb,
			'event/getPageList',
			{ pageSize: 3 },
			{ headers: { 'accept-encoding': 'gzip' } },
		);
		expect(reply.headers.get('content-encoding')).toBe('gzip');
		expect(reply.body.records).toHaveLength(3);
	});

	it('does not compress otherwise', async () => {
		const reply = await atlasCall(
			sb,
			'event/getPageList',
			{ pageSize: 3 },
			{ headers: { 'accept-encoding': 'identity' } },
		);
		expect(reply.headers.get('content-encoding')).toBeNull();
		expect(reply.body.records).toHaveLength(3);
	});
});

describe('Atlas updateWebhookURL', () => {
	it('registers a URL and the next registration replaces it', async () => {
		const first = await atlasCall(sb, 'updateWebhookURL', { url: 'https://a.example.com/hook' });
		expect(first.body.status).toBe(0);
		await atlasCall(sb, 'updateWebhookURL', { url: 'http://b.example.com/hook', cid: 'sub-1' });
		expect(sb.atlas.webhookUrl()).toBe('http://b.example.com/hook');
		expect(sb.atlas.registrations.slice(-2)).toEqual([
			{ url: 'https://a.example.com/hook', at: expect.any(Number) },
			{ url: 'http://b.example.com/hook', cid: 'sub-1', at: expect.any(Number) },
		]);
	});

	it.each([['ftp://x.example.com/'], ['not a url'], [''], [42]])(
		'refuses %p with status 901 (illegal request data) and keeps the URL',
		async (url) => {
			const before = sb.atlas.webhookUrl();
			const reply = await atlasCall(sb, 'updateWebhookURL', { url });
			expect(reply.body.status).toBe(901);
			expect(sb.atlas.webhookUrl()).toBe(before);
		},
	);

	it('refuses a missing url with status 100 (missing required request data)', async () => {
		const before = sb.atlas.webhookUrl();
		const reply = await atlasCall(sb, 'updateWebhookURL', { cid: 'sub-1' });
		expect(reply.body.status).toBe(100);
		expect(sb.atlas.webhookUrl()).toBe(before);
	});

	it('refuses a cid that is not text with status 901', async () => {
		const reply = await atlasCall(sb, 'updateWebhookURL', {
			url: 'https://d.example.com/hook',
			cid: { nested: true },
		});
		expect(reply.body.status).toBe(901);
	});

	it('records each request with its route, parsed body and headers', async () => {
		await atlasCall(sb, 'updateWebhookURL', { url: 'https://c.example.com/hook' });
		const last = sb.requests[sb.requests.length - 1];
		expect(last).toMatchObject({
			route: 'atlas.updateWebhookURL',
			method: 'POST',
			path: '/updateWebhookURL.do',
			body: { url: 'https://c.example.com/hook' },
		});
		expect(last.headers['x-atlas-client-id']).toBe(DEFAULT_ATLAS_CLIENT_ID);
	});
});

describe('unknown routes', () => {
	it('answers 404 and records the request as unknown', async () => {
		const reply = await atlasCall(sb, 'event/nothingHere', {});
		expect(reply.status).toBe(404);
		expect(sb.requests[sb.requests.length - 1].route).toBe('unknown');
	});
});
