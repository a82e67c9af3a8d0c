/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test tooling: never shipped, runs under Node.js in jest */
/**
 * The example workflows as shipped in examples/, and the JavaScript inside an n8n expression run
 * with a sample `$json` (test tooling: it needs node:fs and the Function constructor, which the
 * community-node rules forbid in shipped code).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ExampleNode {
	name: string;
	type: string;
	typeVersion: number;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	parameters: Record<string, any>;
	webhookId?: string;
	notes?: string;
	onError?: string;
}

export interface Example {
	file: string;
	id: string;
	name: string;
	nodes: ExampleNode[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
	settings?: { errorWorkflow?: string };
}

const DIR = join(__dirname, '..', '..', 'examples');

export function loadExampleFiles(): Example[] {
	return readdirSync(DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({ file, ...JSON.parse(readFileSync(join(DIR, file), 'utf8')) }) as Example);
}

/**
 * Earlier nodes' output, for `$('Node name').first().json`, `.item.json` and `.all()`: one item,
 * or a list of items for a node that output several.
 */
export type NodeOutputs = Record<string, Record<string, unknown> | Array<Record<string, unknown>>>;

function run(code: string, json: Record<string, unknown>, nodes: NodeOutputs): unknown {
	const $ = (name: string) => {
		if (!(name in nodes)) throw new Error(`No output of node "${name}" given`);
		const output = nodes[name];
		const items = (Array.isArray(output) ? output : [output]).map((json) => ({ json }));
		return { first: () => items[0], item: items[0], all: () => items };
	};
	return new Function('$json', '$execution', '$', `return (${code});`)(json, { id: '42' }, $);
}

/** Evaluates `={{ expression }}` as JavaScript with the given `$json` (and `$execution.id` 42). */
export function evaluate(
	expression: string,
	json: Record<string, unknown>,
	nodes: NodeOutputs = {},
): unknown {
	const match = /^=\{\{([\s\S]*)\}\}$/.exec(expression.trim());
	if (!match) throw new Error(`Not an expression: ${expression}`);
	return run(match[1], json, nodes);
}

/** Renders a `=text {{ expression }} text` parameter as n8n does for a string. */
export function render(
	template: string,
	json: Record<string, unknown>,
	nodes: NodeOutputs = {},
): string {
	if (!template.startsWith('=')) return template;
	return template
		.slice(1)
		.replace(/\{\{([\s\S]*?)\}\}/g, (_all, code: string) => String(run(code, json, nodes)));
}
