/**
 * The example workflows users import: every item they produce is routed somewhere visible, messages
 * go through n8n's own Slack and Send Email nodes (with Retry On Fail), every example names the
 * error workflow example, and the routing rules and message expressions behave as documented for
 * each kind of item.
 *
 * The rules and messages are evaluated here as the JavaScript inside `{{ }}`, with `$json` bound to
 * a sample item. That checks their logic, not n8n's expression engine: the e2e suite runs the
 * examples inside a real n8n.
 */
import {
	evaluate,
	loadExampleFiles,
	type Example,
	type ExampleNode,
	type NodeOutputs,
	render,
} from './examples';

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
const SLACK = 'n8n-nodes-base.slack';
const EMAIL = 'n8n-nodes-base.emailSend';
/** Nodes a branch may end in: a message, an email, or an explicit "nothing to do". */
const ENDS = [SLACK, EMAIL, 'n8n-nodes-base.noOp'];
const ERROR_WORKFLOW = 'TravelOpsErrors';

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
const message = (n: ExampleNode, json: Record<string, unknown>, nodes: NodeOutputs = {}) => ({
	text: evaluate(n.parameters.text ?? n.parameters.message, json, nodes) as string,
});

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
					expect({
						node: n.name,
						output: index,
						connected: (outputs[index] ?? []).length > 0,
					}).toEqual({
						node: n.name,
						output: index,
						connected: true,
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

	it("posts with n8n's Slack node and a Slack credential, named for the channel, with Retry On Fail", () => {
		const posts = examples.flatMap((e) => e.nodes.filter((n) => n.type === SLACK));
		expect(posts.length).toBeGreaterThan(5);
		expect(examples.flatMap((e) => e.nodes.map((n) => n.type))).not.toContain(
			'n8n-nodes-base.httpRequest',
		);
		for (const post of posts) {
			const channel = post.parameters.channelId.value as string;
			expect({ name: post.name, channel }).toEqual({
				name: expect.stringMatching(/^(Post .*|Alert |Ask )#[a-z-]+( to review)?$/),
				channel: /#[a-z-]+/.exec(post.name)![0],
			});
			expect(post).toMatchObject({
				// The newest Slack node n8n 1.x has (test/examples/nodeVersions.test.ts).
				typeVersion: 2.4,
				credentials: { slackApi: { id: 'TravelOpsSlackDemo' } },
				retryOnFail: true,
				maxTries: 3,
				parameters: {
					authentication: 'accessToken',
					select: 'channel',
					channelId: { __rl: true, mode: 'name' },
				},
			});
			if (post.parameters.operation === 'sendAndWait') continue;
			expect(post.parameters.otherOptions).toEqual({ includeLinkToWorkflow: false });
			expect(post.parameters.text).toMatch(/^=\{\{/);
		}
	});

	it('sends email with the Send Email node and an SMTP credential, with Retry On Fail', () => {
		const mails = examples.flatMap((e) => e.nodes.filter((n) => n.type === EMAIL));
		expect(mails.map((m) => m.name).sort()).toEqual([
			'Email the flight team',
			'Email the fraud team',
			'Email the ops team',
			'Email the traveler',
		]);
		for (const mail of mails)
			expect(mail).toMatchObject({
				typeVersion: 2.1,
				credentials: { smtp: { id: 'TravelOpsSmtpDemo' } },
				retryOnFail: true,
				maxTries: 3,
				parameters: { emailFormat: 'text', options: { appendAttribution: false } },
			});
	});

	it('hold no local address: what the demo and the e2e suite run is the file as shipped', () => {
		const text = JSON.stringify(examples);
		expect(text).not.toMatch(/127\.0\.0\.1|localhost|_catcher/);
	});

	// Their IDs' length: workflowIds.test.ts.
	it('every example names the error workflow', () => {
		const errors = byId(ERROR_WORKFLOW);
		expect(errors.nodes[0].type).toBe('n8n-nodes-base.errorTrigger');
		expect(target(errors, 'When a workflow fails', 0).sort()).toEqual([
			'Alert #ops-alerts',
			'Email the ops team',
		]);
		for (const example of examples.filter((e) => e.id !== ERROR_WORKFLOW))
			expect({ id: example.id, errorWorkflow: example.settings?.errorWorkflow }).toEqual({
				id: example.id,
				errorWorkflow: ERROR_WORKFLOW,
			});
	});

	it('npm start publishes one Rapid flow and one Atlas webhook flow; the queue-mode one is an alternative', () => {
		const published = examples.filter((e) => e.id !== 'TravelOpsEx05');
		const withTrigger = (type: string) =>
			published.filter((e) => e.nodes.some((n) => n.type === type)).map((e) => e.id);
		expect(withTrigger('n8n-nodes-travel-ops.expediaRapidTrigger')).toEqual(['TravelOpsEx01']);
		expect(withTrigger('n8n-nodes-travel-ops.atlasTrigger')).toEqual(['TravelOpsEx02']);
	});

	it.each(examples.map((e) => [e.file, e] as const))(
		'%s: the set-up note goes credentials, channels, then publish',
		(_file, example) => {
			const content = example.nodes
				.filter((n) => n.type === STICKY)
				.map((n) => String(n.parameters.content))
				.join('\n');
			const at = (word: RegExp) => content.search(word);
			expect(at(/credentials/i)).toBeGreaterThanOrEqual(0);
			expect(at(/credentials/i)).toBeLessThan(at(/invite the (Slack )?app/i));
			expect(at(/invite the (Slack )?app/i)).toBeLessThan(at(/\bpublish/i));
		},
	);

	it('the error workflow alerts #ops-alerts and the ops team with what failed and where', () => {
		const errors = byId(ERROR_WORKFLOW);
		const failure = {
			execution: {
				id: '231',
				url: 'https://n8n.example.com/workflow/TravelOpsEx01/executions/231',
				error: { message: 'Slack error response: "not_in_channel"' },
				lastNodeExecuted: 'Post to #hotel-notifications',
				mode: 'webhook',
			},
			workflow: { id: 'TravelOpsEx01', name: 'Rapid flow' },
		};
		const expected =
			'⚠️ Workflow "Rapid flow" failed at "Post to #hotel-notifications": Slack error response: "not_in_channel"\nOpen the execution: https://n8n.example.com/workflow/TravelOpsEx01/executions/231';
		expect(message(node(errors, 'Alert #ops-alerts'), failure).text).toBe(expected);
		const mail = node(errors, 'Email the ops team');
		expect(render(mail.parameters.subject, failure)).toBe('n8n workflow failed: Rapid flow');
		expect(render(mail.parameters.text, failure)).toContain(expected);
		// A trigger that failed before any execution existed.
		const triggerFailure = {
			trigger: { error: { message: 'Atlas refused the keys' } },
			execution: {},
			workflow: { id: 'TravelOpsEx06', name: 'Poller' },
		};
		expect(message(node(errors, 'Alert #ops-alerts'), triggerFailure).text).toBe(
			'⚠️ Workflow "Poller" failed: no error message\nThe trigger failed: Atlas refused the keys',
		);
	});
});

describe('04: every item of the drain goes somewhere', () => {
	const example = byId('TravelOpsEx04');
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
				drainError:
					'Reading undeliverable notifications: Rapid answered 500 unknown_internal_error: boom',
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
			/^🏨 Hotel booking cancelled \(by the property\)\nItinerary 8999989898988 · traveler alice@example\.com/,
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

describe('01: one Rapid flow routes every type', () => {
	const example = byId('TravelOpsEx01');
	const routed = (json: Record<string, unknown>) =>
		target(example, 'Event type', switchOutput(node(example, 'Event type'), json));
	const trigger = { 'Expedia Rapid Trigger': notification('itinerary.supplier.cancel') };

	it('the trigger takes every event type', () => {
		expect(node(example, 'Expedia Rapid Trigger').parameters.events).toEqual(['*']);
	});

	it.each([
		['itinerary.supplier.cancel', 'Read the booking'],
		['itinerary.fraud.cancel', 'Email the fraud team'],
		['itinerary.agent.change', 'Post to #hotel-notifications'],
		['itinerary.payment_verification.failure', 'Post to #hotel-notifications'],
		['a.type.rapid.adds.later', 'Post to #hotel-notifications'],
		[undefined, 'Post to #hotel-notifications'],
	])('%s → %s', (eventType, destination) => {
		expect(routed(notification(eventType))).toEqual([destination]);
	});

	it('a supplier cancellation reads the booking with the itinerary ID and email of the notification', () => {
		const read = node(example, 'Read the booking');
		expect(read).toMatchObject({
			type: 'n8n-nodes-travel-ops.expediaRapid',
			parameters: { resource: 'itinerary', operation: 'get', simplify: true },
			onError: 'continueRegularOutput',
		});
		const json = notification('itinerary.supplier.cancel');
		expect(evaluate(read.parameters.itineraryId, json)).toBe('8999989898988');
		expect(evaluate(read.parameters.email, json)).toBe('alice@example.com');
		expect(target(example, 'Read the booking', 0)).toEqual(['Ask #hotel-cancellations to review']);
	});

	it('a supplier cancellation asks for a review with two buttons, waiting 24 h at most', () => {
		const review = node(example, 'Ask #hotel-cancellations to review');
		expect(review.parameters).toMatchObject({
			operation: 'sendAndWait',
			approvalOptions: {
				values: {
					approvalType: 'double',
					approveLabel: 'Email the traveler',
					disapproveLabel: "Don't email",
				},
			},
			options: {
				limitWaitTime: {
					values: { limitType: 'afterTimeInterval', resumeAmount: 24, resumeUnit: 'hours' },
				},
			},
		});
		const booking = {
			itinerary_id: '8999989898988',
			property_id: '8150374',
			status: 'canceled',
			checkin: '2018-09-21',
			checkout: '2018-09-23',
			guest_names: ['Givenne Nameo', 'Ana Lopez'],
			rooms: [{ status: 'canceled' }, { status: 'canceled' }],
		};
		expect(message(review, booking, trigger).text).toBe(
			[
				'🏨 The property cancelled hotel booking 8999989898988 (traveler alice@example.com).',
				'Hotel (property ID): 8150374',
				'Check-in 2018-09-21 · check-out 2018-09-23',
				'Guest(s): Givenne Nameo, Ana Lopez',
				'Room status: canceled, canceled',
				'Rapid says something.',
				'Email the traveler that the booking is cancelled? Nobody answering within 24 h means no email.',
			].join('\n'),
		);
		// Rapid could not be asked: the review still happens, and says so.
		expect(message(review, { error: 'Rapid did not answer' }, trigger).text).toMatch(
			/^🏨 The property cancelled hotel booking 8999989898988 \(traveler alice@example\.com\)\.\nThe booking could not be read from Rapid: Rapid did not answer\. /,
		);
		expect(target(example, 'Ask #hotel-cancellations to review', 0)).toEqual(['Approved?']);
	});

	it('approved → the traveler is emailed; declined or unanswered → #hotel-cancellations hears it', () => {
		const approvedIf = node(example, 'Approved?');
		const condition = approvedIf.parameters.conditions.conditions[0] as Condition;
		expect(evaluate(condition.leftValue, { data: { approved: true } })).toBe(true);
		expect(evaluate(condition.leftValue, { data: { approved: false } })).toBe(false);
		// The wait ran out: the node passes its input on, without data.
		expect(evaluate(condition.leftValue, notification('itinerary.supplier.cancel'))).toBe(false);
		expect(target(example, 'Approved?', 0)).toEqual(['Email the traveler']);
		expect(target(example, 'Approved?', 1)).toEqual([
			'Post traveler not emailed to #hotel-cancellations',
		]);
		const mail = node(example, 'Email the traveler');
		const answer = { data: { approved: true } };
		expect(render(mail.parameters.toEmail, answer, trigger)).toBe('alice@example.com');
		expect(render(mail.parameters.subject, answer, trigger)).toBe(
			'Your hotel booking 8999989898988 was cancelled',
		);
		expect(render(mail.parameters.text, answer, trigger)).toContain(
			'The hotel cancelled your booking. Itinerary 8999989898988, your reference (none).',
		);
		expect(
			message(
				node(example, 'Post traveler not emailed to #hotel-cancellations'),
				{ data: { approved: false } },
				trigger,
			).text,
		).toMatch(/^🏨 Booking 8999989898988: the traveler was not emailed/);
	});

	it('a fraud cancellation emails the fraud team; anything else is posted with its type', () => {
		const fraud = node(example, 'Email the fraud team');
		const json = notification('itinerary.fraud.cancel');
		expect(render(fraud.parameters.subject, json)).toBe(
			'Fraud check cancelled hotel booking 8999989898988',
		);
		expect(render(fraud.parameters.text, json)).toContain('Traveler: alice@example.com');
		const other = node(example, 'Post to #hotel-notifications');
		expect(message(other, notification('itinerary.agent.change')).text).toMatch(
			/itinerary\.agent\.change · itinerary 8999989898988\nRapid says something\./,
		);
		expect(message(other, { value: 'odd' }).text).toMatch(/without an event type/);
	});
});

describe('01 and 02: refused deliveries reach #ops-alerts', () => {
	const refusalReport = {
		refusedDeliveries: true,
		summary:
			'Atlas Trigger refused 3 calls between 2026-03-01T08:01:00.000Z and 2026-03-01T08:06:10.000Z: Wrong token (3).',
		refusals: [{ reason: 'Wrong token', whatToDo: 'Check the Webhook Token.', count: 3 }],
	};
	it.each([
		['TravelOpsEx01', 'Expedia Rapid Trigger'],
		['TravelOpsEx02', 'Atlas Trigger'],
	])('%s: the Refused output of %s posts the summary and what to do', (id, trigger) => {
		const example = byId(id);
		expect(target(example, trigger, 1)).toEqual(['Alert #ops-alerts']);
		expect(message(node(example, 'Alert #ops-alerts'), refusalReport).text).toBe(
			`⚠️ ${refusalReport.summary}\n• Wrong token: Check the Webhook Token.`,
		);
	});
});

describe('02: a shared token, no registration unless turned on', () => {
	it('guards with the token in the URL, so events without a client ID pass', () => {
		const trigger = node(byId('TravelOpsEx02'), 'Atlas Trigger');
		expect(trigger.parameters).toEqual({
			events: ['*'],
			registerOnActivation: false,
			tokenLocation: 'query',
			options: {},
		});
	});
});

describe('02: every Atlas event type is posted', () => {
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
			'Read the order',
			undefined,
		],
		[
			atlasEvent('email.schedulechange', { emailSubject: 'Schedule change' }),
			'Read the order',
			undefined,
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
		const example = byId('TravelOpsEx02');
		const output = switchOutput(node(example, 'Event type'), json);
		expect(target(example, 'Event type', output)).toEqual([destination]);
		if (text) expect(message(node(example, destination), json).text).toMatch(text);
	});

	it('02: a schedule change reads the order and emails the team the old and new flights and the airline PNR', () => {
		const example = byId('TravelOpsEx02');
		const read = node(example, 'Read the order');
		expect(read).toMatchObject({
			type: 'n8n-nodes-travel-ops.atlas',
			parameters: { resource: 'order', operation: 'get', simplify: true },
			onError: 'continueRegularOutput',
		});
		const flight = (depTime: string, arrTime: string) => ({
			carrier: 'CA',
			flightNumber: 'CA969',
			depAirport: 'PEK',
			arrAirport: 'SIN',
			depTime,
			arrTime,
		});
		const event = atlasEvent('order.schedulechange', {
			previousSegs: [flight('2024-06-01 09:30:00', '2024-06-01 15:30:00')],
			revisedSegs: [flight('2024-06-01 11:05:00', '2024-06-01 17:05:00')],
		});
		expect(evaluate(read.parameters.orderNo, event)).toBe('TO202406010004');
		expect(target(example, 'Read the order', 0)).toEqual(['Email the flight team']);
		const mail = node(example, 'Email the flight team');
		const order = {
			orderNo: 'TO202406010004',
			atlasPnr: 'XVOCMN',
			orderStatusName: 'Ticketed',
			ticketStatusName: 'Issued',
			airlinePnrs: ['S77182'],
			passengers: [{ name: 'ZHANG/SAN' }],
		};
		const nodes = { 'Atlas Trigger': event };
		expect(render(mail.parameters.subject, order, nodes)).toBe(
			'Schedule change on Atlas order TO202406010004',
		);
		expect(render(mail.parameters.text, order, nodes)).toBe(
			[
				'The airline changed the schedule of Atlas order TO202406010004 (order.schedulechange).',
				'',
				'Old flights:',
				'  CA969 PEK-SIN dep 2024-06-01 09:30:00 arr 2024-06-01 15:30:00',
				'New flights:',
				'  CA969 PEK-SIN dep 2024-06-01 11:05:00 arr 2024-06-01 17:05:00',
				'',
				'Airline PNR: S77182',
				'Atlas PNR: XVOCMN',
				'Order status: Ticketed, tickets: Issued',
				'Passengers: ZHANG/SAN',
			].join('\n'),
		);
		// An airline email without flights, and an order Atlas could not return: still sent, saying so.
		const email = atlasEvent('email.schedulechange', { emailSubject: 'Schedule change' });
		const text = render(
			mail.parameters.text,
			{ error: 'Order not found' },
			{ 'Atlas Trigger': email },
		);
		expect(text).toContain(
			'Old flights:\n  (not in the event)\nNew flights:\n  (not in the event)',
		);
		expect(text).toContain('Airline email: Schedule change');
		expect(text).toContain('The order could not be read from Atlas: Order not found.');
	});
});

describe('03: the morning summary', () => {
	const example = byId('TravelOpsEx03');
	const post = node(example, 'Post summary to #flight-ops');

	it('uses Get Many with Simplify, and continues on error so a failure is reported', () => {
		const atlas = node(example, 'Unconfirmed incidents');
		expect(atlas.typeVersion).toBe(1.1);
		expect(atlas.parameters.simplify).toBe(true);
		expect(atlas.onError).toBe('continueRegularOutput');
	});

	it("reads each incident's order, one item per incident, continuing on error", () => {
		const read = node(example, 'Order of each incident');
		expect(read).toMatchObject({
			parameters: { resource: 'order', operation: 'get', simplify: true },
			onError: 'continueRegularOutput',
		});
		expect(evaluate(read.parameters.orderNo, { orderNo: 'TO1' })).toBe('TO1');
		expect(target(example, 'Unconfirmed incidents', 0)).toEqual(['Order of each incident']);
		expect(target(example, 'Order of each incident', 0)).toEqual(['All in one']);
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
		const second = { ...incident, eventId: 'EV2', orderNo: 'TO2' };
		const listed = { 'Unconfirmed incidents': [incident, second] };
		const orders = [{ orderNo: 'TO1', orderStatusName: 'Ticketed' }, { error: 'Order not found' }];
		expect(message(post, { data: orders }, listed).text).toBe(
			'📋 2 unconfirmed Atlas incident(s) in the last 24 h' +
				'\n• order.schedulechange · order TO1 (Ticketed) · CA · PNR NX4K2P · dep 2024-06-03 08:00:00' +
				'\n• order.schedulechange · order TO2 (order status unknown: Order not found) · CA · PNR NX4K2P · dep 2024-06-03 08:00:00',
		);
		const none = { 'Unconfirmed incidents': [{}] };
		expect(message(post, { data: [{ error: 'No order number to look up' }] }, none).text).toBe(
			'📋 0 unconfirmed Atlas incident(s) in the last 24 h',
		);
		const failed = {
			'Unconfirmed incidents': [
				{ error: 'status 900: Unauthorized', description: 'Check the keys.' },
			],
		};
		expect(message(post, { data: [{ error: 'No order number to look up' }] }, failed).text).toBe(
			'⚠️ The unconfirmed Atlas incidents could not be listed: status 900: Unauthorized\nCheck the keys.',
		);
	});
});

describe('05: each event once', () => {
	it('ends a repeat copy visibly instead of on an unconnected output', () => {
		const example = byId('TravelOpsEx05');
		expect(target(example, 'First copy?', 0)).toEqual(['Post to #hotel-notifications']);
		expect(target(example, 'First copy?', 1)).toEqual(['Repeat copy (already handled)']);
	});
});
