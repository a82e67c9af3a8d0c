/**
 * Property-based tests (fast-check): arbitrary headers, bodies and encodings never crash the Rapid
 * header parser/verifier or the event parsers, and never verify a wrong signature.
 */
import fc from 'fast-check';

import { toTriggerItem as atlasItem } from '../../nodes/Atlas/AtlasTriggerHelpers';
import { callbackSchemaFor, summariseCallback } from '../../nodes/Atlas/events';
import { summariseNotification } from '../../nodes/ExpediaRapid/events';
import { toTriggerItem as rapidItem } from '../../nodes/ExpediaRapid/ExpediaRapidTriggerHelpers';
import {
	buildAuthorizationHeader,
	computeSignature,
	parseAuthorizationHeader,
	verifyAuthorizationHeader,
} from '../../nodes/ExpediaRapid/signature';
import { ExpediaRapidTrigger } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node';
import { createWebhookContext } from '../helpers/n8n';
import { eventItems } from '../helpers/refusals';

const KEY = 'partner-key';
const SECRET = 'partner-secret';
const NOW = 1_800_000_000;
const verify = (header: unknown, options: object = {}) =>
	verifyAuthorizationHeader(header, { apiKey: KEY, sharedSecret: SECRET, now: NOW, ...options });

const RUNS = { numRuns: 2000 };

/** Strings built from the header's own vocabulary, so that near-misses are common. */
const headerish = fc
	.array(
		fc.oneof(
			fc.constantFrom('EAN', 'ean', ' ', ',', '=', 'APIKey', 'Signature', 'timestamp', KEY, SECRET),
			fc.constantFrom(String(NOW), computeSignature(KEY, SECRET, NOW), '\t', '\n', '"'),
			fc.string({ maxLength: 12 }),
			fc.string({
				unit: fc.constantFrom(...'0123456789abcdefABCDEF'),
				minLength: 120,
				maxLength: 130,
			}),
		),
		{ maxLength: 14 },
	)
	.map((parts) => parts.join(''));

describe('Rapid Authorization header', () => {
	it('parsing and verifying never throw, whatever the input', () => {
		fc.assert(
			fc.property(fc.oneof(headerish, fc.anything()), (header) => {
				const parsed = parseAuthorizationHeader(header);
				const verdict = verify(header);
				expect(typeof parsed.ok).toBe('boolean');
				expect(typeof verdict.ok).toBe('boolean');
			}),
			RUNS,
		);
	});

	it('verifies only headers that carry the exact signature of our key, secret and timestamp', () => {
		fc.assert(
			fc.property(headerish, (header) => {
				const verdict = verify(header);
				if (!verdict.ok) return;
				const { apiKey, signature, timestamp } = verdict.parts;
				expect(apiKey).toBe(KEY);
				expect(signature).toBe(computeSignature(KEY, SECRET, timestamp));
				expect(Math.abs(NOW - timestamp)).toBeLessThanOrEqual(300);
			}),
			RUNS,
		);
	});

	it('never verifies a header signed with another secret or key', () => {
		fc.assert(
			fc.property(
				fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s !== SECRET),
				fc.integer({ min: NOW - 300, max: NOW + 300 }),
				(otherSecret, ts) => {
					expect(verify(buildAuthorizationHeader(KEY, otherSecret, ts)).ok).toBe(false);
				},
			),
			RUNS,
		);
	});

	it('verifies every genuine header within the tolerance and none outside it', () => {
		fc.assert(
			fc.property(fc.integer({ min: NOW - 1000, max: NOW + 1000 }), (ts) => {
				expect(verify(buildAuthorizationHeader(KEY, SECRET, ts)).ok).toBe(
					Math.abs(NOW - ts) <= 300,
				);
			}),
			RUNS,
		);
	});

	it('rejects any single-character change to a genuine signature', () => {
		const good = buildAuthorizationHeader(KEY, SECRET, NOW);
		const signature = computeSignature(KEY, SECRET, NOW);
		fc.assert(
			fc.property(fc.nat(signature.length - 1), fc.constantFrom(...'0123456789abcdef'), (i, c) => {
				fc.pre(signature[i] !== c);
				const forged = good.replace(signature, signature.slice(0, i) + c + signature.slice(i + 1));
				expect(verify(forged).ok).toBe(false);
			}),
			RUNS,
		);
	});
});

describe('event parsers', () => {
	const jsonish = fc.oneof(
		fc.jsonValue(),
		fc.record({
			event_id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
			event_type: fc.oneof(
				fc.constantFrom('itinerary.agent.create', 'x'),
				fc.string(),
				fc.anything(),
			),
			rooms: fc.anything(),
		}),
		fc.record({
			cid: fc.anything(),
			type: fc.oneof(
				fc.constantFrom('order.void', 'airline.status', 'order.scheduleChange'),
				fc.string(),
			),
			notificationId: fc.anything(),
			data: fc.oneof(
				fc.jsonValue(),
				fc.record({ orderNo: fc.anything(), revisedSegs: fc.anything() }),
			),
		}),
	);

	it('Rapid: any JSON body becomes an item that keeps the body, flagged when off-shape', () => {
		fc.assert(
			fc.property(jsonish, (body) => {
				const summary = summariseNotification(body);
				expect(summary.eventId === null || typeof summary.eventId === 'string').toBe(true);
				const item = rapidItem(body, new Date(NOW * 1000));
				expect(typeof item.receivedAt).toBe('string');
				const kept =
					typeof body === 'object' && body !== null && !Array.isArray(body) ? item : item.payload;
				if (kept !== item) expect(kept).toEqual(body);
				else
					for (const key of Object.keys(body as object))
						if (key !== 'receivedAt') expect(item).toHaveProperty([key]);
			}),
			RUNS,
		);
	});

	it('Atlas: any JSON body is summarised and emitted whole under payload', () => {
		fc.assert(
			fc.property(jsonish, (body) => {
				const summary = summariseCallback(body);
				const item = atlasItem(body, summary, new Date(NOW * 1000));
				expect(item.payload).toEqual(body);
				expect(callbackSchemaFor(summary.eventType ?? '').safeParse(body).success).toBe(
					!(item as Record<string, unknown>).unexpectedShape,
				);
			}),
			RUNS,
		);
	});

	it('the Rapid Trigger answers arbitrary bytes with 400 or emits them, and never throws', async () => {
		const trigger = new ExpediaRapidTrigger();
		await fc.assert(
			fc.asyncProperty(
				fc.oneof(
					fc.uint8Array({ maxLength: 300 }),
					fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v))),
				),
				async (bytes) => {
					const { context, response } = createWebhookContext({
						nodeType: trigger,
						credentials: { expediaRapidApi: { apiKey: KEY, sharedSecret: SECRET } },
						request: {
							headers: { authorization: buildAuthorizationHeader(KEY, SECRET) },
							rawBody: Buffer.from(bytes),
						},
					});
					const result = await trigger.webhook.call(context);
					if (eventItems(result).length > 0) expect(eventItems(result)).toHaveLength(1);
					else expect(response.statusCode).toBe(400);
				},
			),
			{ numRuns: 300 },
		);
	});
});
