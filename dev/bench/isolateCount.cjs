/**
 * Loaded into n8n with `NODE_OPTIONS=--require <this file>` by `npm run bench` (never shipped, never
 * in the package): counts every expression isolate n8n hands to a caller, by who opened the scope
 * and, for a credential read, which node asked. n8n's own files are not touched: this wraps, in
 * memory, n8n-workflow's `Expression.prototype.acquireIsolate` (to note where a scope was opened)
 * and the evaluator's `bridgesByCaller.set` (every isolate handed out goes through it, eagerly in
 * `acquire()` or lazily in `getBridge()` on the first expression that needs the engine). Counts are
 * written as JSON to `$ISOLATE_COUNT_FILE.<pid>.json` every 100 ms (one file per process: n8n's task
 * runners inherit NODE_OPTIONS too).
 */
'use strict';
const Module = require('node:module');
const { writeFileSync } = require('node:fs');
const { basename } = require('node:path');

const file = process.env.ISOLATE_COUNT_FILE;
const counts = {};
/** One stack per key, to check what a key stands for. */
const samples = {};
let dirty = false;
const openedAt = new WeakMap();

function stackLines() {
	const limit = Error.stackTraceLimit;
	Error.stackTraceLimit = 60;
	const lines = (new Error().stack || '').split('\n').slice(2);
	Error.stackTraceLimit = limit;
	return lines.map((l) => l.trim());
}

/** "function (file.js)" of the first frame outside n8n-workflow's expression code and this file. */
function site(lines) {
	const frame = lines.find(
		(l) =>
			!l.includes(__filename) &&
			!l.includes('/n8n-workflow/') &&
			!l.includes('/@n8n/expression-runtime/'),
	);
	if (!frame) return 'unknown';
	const m = frame.match(/at (?:async )?(\S+) \((.*?):\d+:\d+\)/);
	return m ? `${m[1]} (${basename(m[2])})` : frame;
}

/** The node whose code is on the stack: a node file of n8n-nodes-base or of this package. */
function nodeOnStack(lines) {
	for (const l of lines) {
		// n8n's own files show their TypeScript sources (n8n runs with source maps).
		const m =
			l.match(/n8n-nodes-base\/(?:dist\/)?(nodes\/.+?\.[jt]s)/) ||
			l.match(/n8n-nodes-travel-ops\/dist\/(.+?\.js)/);
		if (m) return m[1];
	}
	return undefined;
}

function record(caller) {
	const now = stackLines();
	const opened = openedAt.get(caller);
	const where = opened ? site(opened) : site(now);
	const node = nodeOnStack(opened || []) || nodeOnStack(now);
	// Lazy acquisition: the isolate is taken where an expression first needs it.
	const need = opened && !now.some((l) => l.includes('acquireIsolate')) ? ` ← ${site(now)}` : '';
	const key = `${where}${node ? ` [${node}]` : ''}${need}`;
	counts[key] = (counts[key] || 0) + 1;
	if (!samples[key]) samples[key] = { opened, now };
	dirty = true;
}

function patch(workflow) {
	const Expression = workflow && workflow.Expression;
	if (!Expression || Expression.__isolateCount) return;
	Expression.__isolateCount = true;
	const acquire = Expression.prototype.acquireIsolate;
	Expression.prototype.acquireIsolate = function (...args) {
		if (!openedAt.has(this)) openedAt.set(this, stackLines());
		return acquire.apply(this, args);
	};
	const release = Expression.prototype.releaseIsolate;
	Expression.prototype.releaseIsolate = function (...args) {
		openedAt.delete(this);
		return release.apply(this, args);
	};
	const init = Expression.initExpressionEngine;
	Expression.initExpressionEngine = async function (...args) {
		await init.apply(this, args);
		const evaluator = Expression.vmEvaluator;
		if (!evaluator || !evaluator.bridgesByCaller) return;
		const map = evaluator.bridgesByCaller;
		const set = map.set.bind(map);
		map.set = (caller, bridge) => {
			record(caller);
			return set(caller, bridge);
		};
	};
}

const load = Module._load;
Module._load = function (request, ...rest) {
	const exported = load.call(this, request, ...rest);
	if (request === 'n8n-workflow') patch(exported);
	return exported;
};

function flush() {
	if (!file || !dirty) return;
	dirty = false;
	writeFileSync(`${file}.${process.pid}.json`, JSON.stringify(counts));
	writeFileSync(`${file}.${process.pid}.stacks.json`, JSON.stringify(samples, null, 1));
}
setInterval(flush, 100).unref();
process.on('exit', flush);
