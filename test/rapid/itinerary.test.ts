/**
 * Expedia Rapid → Itinerary → Get through a real n8n-core ExecuteContext, against the sandbox (and
 * hostile servers where Rapid could misbehave): the lookup a flow runs after a notification.
 */
import type { IDataObject, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';
import { deepCopy, NodeApiError, NodeHelpers, NodeOperationError } from 'n8n-workflow';

import { ExpediaRapid } from '../../nodes/ExpediaRapid/ExpediaRapid.node';
import {
	DEFAULT_CUSTOMER_IP,
	isIpAddress,
} from '../../nodes/ExpediaRapid/actions/itinerary/get.operation';
import { sumAmounts } from '../../nodes/ExpediaRapid/actions/itinerary/simplify';
import { toTriggerItem } from '../../nodes/ExpediaRapid/ExpediaRapidTriggerHelpers';
import {
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	startSandbox,
	type Sandbox,
} from '../../dev/sandbox';
import { expectApiError } from '../helpers/errors';
import { type HostileServer, startHostileServer } from '../helpers/hostileServer';
import { createExecuteContext } from '../helpers/n8n';
import { ITINERARY_400, ITINERARY_404 } from './itinerary.fixtures';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

const rapid = new ExpediaRapid();
/** The node as n8n offers it to AI agents: same code, a type name ending in "Tool". */
const rapidTool: INodeType = Object.assign(Object.create(rapid) as INodeType, {
	description: { ...deepCopy(rapid.description), name: 'expediaRapidTool' },
});

let sb: Sandbox;
let hostile: HostileServer;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, incidentCount: 0 });
	hostile = await startHostileServer();
});
afterAll(async () => {
	await sb.close();
	await hostile.close();
});
afterEach(() => {
	sb.faults.clear();
	hostile.seen.length = 0;
});

const credentials = (baseUrl = sb.url, sharedSecret = DEFAULT_RAPID_SHARED_SECRET) => ({
	expediaRapidApi: {
		environment: 'custom',
		baseUrl,
		apiKey: DEFAULT_RAPID_API_KEY,
		sharedSecret,
	},
});

interface RunOptions {
	baseUrl?: string;
	secret?: string;
	continueOnFail?: boolean;
	items?: INodeExecutionData[];
	nodeType?: INodeType;
}

async function run(parameters: INodeParameters, options: RunOptions = {}) {
	const nodeType = options.nodeType ?? rapid;
	const context = createExecuteContext({
		nodeType,
		parameters: { resource: 'itinerary', operation: 'get', ...parameters },
		credentials: credentials(options.baseUrl, options.secret),
		items: options.items,
	});
	const hints: string[] = [];
	context.addExecutionHints = (...added) => hints.push(...added.map((h) => h.message));
	if (options.continueOnFail) context.continueOnFail = () => true;
	const [items] = (await nodeType.execute!.call(context)) as INodeExecutionData[][];
	return { items, hints };
}

type Notification = { itinerary_id: string; email: string };

async function pushed(type: string, overrides?: object): Promise<Notification> {
	const notification = sb.rapid.sampleNotification(type, overrides);
	await sb.rapid.push(notification, { url: `${sb.url}/_catcher/rapid` });
	return notification as unknown as Notification;
}

const lookups = () => sb.requests.filter((r) => r.route === 'rapid.getItinerary');
const lastLookup = () => lookups()[lookups().length - 1];

type Amount = { value: string; currency: string };
type SandboxRoom = {
	id: string;
	status: string;
	checkin: string;
	checkout: string;
	given_name: string;
	family_name: string;
	number_of_adults: number;
	child_ages: number[];
	confirmation_id: { expedia?: string; property?: string };
	rate: { pricing: { totals: { inclusive: { billable_currency: Amount } } } };
};

/** Cents of a "123.45" amount: the test's own arithmetic, not the node's. */
const cents = (value: string) => Math.round(Number(value) * 100);

describe('Itinerary → Get against the sandbox', () => {
	it('Simplify (default) outputs every field an ops user acts on, as Rapid has them', async () => {
		const { itinerary_id: id, email } = await pushed('itinerary.supplier.confirm');
		const booking = sb.rapid.itinerary(id) as IDataObject & { rooms: SandboxRoom[] };
		const { items } = await run({ itineraryId: id, email });
		expect(items).toHaveLength(1);
		const rooms = booking.rooms;
		const currency = rooms[0].rate.pricing.totals.inclusive.billable_currency.currency;
		const totalCents = rooms.reduce(
			(sum, room) => sum + cents(room.rate.pricing.totals.inclusive.billable_currency.value),
			0,
		);
		expect(items[0].json).toEqual({
			itinerary_id: id,
			property_id: booking.property_id,
			status: 'booked',
			checkin: rooms.map((r) => r.checkin).sort()[0],
			checkout: rooms
				.map((r) => r.checkout)
				.sort()
				.reverse()[0],
			guest_names: [...new Set(rooms.map((r) => `${r.given_name} ${r.family_name}`))],
			total: { value: (totalCents / 100).toFixed(2), currency },
			rooms: rooms.map((room) => ({
				id: room.id,
				status: room.status,
				confirmation_id: room.confirmation_id,
				given_name: room.given_name,
				family_name: room.family_name,
				checkin: room.checkin,
				checkout: room.checkout,
				number_of_adults: room.number_of_adults,
				child_ages: room.child_ages,
				total: room.rate.pricing.totals.inclusive.billable_currency,
			})),
			email,
			creation_date_time: booking.creation_date_time,
			complete: true,
			...(booking.affiliate_reference_id
				? { affiliate_reference_id: booking.affiliate_reference_id }
				: {}),
		});
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	it("Simplify off outputs Rapid's whole answer, unchanged", async () => {
		const { itinerary_id: id, email } = await pushed('itinerary.agent.create');
		const { items } = await run({ itineraryId: id, email, simplify: false });
		expect(items.map((item) => item.json)).toEqual([sb.rapid.itinerary(id)]);
	});

	it('reads a booking the sandbox pushed as canceled as canceled (trigger item → lookup)', async () => {
		const created = await pushed('itinerary.agent.create');
		const cancel = await pushed('itinerary.supplier.cancel', {
			itinerary_id: created.itinerary_id,
			email: created.email,
		});
		// What a flow maps from the Expedia Rapid Trigger's item.
		const trigger = [{ json: toTriggerItem(cancel, new Date()) }];
		const { items } = await run(
			{ itineraryId: '={{ $json.itinerary_id }}', email: '={{ $json.email }}' },
			{ items: trigger },
		);
		const [item] = items.map((i) => i.json as { status: string; rooms: Array<{ status: string }> });
		expect(item.status).toBe('canceled');
		expect(item.rooms.every((room) => room.status === 'canceled')).toBe(true);
	});

	it('looks up one itinerary per input item, each output item paired with its input', async () => {
		const first = await pushed('itinerary.agent.create');
		const second = await pushed('itinerary.agent.change');
		const { items } = await run(
			{ itineraryId: '={{ $json.itinerary_id }}', email: '={{ $json.email }}' },
			{ items: [{ json: { ...first } }, { json: { ...second } }] },
		);
		expect(items.map((i) => [i.json.itinerary_id, i.pairedItem])).toEqual([
			[first.itinerary_id, { item: 0 }],
			[second.itinerary_id, { item: 1 }],
		]);
	});

	it('sends the signed request with Customer-Ip 127.0.0.1 and the email encoded', async () => {
		const { itinerary_id: id, email } = await pushed('itinerary.agent.create', {
			email: 'ops+desk@example.com',
		});
		const { items } = await run({ itineraryId: ` ${id} `, email: ` ${email} ` });
		expect(items[0].json.itinerary_id).toBe(id);
		const request = lastLookup();
		expect(request.path).toBe(`/v3/itineraries/${id}`);
		expect(request.query).toEqual({ email: 'ops+desk@example.com' });
		expect(request.headers['customer-ip']).toBe(DEFAULT_CUSTOMER_IP);
		expect(request.headers['customer-session-id']).toBeUndefined();
		expect(request.headers.accept).toBe('application/json');
		expect(request.headers['user-agent']).toBeTruthy();
		expect(String(request.headers.authorization)).toMatch(/^EAN APIKey=/);
	});

	it('sends the Customer IP and Customer Session ID set in the options', async () => {
		const { itinerary_id: id, email } = await pushed('itinerary.agent.create');
		await run({
			itineraryId: id,
			email,
			options: { customerIp: '2001:db8::7', customerSessionId: 'chat-42' },
		});
		expect(lastLookup().headers['customer-ip']).toBe('2001:db8::7');
		expect(lastLookup().headers['customer-session-id']).toBe('chat-42');
	});
});

describe('Itinerary → Get: errors', () => {
	it('says that no booking has this ID and email (unknown ID, wrong email): the documented 404', async () => {
		const { itinerary_id: id } = await pushed('itinerary.agent.create');
		for (const [itineraryId, email] of [
			['1000000000000', 'nobody@example.com'],
			[id, 'wrong@example.com'],
		]) {
			const error = await expectApiError(run({ itineraryId, email }));
			expect(error.message).toContain(
				`answered 404 ${ITINERARY_404.type}: ${ITINERARY_404.message}`,
			);
			expect(error.description).toContain(
				'Rapid found no booking with this itinerary ID and email',
			);
			expect(error.httpCode).toBe('404');
		}
	});

	it('explains a rejected signature (401) with the clock note, and shows no key or secret', async () => {
		const { itinerary_id: id, email } = await pushed('itinerary.agent.create');
		const error = await expectApiError(run({ itineraryId: id, email }, { secret: 'wrong-secret' }));
		expect(error.message).toContain('answered 401 request_unauthenticated');
		expect(error.description).toContain('Check the API key and shared secret');
		const visible = JSON.stringify({ m: error.message, d: error.description, c: error.context });
		expect(visible).not.toContain(DEFAULT_RAPID_SHARED_SECRET);
		expect(visible).not.toContain('wrong-secret');
	});

	it.each([
		[403, 'request_unauthorized', 'enable booking retrieval'],
		[426, 'upgrade_required', 'TLS 1.2'],
		[500, 'unknown_internal_error', 'Try again later'],
		[503, 'service_unavailable', 'Try again later'],
	])('turns an HTTP %d into a clear error (%s)', async (status, type, advice) => {
		const { itinerary_id: id, email } = await pushed('itinerary.agent.create');
		sb.faults.add({ route: 'rapid.getItinerary', kind: 'http', status });
		const before = lookups().length;
		const error = await expectApiError(run({ itineraryId: id, email }));
		expect(error.message).toContain(`answered ${status} ${type}`);
		expect(error.description).toContain(advice);
		// 5xx are retried (3 retries), 4xx are not.
		expect(lookups().length - before).toBe(status >= 500 ? 4 : 1);
	});

	it('waits out a 429 until Rapid says capacity is back, then reads the booking', async () => {
		const { itinerary_id: id, email } = await pushed('itinerary.agent.create');
		sb.faults.add({
			route: 'rapid.getItinerary',
			kind: 'http',
			status: 429,
			retryAfterSeconds: 0,
			times: 1,
		});
		const { items } = await run({ itineraryId: id, email });
		expect(items[0].json.itinerary_id).toBe(id);
	});

	it('says when a 429 lasts longer than worth waiting for', async () => {
		const { itinerary_id: id, email } = await pushed('itinerary.agent.create');
		sb.faults.add({
			route: 'rapid.getItinerary',
			kind: 'http',
			status: 429,
			retryAfterSeconds: 3600,
		});
		const error = await expectApiError(run({ itineraryId: id, email }));
		expect(error.message).toContain('answered 429 too_many_requests');
		expect(error.description).toMatch(/rate-limited these requests until \d\d:\d\d:\d\d UTC/);
	});

	it('shows the nested reason of the documented 400 and what to check', async () => {
		hostile.script({ kind: 'json', status: 400, body: ITINERARY_400 });
		const error = await expectApiError(
			run({ itineraryId: '8999989898988', email: 'smith@example.com' }, { baseUrl: hostile.url }),
		);
		expect(error.message).toContain('answered 400 invalid_input: Link is invalid. [link.invalid]');
		expect(error.description).toContain('Check the itinerary ID and the email');
	});

	it.each([
		['an empty body', { kind: 'text' as const, status: 200, body: '' }, 'an empty body'],
		['a list', { kind: 'json' as const, status: 200, body: [] }, 'not an itinerary'],
		['plain text', { kind: 'text' as const, status: 200, body: 'OK' }, 'not an itinerary'],
		[
			'an object that is no booking',
			{ kind: 'json' as const, status: 200, body: { ok: true, message: 'welcome' } },
			'without an itinerary ID',
		],
		[
			'another booking',
			{
				kind: 'json' as const,
				status: 200,
				body: { itinerary_id: '1111111111111', email: 'other@example.com', rooms: [] },
			},
			'with booking 1111111111111 instead of 8999989898988',
		],
	])('refuses a 200 with %s instead of an itinerary', async (_name, behaviour, said) => {
		hostile.script(behaviour);
		const error = await expectApiError(
			run({ itineraryId: '8999989898988', email: 'smith@example.com' }, { baseUrl: hostile.url }),
		);
		expect(error.message).toContain(said);
	});

	it('marks a booking Rapid has not finished preparing (only its ID and creation time)', async () => {
		const body = { itinerary_id: '8999989898988', creation_date_time: '2026-12-07T04:00:00Z' };
		hostile.script({ kind: 'json', status: 200, body });
		const { items, hints } = await run(
			{ itineraryId: '8999989898988', email: 'smith@example.com' },
			{ baseUrl: hostile.url },
		);
		expect(items[0].json).toEqual({ ...body, complete: false });
		expect(hints.join(' ')).toContain('Read it again in a few minutes');
	});

	it.each([
		['closes the connection without an answer', { kind: 'drop' as const }, /Could not reach Rapid/],
		[
			'cuts its answer short',
			{ kind: 'cut' as const, body: JSON.stringify({ itinerary_id: '1', rooms: [] }), sent: 10 },
			/^Reading the booking: Rapid.s answer broke off/,
		],
	])('fails clearly when Rapid %s', async (_name, behaviour, said) => {
		hostile.script(behaviour);
		const error = await expectApiError(
			run({ itineraryId: '1', email: 'a@example.com' }, { baseUrl: hostile.url }),
		);
		expect(error.message).toMatch(said);
		expect(error.message).not.toMatch(/undefined|\[object Object\]/);
	});

	it('does not follow a redirect elsewhere', async () => {
		hostile.script({ kind: 'redirect', status: 302, location: `${sb.url}/v3/itineraries/1` });
		const error = await expectApiError(
			run({ itineraryId: '1', email: 'a@example.com' }, { baseUrl: hostile.url }),
		);
		expect(error.message).toMatch(/redirect/i);
		expect(lookups().filter((r) => r.path === '/v3/itineraries/1')).toHaveLength(0);
	});

	it('with Continue On Fail, a missing booking becomes an error item and the next item runs', async () => {
		const found = await pushed('itinerary.agent.create');
		const { items } = await run(
			{ itineraryId: '={{ $json.itinerary_id }}', email: '={{ $json.email }}' },
			{
				continueOnFail: true,
				items: [
					{ json: { itinerary_id: '1000000000000', email: 'x@example.com' } },
					{ json: { ...found } },
				],
			},
		);
		expect(items[0].json.error).toContain('answered 404');
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(items[1].json.itinerary_id).toBe(found.itinerary_id);
	});
});

describe('Itinerary → Get: inputs are checked before anything is sent', () => {
	it.each([
		[{ itineraryId: '', email: 'a@example.com' }, 'Itinerary ID is empty'],
		[{ itineraryId: '   ', email: 'a@example.com' }, 'Itinerary ID is empty'],
		[{ itineraryId: '123/../notifications', email: 'a@example.com' }, 'is not an itinerary ID'],
		[{ itineraryId: '123?undeliverable=true', email: 'a@example.com' }, 'is not an itinerary ID'],
		[{ itineraryId: '123', email: '' }, 'Email is empty'],
		[{ itineraryId: '123', email: 'not-an-email' }, 'is not an email address'],
		[{ itineraryId: '123', email: 'a b@example.com' }, 'is not an email address'],
		[
			{ itineraryId: '123', email: 'a@example.com', options: { customerIp: 'localhost' } },
			'Customer IP "localhost" is not an IP address',
		],
		[
			{ itineraryId: '123', email: 'a@example.com', options: { customerIp: '10.0.0.256' } },
			'is not an IP address',
		],
	])('%j → "%s"', async (parameters, message) => {
		const before = sb.requests.length;
		const error = await run(parameters).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toContain(message);
		expect((error as NodeOperationError).description).toBeTruthy();
		expect(sb.requests.length).toBe(before);
	});

	it('an empty Customer IP option sends 127.0.0.1', async () => {
		const { itinerary_id: id, email } = await pushed('itinerary.agent.create');
		await run({ itineraryId: id, email, options: { customerIp: ' ' } });
		expect(lastLookup().headers['customer-ip']).toBe('127.0.0.1');
	});

	it.each([
		['127.0.0.1', true],
		['203.0.113.7', true],
		['::1', true],
		['2001:db8::7', true],
		['::ffff:192.0.2.1', true],
		['2001:0db8:0000:0000:0000:ff00:0042:8329', true],
		['1.2.3', false],
		['1.2.3.4.5', false],
		['01.2.3.4', false],
		['2001:db8::7::1', false],
		['2001:db8:1:2:3:4:5:6:7', false],
		['12345::', false],
		['', false],
	])('isIpAddress(%j) is %s', (value, expected) => {
		expect(isIpAddress(value)).toBe(expected);
	});

	it.each([
		[['368.15'], '368.15'],
		[['0.1', '0.2'], '0.30'.slice(0, 3)],
		[['100', '0.05'], '100.05'],
		[['-65.98', '65.98'], '0.00'],
		[['-1.5', '0.25'], '-1.25'],
	])('sumAmounts(%j) is exact: %s', (values, expected) => {
		expect(sumAmounts(values.map((value) => ({ value, currency: 'USD' })))).toEqual({
			value: expected,
			currency: 'USD',
		});
	});

	it('sumAmounts gives no total across currencies or with an unreadable amount', () => {
		expect(
			sumAmounts([
				{ value: '1.00', currency: 'USD' },
				{ value: '1.00', currency: 'EUR' },
			]),
		).toBeUndefined();
		expect(sumAmounts([{ value: '1,00', currency: 'EUR' }])).toBeUndefined();
		expect(sumAmounts([undefined])).toBeUndefined();
	});
});

describe('Expedia Rapid as an AI tool', () => {
	const shownResources = (nodeType: INodeType, parameters: INodeParameters) => {
		const node = { parameters, typeVersion: 1 } as never;
		return nodeType.description.properties
			.filter(
				(p) =>
					p.name === 'resource' &&
					NodeHelpers.displayParameter(parameters, p, node, nodeType.description),
			)
			.flatMap((p) =>
				p.type === 'hidden'
					? [String(p.default)]
					: (p.options ?? []).map((o) => (o as { value: string }).value),
			);
	};

	// n8n's nodes panel lists an action per operation and per list of resources that shows it.
	it('lists each action once in the nodes panel: one list of resources', () => {
		const lists = rapid.description.properties.filter(
			(p) => p.name === 'resource' && p.type === 'options',
		);
		expect(lists).toHaveLength(1);
	});

	it('offers only Itinerary as a tool, and both resources in a workflow', () => {
		expect(shownResources(rapidTool, {})).toEqual(['itinerary']);
		expect(shownResources(rapid, {})).toEqual(['itinerary', 'notification']);
	});

	it('keeps the default resource of saved workflows (Notification) and makes Itinerary the tool default', () => {
		const resolved = (nodeType: INodeType) =>
			NodeHelpers.getNodeParameters(
				nodeType.description.properties,
				{},
				true,
				false,
				{ typeVersion: 1 } as never,
				nodeType.description,
			) as IDataObject;
		expect(resolved(rapid).resource).toBe('notification');
		expect(resolved(rapid).operation).toBe('getUndeliverable');
		expect(resolved(rapidTool).resource).toBe('itinerary');
		expect(resolved(rapidTool).operation).toBe('get');
	});

	it('reads an itinerary when run as a tool', async () => {
		const { itinerary_id: id, email } = await pushed('itinerary.agent.create');
		const { items } = await run({ itineraryId: id, email }, { nodeType: rapidTool });
		expect(items[0].json.itinerary_id).toBe(id);
	});

	it.each([
		['getUndeliverable', {}],
		['sendTest', { eventType: 'itinerary.agent.create' }],
	])('refuses %s when run as a tool, before any call to Rapid', async (operation, extra) => {
		sb.rapid.enqueueUndeliverable(2);
		const before = sb.requests.length;
		const error = await run(
			{ resource: 'notification', operation, ...extra },
			{ nodeType: rapidTool },
		).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toContain('cannot run as an AI tool');
		expect((error as NodeOperationError).description).toContain('deletes notifications at Rapid');
		expect(sb.requests.length).toBe(before);
		expect(sb.rapid.undeliverable).toHaveLength(2);
		sb.rapid.undeliverable.length = 0;
	});

	it('still drains in a workflow (not a tool)', async () => {
		sb.rapid.enqueueUndeliverable(1);
		const { items } = await run({ resource: 'notification', operation: 'getUndeliverable' });
		expect(items).toHaveLength(1);
	});
});

describe('Itinerary → Get: no secret in output or errors', () => {
	it.each([
		['success', DEFAULT_RAPID_SHARED_SECRET, true],
		['404', DEFAULT_RAPID_SHARED_SECRET, false],
		['401', 'a-wrong-secret-value', true],
	])('%s', async (_name, secret, known) => {
		const { itinerary_id: id, email } = await pushed('itinerary.agent.create');
		const outcome = await run(
			{ itineraryId: known ? id : '1000000000000', email },
			{ secret, continueOnFail: true },
		);
		const seen = JSON.stringify(outcome);
		expect(seen.length).toBeGreaterThan(20);
		for (const value of [DEFAULT_RAPID_SHARED_SECRET, secret, DEFAULT_RAPID_API_KEY]) {
			expect(seen).not.toContain(value);
		}
		if (secret !== DEFAULT_RAPID_SHARED_SECRET) expect(outcome.items[0].json.error).toBeTruthy();
	});

	it('a thrown error carries no key or secret anywhere', async () => {
		const error = (await run({ itineraryId: '1000000000000', email: 'x@example.com' }).catch(
			(e: unknown) => e,
		)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		const seen = JSON.stringify({ ...error, message: error.message, stack: error.stack });
		expect(seen).not.toContain(DEFAULT_RAPID_SHARED_SECRET);
		expect(seen).not.toContain(DEFAULT_RAPID_API_KEY);
	});
});
