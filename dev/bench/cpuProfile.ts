/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling: never shipped, runs under plain Node.js */
/**
 * Reading V8 CPU profiles (`node --cpu-prof`) for the throughput profile: only the samples taken
 * while one target was under load, then where that time went, per request.
 *
 * V8 stamps samples with the monotonic clock in microseconds, the clock `process.hrtime` reads in
 * every process on Linux, so the load generator's own hrtime marks select the window.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}

export interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

export const readProfile = (file: string): CpuProfile =>
	JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

/** Monotonic clock in microseconds, as V8 stamps its samples. */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / BigInt(1000));

/** Where a script lives, short: the package (scoped or not) and the path inside it. */
export function packageOf(url: string): string {
	if (!url) return '(native)';
	const path = url.replace(/^file:\/\//, '');
	const parts = path.split('/node_modules/');
	if (parts.length === 1) return path.startsWith('node:') ? 'node' : '(other)';
	const last = parts[parts.length - 1].split('/');
	return last[0].startsWith('@') ? `${last[0]}/${last[1]}` : last[0];
}

const shortUrl = (url: string): string => {
	const path = url.replace(/^file:\/\//, '');
	const i = path.lastIndexOf('/node_modules/');
	return i >= 0 ? path.slice(i + '/node_modules/'.length) : path;
};

export interface WindowSummary {
	/** Milliseconds of samples in the window (CPU on the main thread, idle excluded). */
	busyMs: number;
	idleMs: number;
	/** Self time by package, ms. */
	byPackage: Map<string, number>;
	/** Self time by function, ms. */
	bySelf: Map<string, number>;
	/** Time with the function anywhere on the stack, ms (each sample counted once per name). */
	byInclusive: Map<string, number>;
}

/** Summarises the samples stamped between `from` and `to` (monotonic microseconds). */
export function summarise(profile: CpuProfile, from: number, to: number): WindowSummary {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const node of profile.nodes)
		for (const child of node.children ?? []) parent.set(child, node.id);
	const label = (n: ProfileNode) =>
		`${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

	const summary: WindowSummary = {
		busyMs: 0,
		idleMs: 0,
		byPackage: new Map(),
		bySelf: new Map(),
		byInclusive: new Map(),
	};
	const add = (map: Map<string, number>, key: string, ms: number) =>
		map.set(key, (map.get(key) ?? 0) + ms);

	let t = profile.startTime;
	for (let i = 0; i < profile.samples.length; i++) {
		t += profile.timeDeltas[i];
		// A sample stands for the time until the next one.
		const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
		if (t < from || t > to) continue;
		const node = byId.get(profile.samples[i]);
		if (!node) continue;
		const name = node.callFrame.functionName;
		if (name === '(idle)') {
			summary.idleMs += ms;
			continue;
		}
		summary.busyMs += ms;
		add(summary.byPackage, name.startsWith('(') ? name : packageOf(node.callFrame.url), ms);
		add(summary.bySelf, label(node), ms);
		const seen = new Set<string>();
		for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
			const frame = byId.get(id);
			if (!frame || !frame.callFrame.functionName) continue;
			const key = label(frame);
			if (seen.has(key)) continue;
			seen.add(key);
			add(summary.byInclusive, key, ms);
		}
	}
	return summary;
}

/** The `n` largest entries, as `[key, value]`. */
export const top = (map: Map<string, number>, n: number): Array<[string, number]> =>
	[...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);

/**
 * Where a webhook call's CPU goes, in the categories of docs/performance.md (ms, overlapping:
 * inclusive times). Each is the function that owns the work, found by the start of its label.
 */
export const CATEGORIES: Array<{ name: string; inclusive?: string[]; packages?: string[] }> = [
	{
		name: 'isolate',
		inclusive: [
			'acquireIsolate n8n-workflow/dist/cjs/expression.js',
			'releaseIsolate n8n-workflow/dist/cjs/expression.js',
		],
	},
	{
		name: 'binary-data expression',
		inclusive: ['parseRequestBody n8n/dist/webhooks/webhook-helpers.js'],
	},
	{ name: 'credential', inclusive: ['getDecrypted n8n/dist/credentials-helper.js'] },
	{ name: 'database', packages: ['@n8n/typeorm', 'sqlite3'] },
	// The trigger's call, and the duplicate window's re-marks, which run later from a timer.
	{
		name: 'our node',
		inclusive: ['runTrigger n8n-nodes-travel-ops/', 'markDueCalls n8n-nodes-travel-ops/'],
	},
];

/** One category's milliseconds in a window: the sum of its functions (inclusive) or packages (self). */
export function categoryMs(summary: WindowSummary, category: (typeof CATEGORIES)[number]): number {
	const inclusive = (prefix: string) =>
		Math.max(
			0,
			...[...summary.byInclusive].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v),
		);
	return (
		(category.inclusive ?? []).reduce((sum, prefix) => sum + inclusive(prefix), 0) +
		(category.packages ?? []).reduce((sum, name) => sum + (summary.byPackage.get(name) ?? 0), 0)
	);
}
