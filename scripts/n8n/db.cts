/**
 * Reads n8n's SQLite database directly (`<userFolder>/.n8n/database.sqlite`), no login needed.
 * Runs in a child process with the runtime's Node 24 and the sqlite3/flatted modules that ship with
 * n8n, so it works from Node 20 and needs no extra dependency. Read-only; safe while n8n runs.
 *
 * Tables worth knowing (n8n 2.40): execution_entity (id, workflowId, status, mode, startedAt,
 * stoppedAt, finished, ...), execution_data (executionId, data = flatted run data, workflowData),
 * workflow_entity, credentials_entity (data encrypted), installed_packages / installed_nodes (only
 * packages installed through the Community Nodes UI/API — not ours, which is unpacked directly).
 */
import { join, resolve } from 'node:path';

import type { N8nRuntime } from './runtime.cjs';
import { run, tail } from './util.cjs';

const QUERY_SCRIPT = `
const [dbPath, sql, paramsJson, parseFlatted] = process.argv.slice(1);
const sqlite3 = require('sqlite3');
const flatted = require('flatted');
const db = new sqlite3.Database(dbPath, sqlite3.OPEN_READONLY, (openError) => {
	if (openError) { console.error(openError.message); process.exit(2); }
	db.all(sql, JSON.parse(paramsJson), (error, rows) => {
		if (error) { console.error(error.message); process.exit(3); }
		if (parseFlatted === '1') for (const row of rows) {
			for (const key of ['data']) if (typeof row[key] === 'string') { try { row[key] = flatted.parse(row[key]); } catch {} }
			if (typeof row.workflowData === 'string') { try { row.workflowData = JSON.parse(row.workflowData); } catch {} }
		}
		process.stdout.write(JSON.stringify(rows));
		db.close();
	});
});
`;

export function databasePath(userFolder: string): string {
	return join(resolve(userFolder), '.n8n', 'database.sqlite');
}

/** Runs one SELECT against n8n's database and returns the rows. */
export async function querySqlite<T = Record<string, unknown>>(
	runtime: Pick<N8nRuntime, 'nodeBin' | 'dir'>,
	userFolder: string,
	sql: string,
	params: unknown[] = [],
	opts: { parseFlatted?: boolean } = {},
): Promise<T[]> {
	const result = await run(
		runtime.nodeBin,
		[
			'-e',
			QUERY_SCRIPT,
			databasePath(userFolder),
			sql,
			JSON.stringify(params),
			opts.parseFlatted ? '1' : '0',
		],
		{ cwd: runtime.dir },
	);
	if (result.code !== 0) {
		throw new Error(
			`SQLite query failed (${databasePath(userFolder)}): ${tail(result.stderr, 5)}\nSQL: ${sql}`,
		);
	}
	return JSON.parse(result.stdout) as T[];
}

export interface StoredExecution {
	id: number;
	workflowId: string;
	status: string;
	mode: string;
	finished: number;
	startedAt: string;
	stoppedAt: string | null;
	/** Parsed IRunExecutionData ({ resultData: { runData, lastNodeExecuted, error? }, ... }). */
	data?: {
		resultData?: {
			runData?: Record<string, unknown[]>;
			error?: unknown;
			lastNodeExecuted?: string;
		};
	};
	workflowData?: unknown;
}

/** Executions, newest first, with their parsed run data; optionally of one workflow only. */
export function readExecutions(
	runtime: Pick<N8nRuntime, 'nodeBin' | 'dir'>,
	userFolder: string,
	opts: { workflowId?: string; limit?: number } = {},
): Promise<StoredExecution[]> {
	const where = opts.workflowId ? 'WHERE e.workflowId = ?' : '';
	const params: unknown[] = opts.workflowId ? [opts.workflowId] : [];
	return querySqlite<StoredExecution>(
		runtime,
		userFolder,
		`SELECT e.id, e.workflowId, e.status, e.mode, e.finished, e.startedAt, e.stoppedAt, d.data, d.workflowData
		 FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id
		 ${where} ORDER BY e.id DESC LIMIT ${Math.max(1, Math.floor(opts.limit ?? 50))}`,
		params,
		{ parseFlatted: true },
	);
}

const FIELD_SCRIPT = `
const [dbPath, workflowId, nodeName, field] = process.argv.slice(1);
const sqlite3 = require('sqlite3');
const flatted = require('flatted');
const db = new sqlite3.Database(dbPath, sqlite3.OPEN_READONLY, (openError) => {
	if (openError) { console.error(openError.message); process.exit(2); }
	const out = [];
	db.each(
		'SELECT e.id, e.status, d.data FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ?',
		[workflowId],
		(error, row) => {
			if (error) { console.error(error.message); process.exit(3); }
			let values = [];
			try {
				const runs = flatted.parse(row.data).resultData.runData[nodeName] || [];
				values = runs.flatMap((r) => ((r.data && r.data.main && r.data.main[0]) || []).map((i) => i.json[field]));
			} catch {}
			out.push({ id: row.id, status: row.status, values });
		},
		(error) => {
			if (error) { console.error(error.message); process.exit(3); }
			process.stdout.write(JSON.stringify(out));
			db.close();
		},
	);
});
`;

/**
 * One field of what a node output, for every execution of a workflow: compact enough for tens of
 * thousands of executions (load tests), where readExecutions would move megabytes of run data.
 */
export async function readNodeOutputField(
	runtime: Pick<N8nRuntime, 'nodeBin' | 'dir'>,
	userFolder: string,
	opts: { workflowId: string; nodeName: string; field: string },
): Promise<Array<{ id: number; status: string; values: unknown[] }>> {
	const result = await run(
		runtime.nodeBin,
		['-e', FIELD_SCRIPT, databasePath(userFolder), opts.workflowId, opts.nodeName, opts.field],
		{ cwd: runtime.dir },
	);
	if (result.code !== 0) {
		throw new Error(
			`Reading executions failed (${databasePath(userFolder)}): ${tail(result.stderr, 5)}`,
		);
	}
	return JSON.parse(result.stdout) as Array<{ id: number; status: string; values: unknown[] }>;
}
