/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling: never shipped, runs under plain Node.js */
/**
 * A bounded-concurrency HTTP load generator for webhook endpoints (keep-alive, loopback only),
 * and the Rapid load plan the reliability suite and the benchmark share: genuine signed
 * notifications, duplicates re-sent after their original was acknowledged (as Rapid retries do),
 * and forged ones.
 */
import { Agent, request } from 'node:http';

import { buildAuthorizationHeader } from '../../nodes/ExpediaRapid/signature';
import type { Sandbox } from '../sandbox';

export interface Shot {
	body: string;
	/** Called when the request is sent: a signature is only valid for minutes. */
	headers: () => Record<string, string>;
	kind: 'genuine' | 'duplicate' | 'forged';
	eventId: string;
}

export interface ShotResult {
	shot: Shot;
	status: number;
	ms: number;
}

function post(agent: Agent, url: URL, shot: Shot, timeoutMs: number): Promise<ShotResult> {
	const started = performance.now();
	return new Promise((resolve) => {
		const req = request(
			url,
			{
				method: 'POST',
				agent,
				headers: {
					'content-type': 'application/json',
					...shot.headers(),
					'content-length': Buffer.byteLength(shot.body),
				},
				timeout: timeoutMs,
			},
			(res) => {
				res.resume();
				res.on('end', () =>
					resolve({ shot, status: res.statusCode ?? 0, ms: performance.now() - started }),
				);
			},
		);
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', () => resolve({ shot, status: 0, ms: performance.now() - started }));
		req.end(shot.body);
	});
}

/**
 * Sends `shots` with at most `concurrency` in flight. `followUp` may return a shot to enqueue once
 * a result is in (how duplicates wait for their original's acknowledgement).
 */
export async function fire(
	url: string,
	shots: Shot[],
	opts: {
		concurrency: number;
		timeoutMs?: number;
		followUp?: (result: ShotResult) => Shot | undefined;
	},
): Promise<{ results: ShotResult[]; seconds: number }> {
	const target = new URL(url);
	if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
		throw new Error(`Load goes to loopback addresses only, not ${target.hostname}`);
	}
	const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
	const queue = [...shots];
	const results: ShotResult[] = [];
	let inFlight = 0;
	const started = performance.now();
	const worker = async () => {
		for (;;) {
			const shot = queue.shift();
			if (!shot) {
				if (inFlight === 0) return;
				await new Promise((r) => setTimeout(r, 5));
				continue;
			}
			inFlight++;
			const result = await post(agent, target, shot, opts.timeoutMs ?? 30_000);
			inFlight--;
			results.push(result);
			const next = opts.followUp?.(result);
			// Follow-ups (retries) go next in line: a retry comes while its original is recent.
			if (next) queue.unshift(next);
		}
	};
	await Promise.all(Array.from({ length: opts.concurrency }, worker));
	agent.destroy();
	return { results, seconds: (performance.now() - started) / 1000 };
}

export interface RapidPlan {
	shots: Shot[];
	/** Re-sends a genuine notification once it was acknowledged, for every `duplicateEvery`-th one. */
	followUp: (result: ShotResult) => Shot | undefined;
	genuineIds: string[];
}

/** `total` requests: 1% forged, ~10% duplicates (of acknowledged genuine ones), the rest genuine. */
export function rapidPlan(
	sandbox: Sandbox,
	apiKey: string,
	sharedSecret: string,
	total: number,
): RapidPlan {
	const forged = Math.round(total * 0.01);
	const duplicates = Math.round(total * 0.1);
	const genuine = total - forged - duplicates;
	const duplicateEvery = genuine / duplicates;
	const sign = () => buildAuthorizationHeader(apiKey, sharedSecret);
	const shots: Shot[] = [];
	const genuineIds: string[] = [];
	const duplicateOf = new Set<string>();
	for (let i = 0; i < genuine; i++) {
		const notification = sandbox.rapid.sampleNotification(
			sandbox.rapid.eventTypes[i % sandbox.rapid.eventTypes.length],
		);
		const eventId = String(notification.event_id);
		genuineIds.push(eventId);
		if (Math.floor((i + 1) / duplicateEvery) > Math.floor(i / duplicateEvery))
			duplicateOf.add(eventId);
		shots.push({
			body: JSON.stringify(notification),
			headers: () => ({ authorization: sign() }),
			kind: 'genuine',
			eventId,
		});
	}
	for (let i = 0; i < forged; i++) {
		const notification = sandbox.rapid.sampleNotification('itinerary.supplier.cancel');
		const badSignature = `EAN APIKey=${apiKey},Signature=${'f'.repeat(128)},timestamp=${Math.floor(Date.now() / 1000)}`;
		// Spread through the stream rather than at its end.
		shots.splice(Math.floor(((i + 1) * shots.length) / (forged + 1)), 0, {
			body: JSON.stringify(notification),
			headers: () => ({ authorization: badSignature }),
			kind: 'forged',
			eventId: String(notification.event_id),
		});
	}
	const followUp = (result: ShotResult): Shot | undefined => {
		const { shot } = result;
		if (shot.kind !== 'genuine' || result.status !== 200 || !duplicateOf.delete(shot.eventId))
			return undefined;
		// A retry: same body, fresh signature, as Rapid sends it.
		return { ...shot, kind: 'duplicate', headers: () => ({ authorization: sign() }) };
	};
	return { shots, followUp, genuineIds };
}

export function percentile(values: number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
