/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling: never shipped, runs under plain Node.js */
/**
 * Reads n8n's database directly, no login needed: SQLite (`<userFolder>/.n8n/database.sqlite`) or,
 * in queue mode, PostgreSQL. Runs in a child process with the runtime's Node 24 and the
 * sqlite3 / pg / flatted modules that ship with n8n, so it works from Node 20 and needs no extra
 * dependency. Read-only; safe while n8n runs.
 *
 * Tables worth knowing (n8n 2.40): execution_entity (id, workflowId, status, mode, startedAt,
 * stoppedAt, finished, ...), execution_data (executionId, data = flatted run data, workflowData),
 * workflow_entity, credentials_entity (data encrypted), installed_packages / installed_nodes (only
 * packages installed through the Community Nodes UI/API — not ours, which is unpacked directly).
 */
import { join, resolve } from 'node:path';

import type { N8nRuntime } from './runtime';
import { run, tail } from './util';

/** Where an n8n keeps its data: its user folder's SQLite file, or a PostgreSQL database. */
export type N8nDatabase =
	| { type: 'sqlite'; userFolder: string }
	| { type: 'postgres'; port: number; user: string; database: string };

/**
 * One SELECT, run with n8n's own driver. `?` placeholders (SQLite style) become $1, $2… for
 * PostgreSQL, and double-quoted identifiers work in both. Mode `rows`: the rows, `data` /
 * `workflowData` parsed; mode `field`: for each row one field of what node `nodeName` output, read
 * from the row's run data there (compact enough for thousands of executions).
 */
const QUERY_SCRIPT = `
const [dbJson, sql, paramsJson, mode, nodeName, field] = process.argv.slice(1);
const db = JSON.parse(dbJson);
const params = JSON.parse(paramsJson);
const flatted = require('flatted');
const fail = (code, error) => { console.error(error.message); process.exit(code); };
function shape(rows) {
	if (mode === 'field') return rows.map((row) => {
		let values = [];
		try {
			const runs = flatted.parse(row.data).resultData.runData[nodeName] || [];
			values = runs.flatMap((r) => ((r.data && r.data.main && r.data.main[0]) || []).map((i) => i.json[field]));
		} catch {}
		return { id: Number(row.id), status: row.status, values };
	});
	for (const row of rows) {
		if (typeof row.data === 'string') { try { row.data = flatted.parse(row.data); } catch {} }
		if (typeof row.workflowData === 'string') { try { row.workflowData = JSON.parse(row.workflowData); } catch {} }
	}
	return rows;
}
const done = (rows) => process.stdout.write(JSON.stringify(shape(rows)));
if (db.type === 'postgres') {
	const { Client } = require('pg');
	const client = new Client({ host: '127.0.0.1', port: db.port, user: db.user, database: db.database });
	let n = 0;
	client.connect()
		.then(() => client.query(sql.replace(/\\?/g, () => '$' + ++n), params))
		.then((result) => { done(result.rows); return client.end(); })
		.catch((error) => fail(3, error));
} else {
	const sqlite3 = require('sqlite3');
	const conn = new sqlite3.Database(db.file, sqlite3.OPEN_READONLY, (openError) => {
		if (openError) fail(2, openError);
		conn.all(sql, params, (error, rows) => {
			if (error) fail(3, error);
			done(rows);
			conn.close();
		});
	});
}
`;

export function databasePath(userFolder: string): string {
	return join(resolve(userFolder), '.n8n', 'database.sqlite');
}

const describe = (db: N8nDatabase) =>
	db.type === 'sqlite'
		? databasePath(db.userFolder)
		: `postgres 127.0.0.1:${db.port}/${db.database}`;

async function query<T>(
	runtime: Pick<N8nRuntime, 'nodeBin' | 'dir'>,
	db: N8nDatabase,
	sql: string,
	params: unknown[],
	mode: 'rows' | 'field',
	nodeName = '',
	field = '',
): Promise<T[]> {
	const target = db.type === 'sqlite' ? { type: 'sqlite', file: databasePath(db.userFolder) } : db;
	const result = await run(
		runtime.nodeBin,
		[
			'-e',
			QUERY_SCRIPT,
			JSON.stringify(target),
			sql,
			JSON.stringify(params),
			mode,
			nodeName,
			field,
		],
		{ cwd: runtime.dir },
	);
	if (result.code !== 0) {
		throw new Error(`Query failed (${describe(db)}): ${tail(result.stderr, 5)}\nSQL: ${sql}`);
	}
	return JSON.parse(result.stdout) as T[];
}

/** Runs one SELECT against n8n's database and returns the rows (`?` placeholders). */
export async function queryDatabase<T = Record<string, unknown>>(
	runtime: Pick<N8nRuntime, 'nodeBin' | 'dir'>,
	db: N8nDatabase,
	sql: string,
	params: unknown[] = [],
): Promise<T[]> {
	return await query<T>(runtime, db, sql, params, 'rows');
}

export interface StoredExecution {
	id: number;
	workflowId: string;
	status: string;
	mode: string;
	finished: number | boolean;
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

const EXECUTIONS = `FROM execution_entity e LEFT JOIN execution_data d ON d."executionId" = e.id`;

/** Executions, newest first, with their parsed run data; optionally of one workflow only. */
export async function readExecutions(
	runtime: Pick<N8nRuntime, 'nodeBin' | 'dir'>,
	db: N8nDatabase,
	opts: { workflowId?: string; limit?: number } = {},
): Promise<StoredExecution[]> {
	const where = opts.workflowId ? 'WHERE e."workflowId" = ?' : '';
	const rows = await query<StoredExecution>(
		runtime,
		db,
		`SELECT e.id, e."workflowId", e.status, e.mode, e.finished, e."startedAt", e."stoppedAt", d.data, d."workflowData"
		 ${EXECUTIONS} ${where} ORDER BY e.id DESC LIMIT ${Math.max(1, Math.floor(opts.limit ?? 50))}`,
		opts.workflowId ? [opts.workflowId] : [],
		'rows',
	);
	// PostgreSQL returns bigint ids as strings.
	return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

/**
 * One field of what a node output, for every execution of a workflow: compact enough for tens of
 * thousands of executions (load tests), where readExecutions would move megabytes of run data.
 */
export async function readNodeOutputField(
	runtime: Pick<N8nRuntime, 'nodeBin' | 'dir'>,
	db: N8nDatabase,
	opts: { workflowId: string; nodeName: string; field: string },
): Promise<Array<{ id: number; status: string; values: unknown[] }>> {
	return await query(
		runtime,
		db,
		`SELECT e.id, e.status, d.data ${EXECUTIONS} WHERE e."workflowId" = ?`,
		[opts.workflowId],
		'field',
		opts.nodeName,
		opts.field,
	);
}
