import {
	ATLAS_EVENT_TYPES,
	ATLAS_EVENTS,
	type AtlasEventType,
	callbackSchemaFor,
	canonicalEventType,
	INCIDENT_TYPES,
	summariseCallback,
	toOptions,
} from '../../nodes/Atlas/events';
import { describeShapeIssues } from '../../nodes/shared/json';
import { CID, SAMPLE_EVENTS } from './fixtures';

const issuesOf = (payload: unknown, type = String((payload as { type?: unknown }).type ?? '')) => {
	const result = callbackSchemaFor(type).safeParse(payload);
	return result.success ? [] : describeShapeIssues(result.error);
};

describe('event catalogue', () => {
	it('lists every type the API notes document, with a label', () => {
		expect([...ATLAS_EVENT_TYPES].sort()).toEqual(Object.keys(SAMPLE_EVENTS).sort());
		for (const option of toOptions(ATLAS_EVENT_TYPES)) {
			expect(option.name).toBeTruthy();
			// The panel shows words; the code stays the value flows switch on.
			expect(option.description).toBe(ATLAS_EVENTS[option.value as AtlasEventType].description);
			expect(`${option.name} ${option.description}`).not.toMatch(/\b[a-z]+\.[a-zA-Z_.]+\b/);
		}
	});

	it('knows the three incident types of the incident list', () => {
		expect([...INCIDENT_TYPES].sort()).toEqual([
			'abnormal.cancelled',
			'email.schedulechange',
			'order.schedulechange',
		]);
	});

	it('maps the older spelling of a schedule change to the current one', () => {
		expect(canonicalEventType('order.scheduleChange')).toBe('order.schedulechange');
		expect(canonicalEventType('order.brandNew')).toBe('order.brandNew');
	});
});

describe('callback schemas', () => {
	it.each(Object.entries(SAMPLE_EVENTS))('accept the documented %s payload', (_type, payload) => {
		expect(issuesOf(payload)).toEqual([]);
	});

	it('accept unknown types and unknown fields', () => {
		expect(
			issuesOf({ cid: CID, type: 'order.brandNew', data: { anything: 1 }, extra: true }),
		).toEqual([]);
		expect(issuesOf({ ...SAMPLE_EVENTS['order.void'], newTopField: 'x' })).toEqual([]);
	});

	it('accept ids and codes sent as numbers or numeric strings', () => {
		const payload = {
			...SAMPLE_EVENTS['order.void'],
			status: '0',
			data: { orderNo: 12345, voidStatus: '6' },
		};
		expect(issuesOf(payload)).toEqual([]);
	});

	it('say where a payload departs from the documented shape', () => {
		expect(issuesOf({ ...SAMPLE_EVENTS['order.void'], data: { voidStatus: 9 } })).toEqual([
			'data.orderNo: Required',
			'data.voidStatus: Expected one of 0, 1, 2, 3, 4, 5, 6',
		]);
		expect(
			issuesOf({ type: 'airline.status', data: { airline: 'CA', airlineStatus: 'Gone' } }),
		).toHaveLength(2);
		expect(issuesOf({ ...SAMPLE_EVENTS['order.schedulechange'], status: 5 })).toEqual([
			'status: Expected one of 0, 1',
		]);
		expect(issuesOf([1, 2], '')).toEqual(['(root): Expected object, received array']);
		expect(issuesOf({ cid: CID, type: 'order.void' })).toEqual(['data: Required']);
	});
});

describe('summariseCallback', () => {
	it('reads the normalised fields', () => {
		expect(summariseCallback(SAMPLE_EVENTS['order.schedulechange'])).toEqual({
			eventType: 'order.schedulechange',
			orderNo: 'TO202406010004',
			notificationId: 'N-SC-1',
			cid: CID,
		});
		expect(
			summariseCallback({
				type: 'order.scheduleChange',
				data: { orderNo: 42 },
				notificationId: 7,
				cid: 9,
			}),
		).toEqual({
			eventType: 'order.schedulechange',
			orderNo: '42',
			notificationId: '7',
			cid: '9',
		});
	});

	it('gives nulls for anything it cannot read', () => {
		const empty = { eventType: null, orderNo: null, notificationId: null, cid: null };
		expect(summariseCallback([1, 2])).toEqual(empty);
		expect(summariseCallback('text')).toEqual(empty);
		expect(summariseCallback(null)).toEqual(empty);
		expect(summariseCallback({ type: { x: 1 }, data: [], cid: {} })).toEqual(empty);
	});
});
