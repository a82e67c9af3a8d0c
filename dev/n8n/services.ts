/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- development tooling: never shipped, runs under plain Node.js */
/**
 * PostgreSQL and Redis for queue mode, from Debian's packages (`apt-get install postgresql
 * redis-server`): each a private server on loopback with its data in a scratch folder, stopped and
 * removed with the stack. Nothing here touches a system-wide cluster or service. Dev-only.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';

import { findFreePort, killProcessGroup, log, registerCleanup, run, tail } from './util';

export interface Service {
	port: number;
	logPath: string;
	stop(): Promise<void>;
}

export interface Postgres extends Service {
	user: string;
	database: string;
	/** Runs SQL with psql (e.g. a table a workflow needs); throws on error. */
	sql(statement: string): Promise<string>;
}

const APT_HINT = 'apt-get update && apt-get install -y postgresql redis-server';

function onPath(name: string): string | undefined {
	for (const dir of (process.env.PATH ?? '').split(delimiter)) {
		if (dir && existsSync(join(dir, name))) return join(dir, name);
	}
	return undefined;
}

/** Debian keeps PostgreSQL's server programs in /usr/lib/postgresql/<major>/bin, off the PATH. */
function postgresBin(name: 'initdb' | 'pg_ctl'): string {
	const root = '/usr/lib/postgresql';
	const majors = existsSync(root)
		? readdirSync(root)
				.filter((major) => existsSync(join(root, major, 'bin', name)))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	const found = majors.length ? join(root, majors[0], 'bin', name) : onPath(name);
	if (!found) throw new Error(`PostgreSQL's ${name} was not found. Install it: ${APT_HINT}`);
	return found;
}

/** PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user. */
async function asPostgresUser(
	command: string,
	args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
	const isRoot = process.getuid?.() === 0;
	return isRoot
		? await run('runuser', ['-u', 'postgres', '--', command, ...args], { timeoutMs: 120_000 })
		: await run(command, args, { timeoutMs: 120_000 });
}

/** A fresh cluster in `<dir>/pgdata` on 127.0.0.1, trust auth for one user, one database. */
export async function startPostgres(dir: string, opts: { port?: number } = {}): Promise<Postgres> {
	const initdb = postgresBin('initdb');
	const pgCtl = postgresBin('pg_ctl');
	const port = opts.port ?? (await findFreePort());
	const data = join(dir, 'pgdata');
	const socketDir = join(dir, 'pgsocket');
	const logPath = join(dir, 'postgres.log');
	mkdirSync(socketDir, { recursive: true });
	if (process.getuid?.() === 0) {
		const { uid, gid } = await postgresIds();
		chownSync(dir, uid, gid);
		chownSync(socketDir, uid, gid);
	}
	const user = 'n8n';
	const database = 'n8n';
	log(`starting PostgreSQL on 127.0.0.1:${port} (data ${data})…`);
	const init = await asPostgresUser(initdb, [
		'-D',
		data,
		'-U',
		user,
		'--auth=trust',
		'-E',
		'UTF8',
		'--no-sync',
	]);
	if (init.code !== 0) throw new Error(`initdb failed:\n${tail(init.stdout + init.stderr, 20)}`);
	const options = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
	const start = await asPostgresUser(pgCtl, [
		'-D',
		data,
		'-o',
		options,
		'-l',
		logPath,
		'-w',
		'start',
	]);
	if (start.code !== 0) {
		throw new Error(`PostgreSQL did not start:\n${tail(start.stdout + start.stderr, 20)}`);
	}
	let stopped = false;
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		unregister();
		await asPostgresUser(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop']);
	};
	const unregister = registerCleanup({
		// On exit nothing async runs any more: stop at once, synchronously.
		hard: () => {
			const args = [pgCtl, '-D', data, '-m', 'immediate', 'stop'];
			if (process.getuid?.() === 0) spawnSync('runuser', ['-u', 'postgres', '--', ...args]);
			else spawnSync(args[0], args.slice(1));
		},
		graceful: stop,
	});
	const created = await asPostgresUser('createdb', [
		'-h',
		'127.0.0.1',
		'-p',
		String(port),
		'-U',
		user,
		database,
	]);
	if (created.code !== 0) {
		await stop();
		throw new Error(`createdb failed:\n${tail(created.stdout + created.stderr, 20)}`);
	}
	const sql = async (statement: string) => {
		const args = [
			'-h',
			'127.0.0.1',
			'-p',
			String(port),
			'-U',
			user,
			'-v',
			'ON_ERROR_STOP=1',
			'-Atc',
			statement,
			database,
		];
		const result = await run('psql', args, { timeoutMs: 60_000 });
		if (result.code !== 0) throw new Error(`psql failed: ${tail(result.stderr, 10)}`);
		return result.stdout;
	};
	return { port, logPath, user, database, stop, sql };
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
	const [uid, gid] = await Promise.all(
		['-u', '-g'].map(async (flag) => Number((await run('id', [flag, 'postgres'])).stdout.trim())),
	);
	if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
		throw new Error(`There is no "postgres" user; install PostgreSQL: ${APT_HINT}`);
	}
	return { uid, gid };
}

/** Resolves once a Redis server on `port` answers PING. */
async function redisAnswers(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		socket.setTimeout(1000);
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.once('data', (data) => {
			socket.destroy();
			resolve(data.toString().startsWith('+PONG'));
		});
		socket.once('error', () => resolve(false));
		socket.once('timeout', () => {
			socket.destroy();
			resolve(false);
		});
	});
}

/** A Redis server on 127.0.0.1 with nothing saved to disk (queue state lives as long as the stack). */
export async function startRedis(dir: string, opts: { port?: number } = {}): Promise<Service> {
	const binary = onPath('redis-server') ?? '/usr/bin/redis-server';
	if (!existsSync(binary)) throw new Error(`redis-server was not found. Install it: ${APT_HINT}`);
	const port = opts.port ?? (await findFreePort());
	const logPath = join(dir, 'redis.log');
	mkdirSync(dir, { recursive: true });
	log(`starting Redis on 127.0.0.1:${port}…`);
	const fd = openSync(logPath, 'a');
	const child = spawn(
		binary,
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
		],
		{ detached: true, stdio: ['ignore', fd, fd] },
	);
	closeSync(fd);
	const pid = child.pid;
	if (!pid) throw new Error(`Could not start ${binary}`);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	let stopped = false;
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		unregister();
		killProcessGroup(pid, 'SIGTERM');
		await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
		killProcessGroup(pid, 'SIGKILL');
	};
	const unregister = registerCleanup({
		hard: () => killProcessGroup(pid, 'SIGKILL'),
		graceful: stop,
	});
	for (let i = 0; i < 100; i++) {
		if (await redisAnswers(port)) return { port, logPath, stop };
		await new Promise((r) => setTimeout(r, 100));
	}
	await stop();
	throw new Error(`Redis did not answer PING on port ${port} within 10 s; see ${logPath}`);
}
