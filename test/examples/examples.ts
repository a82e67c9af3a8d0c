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
	nodes: ExampleNode[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
}

const DIR = join(__dirname, '..', '..', 'examples');

export function loadExampleFiles(): Example[] {
	return readdirSync(DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({ file, ...JSON.parse(readFileSync(join(DIR, file), 'utf8')) }) as Example);
}

/** Evaluates `={{ expression }}` as JavaScript with the given `$json` (and `$execution.id` 42). */
export function evaluate(expression: string, json: Record<string, unknown>): unknown {
	const match = /^=\{\{([\s\S]*)\}\}$/.exec(expression.trim());
	if (!match) throw new Error(`Not an expression: ${expression}`);
	return new Function('$json', '$execution', `return (${match[1]});`)(json, { id: '42' });
}
