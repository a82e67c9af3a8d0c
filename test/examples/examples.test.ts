/**
 * The example workflows users import: every item they produce is routed somewhere visible, Slack
 * posts are HTTP requests an incoming-webhook URL makes work, and the routing rules and message
 * expressions behave as documented for each kind of item.
 *
 * The rules and messages are evaluated here as the JavaScript inside `{{ }}`, with `$json` bound to
 * a sample item. That checks their logic, not n8n's expression engine: the e2e suite runs the
 * examples inside a real n8n.
 */
import { evaluate, loadExampleFiles, type Example, type ExampleNode } from './examples';

interface Condition {
	leftValue: string;
	operator: { type: string; operation: string };
}
interface Rule {
	conditions: { conditions: Condition[] };
}

const examples = loadExampleFiles();
const byId = (id: string) => examples.find((e) => e.id === id)!;
const node = (example: Example, name: string) => example.nodes.find((n) => n.name === name)!;

const STICKY = 'n8n-nodes-base.stickyNote';
const TRIGGER = /trigger$/i;
/** Nodes a branch may end in: a message, an email, or an explicit "nothing to do". */
const ENDS = ['n8n-nodes-base.httpRequest', 'n8n-nodes-base.emailSend', 'n8n-nodes-base.noOp'];

/** How many main outputs a node has, for the node types the examples use. */
function outputCount(n: ExampleNode): number {
	if (n.type === 'n8n-nodes-base.if') return 2;
	if (n.type === 'n8n-nodes-base.switch') {
		const rules = (n.parameters.rules?.values ?? []).length;
		return rules + (n.parameters.options?.fallbackOutput === 'extra' ? 1 : 0);
	}
	return 1;
}

/** The output index a Switch sends `json` to (first matching rule, else the fallback output). */
function switchOutput(sw: ExampleNode, json: Record<string, unknown>): number {
	const rules = sw.parameters.rules.values as Rule[];
	const index = rules.findIndex((rule) =>
		rule.conditions.conditions.every(
			(c) =>
				c.operator.type === 'boolean' &&
				c.operator.operation === 'true' &&
				evaluate(c.leftValue, json) === true,
		),
	);
	if (index >= 0) return index;
	expect(sw.parameters.options.fallbackOutput).toBe('extra');
	return rules.length;
}

const target = (example: Example, from: string, output: number) =>
	example.connections[from].main[output].map((c) => c.node);

/** The Slack message a node would post for `json`. */
const message = (n: ExampleNode, json: Record<string, unknown>) =>
	JSON.parse(evaluate(n.parameters.jsonBody, json) as string) as { text: string };

const notification = (eventType?: string) => ({
	event_id: 'e02d6f41-4708-476f-915d-8a7032942e94',
	...(eventType ? { event_type: eventType } : {}),
	event_time: '2026-11-22T10:00:00.000Z',
	itinerary_id: '8999989898988',
	email: 'alice@example.com',
	message: 'Rapid says something.',
});

describe('every example', () => {
	it('has a unique id, unique trigger webhook IDs and unique node names', () => {
		expect(new Set(examples.map((e) => e.id)).size).toBe(examples.length);
		const webhookIds = examples.flatMap((e) => e.nodes.flatMap((n) => n.webhookId ?? []));
		expect(new Set(webhookIds).size).toBe(webhookIds.length);
		for (const example of examples) {
			const names = example.nodes.map((n) => n.name);
			expect(new Set(names).size).toBe(names.length);
		}
	});

	it.each(examples.map((e) => [e.file, e] as const))(
		'%s: every output is connected, every branch ends visibly, nothing is orphaned',
		(_file, example) => {
			const working = example.nodes.filter((n) => n.type !== STICKY);
			const incoming = new Set(
				Object.values(example.connections).flatMap((c) => c.main.flat().map((t) => t.node)),
			);
			for (const n of working) {
				const outputs = example.connections[n.name]?.main ?? [];
				for (const target of outputs.flat()) {
					expect(working.map((w) => w.name)).toContain(target.node);
				}
				if (outputs.length === 0) {
					// A leaf: it must be something the user sees happen.
					expect({ node: n.name, type: n.type, ends: ENDS.includes(n.type) }).toEqual({
						node: n.name,
						type: n.type,
						ends: true,
					});
					continue;
				}
				for (let index = 0; index < outputCount(n); index++) {
					expect({ node: n.name, output: index, targets: (outputs[index] ?? []).length }).toEqual({
						node: n.name,
						output: index,
						targets: 1,
					});
				}
				if (!TRIGGER.test(n.type))
					expect({ node: n.name, fed: incoming.has(n.name) }).toEqual({
						node: n.name,
						fed: true,
					});
			}
		},
	);

	it.each(examples.map((e) => [e.file, e] as const))(
		'%s: has a note that says how to set it up',
		(_file, example) => {
			const notes = example.nodes.filter((n) => n.type === STICKY);
			expect(notes.some((n) => /set up/i.test(String(n.parameters.content)))).toBe(true);
		},
	);

	it('posts to Slack with HTTP requests an incoming-webhook URL makes work, named for the channel', () => {
		const posts = examples.flatMap((e) =>
			e.nodes.filter((n) => n.type === 'n8n-nodes-base.httpRequest'),
		);
		expect(posts.length).toBeGreaterThan(0);
		for (const post of posts) {
			expect(post.name).toMatch(/^(Post .*|Alert )#[a-z-]+$/);
			const channel = /#[a-z-]+$/.exec(post.name)![0];
			expect(post.notes).toBe(`Slack incoming webhook of ${channel}: paste its URL here`);
			expect(post.parameters).toMatchObject({
				method: 'POST',
				sendBody: true,
				specifyBody: 'json',
			});
			// The demo's stand-in for Slack; users replace it with their webhook URL.
			expect(post.parameters.url).toMatch(/^http:\/\/127\.0\.0\.1:4010\/_catcher\/slack/);
		}
	});
});

describe('04: every item of the drain goes somewhere', () => {
	const example = byId('TravelOpsExample04');
	const drain = node(example, 'Get undeliverable');
	const sw = node(example, 'Route each item');
	const routed = (json: Record<string, unknown>) =>
		target(example, 'Route each item', switchOutput(sw, json));

	it('continues on error, so a drain that cannot start reaches the alert too', () => {
		expect(drain.onError).toBe('continueRegularOutput');
		expect(target(example, 'Get undeliverable', 0)).toEqual(['Route each item']);
	});

	it.each([
		[
			'the drainError item',
			{
				drainError: 'Reading undeliverable notifications: Rapid answered 500 unknown_internal_error: boom',
				description: 'Rapid is unavailable. Try again later.',
				notificationsReceived: 50,
			},
			'Alert #ops-alerts',
			/drain stopped\. Reading undeliverable notifications: Rapid answered 500[\s\S]*Rapid is unavailable[\s\S]*before it stopped: 50/,
		],
		[
			'an unreadable answer',
			{ unreadableResponse: '<html>not json</html>' },
			'Alert #ops-alerts',
			/could not read[\s\S]*execution 42[\s\S]*<html>not json<\/html>/,
		],
		[
			'a drain that could not start',
			{ error: 'Rapid answered 401', description: 'Check the keys.' },
			'Alert #ops-alerts',
			/did not run, nothing was removed\. Rapid answered 401\nCheck the keys\./,
		],
		[
			'a supplier cancellation',
			notification('itinerary.supplier.cancel'),
			'Post to #hotel-cancellations',
			/^🏨 Hotel booking cancelled \(by the property\)\nItinerary 8999989898988 · traveller alice@example\.com/,
		],
		[
			'a fraud cancellation',
			notification('itinerary.fraud.cancel'),
			'Post to #hotel-cancellations',
			/by Expedia: fraud check/,
		],
		[
			'any other type',
			notification('itinerary.traveler.noshow'),
			'Post to #hotel-notifications',
			/undeliverable queue: itinerary\.traveler\.noshow · itinerary 8999989898988\nRapid says something\./,
		],
		[
			'an item without an event type',
			{ value: 'a bare string Rapid sent' },
			'Post to #hotel-notifications',
			/without an event type\n\{"value":"a bare string Rapid sent"\}/,
		],
	])('%s → %s', (_what, json, destination, text) => {
		expect(routed(json)).toEqual([destination]);
		expect(message(node(example, destination), json).text).toMatch(text);
	});
});

describe('01 and 02: the trigger receives every type, and every type is posted', () => {
	it.each([
		['itinerary.supplier.cancel', 'Post to #hotel-cancellations'],
		['itinerary.fraud.cancel', 'Post to #hotel-cancellations'],
		['itinerary.agent.change', 'Post to #hotel-notifications'],
		['itinerary.payment_verification.failure', 'Post to #hotel-notifications'],
	])('01: %s → %s', (eventType, destination) => {
		const example = byId('TravelOpsExample01');
		expect(node(example, 'Expedia Rapid Trigger').parameters.events).toEqual(['*']);
		const json = notification(eventType);
		const output = switchOutput(node(example, 'Event type'), json);
		expect(target(example, 'Event type', output)).toEqual([destination]);
		expect(message(node(example, destination), json).text).toContain('8999989898988');
	});

	const atlasEvent = (eventType: string, data: Record<string, unknown> = {}) => ({
		eventType,
		orderNo: 'TO202406010004',
		notificationId: null,
		receivedAt: '2024-06-01T02:15:09.412Z',
		payload: { type: eventType, data: { orderNo: 'TO202406010004', ...data } },
	});
	it.each([
		[
			atlasEvent('order.schedulechange', {
				revisedSegs: [
					{
						carrier: 'CA',
						flightNumber: '969',
						depAirport: 'PEK',
						arrAirport: 'SIN',
						depTime: '2024-06-01 09:30:00',
					},
				],
			}),
			'Post schedule change to #flight-ops',
			/Schedule change on order TO202406010004\nNew: CA969 PEK→SIN dep 2024-06-01 09:30:00/,
		],
		[
			atlasEvent('email.schedulechange', { emailSubject: 'Schedule change' }),
			'Post schedule change to #flight-ops',
			/Airline email: Schedule change/,
		],
		[
			atlasEvent('abnormal.cancelled'),
			'Post cancellation to #flight-ops',
			/cancelled \(abnormal\.cancelled\)/,
		],
		[
			atlasEvent('order.ticketed'),
			'Post other events to #flight-notifications',
			/Atlas event order\.ticketed · order TO202406010004/,
		],
		[
			{ ...atlasEvent('airline.status'), orderNo: null, payload: { type: 'airline.status' } },
			'Post other events to #flight-notifications',
			/Atlas event airline\.status$/,
		],
	])('02: %j → %s', (json, destination, text) => {
		const example = byId('TravelOpsExample02');
		const output = switchOutput(node(example, 'Event type'), json);
		expect(target(example, 'Event type', output)).toEqual([destination]);
		expect(message(node(example, destination), json).text).toMatch(text);
	});
});

describe('03: the morning summary', () => {
	const example = byId('TravelOpsExample03');
	const post = node(example, 'Post summary to #flight-ops');

	it('uses Get Many with Simplify, and continues on error so a failure is reported', () => {
		const atlas = node(example, 'Unconfirmed incidents');
		expect(atlas.typeVersion).toBe(1.1);
		expect(atlas.parameters.simplify).toBe(true);
		expect(atlas.onError).toBe('continueRegularOutput');
	});

	it('lists the incidents, or says there are none, or says why they could not be listed', () => {
		const incident = {
			eventId: 'EV1',
			orderNo: 'TO1',
			eventType: 'order.schedulechange',
			eventStatus: 0,
			airline: 'CA',
			pnr: 'NX4K2P',
			depTime: '2024-06-03 08:00:00',
		};
		expect(message(post, { data: [incident] }).text).toBe(
			'📋 1 unconfirmed Atlas incident(s) in the last 24 h\n• order.schedulechange · order TO1 · CA · PNR NX4K2P · dep 2024-06-03 08:00:00',
		);
		expect(message(post, { data: [{}] }).text).toBe(
			'📋 0 unconfirmed Atlas incident(s) in the last 24 h',
		);
		expect(
			message(post, {
				data: [{ error: 'status 900: Unauthorized', description: 'Check the keys.' }],
			}).text,
		).toBe(
			'⚠️ The unconfirmed Atlas incidents could not be listed: status 900: Unauthorized\nCheck the keys.',
		);
	});
});

describe('05: each event once', () => {
	it('ends a repeat copy visibly instead of on an unconnected output', () => {
		const example = byId('TravelOpsExample05');
		expect(target(example, 'First copy?', 0)).toEqual(['Post to #hotel-notifications']);
		expect(target(example, 'First copy?', 1)).toEqual(['Repeat copy (already handled)']);
	});
});
