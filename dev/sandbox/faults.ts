/**
 * Fault injection, per route. A fault lets the first `skip` matching requests through, then hits
 * the next `times` (default: all). Latency faults add up and delay the handler; of the other kinds,
 * the first one (in order of adding) that fires decides the response, and later ones do not count
 * that request.
 */
import type { FaultController, FaultKind, FaultSpec, FaultState, RouteId } from './types';

export const ROUTE_IDS: readonly RouteId[] = [
	'atlas.updateWebhookURL',
	'atlas.getPageList',
	'atlas.queryOrderDetails',
	'rapid.getUndeliverable',
	'rapid.postTest',
	'rapid.getItinerary',
];

export const FAULT_KINDS: readonly FaultKind[] = [
	'latency',
	'http',
	'timeout',
	'malformed-json',
	'truncated-gzip',
	'atlas-status',
	'reset',
];

/** What the server must do to one request. */
export interface FaultPlan {
	latencyMs: number;
	fault?: FaultState;
}

/** A fault spec that cannot work (unknown route or kind, bad numbers). */
export class FaultSpecError extends Error {}

const DEFAULT_STATUS: Partial<Record<FaultKind, number>> = { http: 503, 'atlas-status': 2 };

function count(spec: FaultSpec, field: 'skip' | 'times' | 'latencyMs' | 'retryAfterSeconds') {
	const value = spec[field];
	if (value !== undefined && !(typeof value === 'number' && value >= 0)) {
		throw new FaultSpecError(`Fault ${field} must be a number ≥ 0, got ${JSON.stringify(value)}`);
	}
	return value;
}

/** Checks a spec (from tests or from the admin API) and fills in defaults. */
export function normaliseFault(spec: FaultSpec): FaultState {
	if (spec.route !== '*' && !ROUTE_IDS.includes(spec.route)) {
		throw new FaultSpecError(
			`Unknown route "${spec.route}": use one of ${ROUTE_IDS.join(', ')} or *`,
		);
	}
	if (!FAULT_KINDS.includes(spec.kind)) {
		throw new FaultSpecError(
			`Unknown fault kind "${spec.kind}": use one of ${FAULT_KINDS.join(', ')}`,
		);
	}
	if (spec.kind === 'atlas-status' && spec.route.startsWith('rapid.')) {
		throw new FaultSpecError('atlas-status faults apply to Atlas routes only');
	}
	const status = spec.status ?? DEFAULT_STATUS[spec.kind];
	if (status !== undefined && !Number.isInteger(status)) {
		throw new FaultSpecError(`Fault status must be an integer, got ${JSON.stringify(spec.status)}`);
	}
	return {
		route: spec.route,
		kind: spec.kind,
		...(status !== undefined ? { status } : {}),
		latencyMs: count(spec, 'latencyMs') ?? (spec.kind === 'latency' ? 0 : undefined),
		retryAfterSeconds: count(spec, 'retryAfterSeconds'),
		skip: count(spec, 'skip') ?? 0,
		times: count(spec, 'times') ?? Infinity,
		seen: 0,
		applied: 0,
	};
}

const matches = (fault: FaultState, route: RouteId) =>
	(fault.route === '*' || fault.route === route) &&
	// A wildcard atlas-status fault leaves Rapid alone: Rapid has no envelope.
	!(fault.kind === 'atlas-status' && route.startsWith('rapid.'));

export interface Faults extends FaultController {
	/** Decides, and counts, what happens to one request of `route`. */
	plan(route: RouteId): FaultPlan;
}

export function createFaults(): Faults {
	let faults: FaultState[] = [];
	return {
		add(spec) {
			const fault = normaliseFault(spec);
			faults.push(fault);
			return fault;
		},
		clear() {
			faults = [];
		},
		list: () => faults.map((fault) => ({ ...fault })),
		plan(route) {
			const plan: FaultPlan = { latencyMs: 0 };
			for (const fault of faults) {
				if (!matches(fault, route) || (plan.fault && fault.kind !== 'latency')) continue;
				fault.seen++;
				if (fault.seen <= (fault.skip ?? 0) || fault.applied >= (fault.times ?? Infinity)) continue;
				fault.applied++;
				if (fault.kind === 'latency') plan.latencyMs += fault.latencyMs ?? 0;
				else plan.fault = fault;
			}
			return plan;
		},
	};
}
