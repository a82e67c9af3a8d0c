/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- development tooling: never shipped, runs under plain Node.js */
/**
 * n8n in queue mode on one machine, as a team that outgrew one instance runs it: PostgreSQL and
 * Redis (Debian's packages, loopback, scratch data), one main (editor, REST, activation; production
 * webhooks switched off there), webhook processors (`n8n webhook`) that receive the events, and
 * workers (`n8n worker`) that run the executions. Every process has its own user folder with this
 * package installed, as separate machines would; they share the database, Redis and one encryption
 * key. Dev-only; `npm run test:queue` builds on it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { N8nDatabase } from './db';
import { installPackage } from './install';
import { RECOMMENDED_N8N_ENV, startN8n, type RunningN8n } from './process';
import type { N8nRuntime } from './runtime';
import { startPostgres, startRedis, type Postgres, type Service } from './services';
import { prepareUserFolder, type WorkflowFile } from './stack';
import { findFreePort, log } from './util';

export interface QueueStackOptions {
	/** Scratch folder: data of PostgreSQL and Redis, one user folder per n8n process, logs. */
	dir: string;
	runtime: N8nRuntime;
	sandboxUrl: string;
	smtpPort: number;
	workflows: WorkflowFile[];
	/** Workflow ids to publish; default every workflow. */
	publish?: string[];
	webhookProcessors?: number;
	workers?: number;
	/** Jobs each worker runs at once (n8n's default is 10). */
	workerConcurrency?: number;
	/** More environment for every process (e.g. the fake Slack's proxy settings). */
	env?: Record<string, string>;
}

export interface QueueStack {
	main: RunningN8n;
	webhooks: RunningN8n[];
	workers: RunningN8n[];
	postgres: Postgres;
	redis: Service;
	database: N8nDatabase;
	/** Execution ids each worker logged as started, in worker order. */
	executionsByWorker(): Array<Set<number>>;
	stop(): Promise<void>;
}

/** The environment every process of the stack shares. */
function queueEnv(
	postgres: Postgres,
	redis: Service,
	encryptionKey: string,
): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		N8N_ENCRYPTION_KEY: encryptionKey,
		// Production webhooks only on the webhook processors, so every event crosses one of them.
		N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
		// The setting the README recommends; QUEUE_N8N_DEFAULTS=1 runs the stack on n8n's defaults.
		...(process.env.QUEUE_N8N_DEFAULTS === '1' ? {} : RECOMMENDED_N8N_ENV),
	};
}

export const POSTGRES_CREDENTIAL_ID = 'TravelOpsPostgresDemo';

/** n8n's own PostgreSQL as a credential, for workflows that keep state there (example 05). */
function postgresCredential(postgres: Postgres) {
	return {
		id: POSTGRES_CREDENTIAL_ID,
		name: "PostgreSQL (n8n's database)",
		type: 'postgres',
		data: {
			host: '127.0.0.1',
			port: postgres.port,
			database: postgres.database,
			user: postgres.user,
			password: '',
			ssl: 'disable',
		},
	};
}

/** The table example 05 claims event ids in (its sticky note gives the same statement). */
export const SEEN_EVENTS_TABLE_SQL =
	'CREATE TABLE IF NOT EXISTS travel_ops_seen_events (event_id text PRIMARY KEY, seen_at timestamptz NOT NULL DEFAULT now())';

const STARTED = /Worker started execution (\d+)/g;

/** Execution ids a worker's log says it started. */
export function executionsStartedIn(logText: string): Set<number> {
	return new Set([...logText.matchAll(STARTED)].map((match) => Number(match[1])));
}

export async function startQueueStack(opts: QueueStackOptions): Promise<QueueStack> {
	const started: Array<{ stop(): Promise<void>; command?: string }> = [];
	// Intake first (webhook processors), then the workers finish what is queued, then the main,
	// then Redis and PostgreSQL; each group at once.
	const stopAll = async () => {
		const order = ['webhook', 'worker', 'start', undefined];
		for (const command of order) {
			const group = started.filter((process) => process.command === command);
			await Promise.all(group.map(async (process) => await process.stop().catch(() => undefined)));
		}
		started.length = 0;
	};
	try {
		mkdirSync(opts.dir, { recursive: true });
		// PostgreSQL runs as its own user (when we are root) and must be able to reach its folder.
		chmodSync(opts.dir, 0o711);
		const postgres = await startPostgres(join(opts.dir, 'postgres'));
		started.push(postgres);
		const redis = await startRedis(join(opts.dir, 'redis'));
		started.push(redis);
		const env = {
			...queueEnv(postgres, redis, randomBytes(24).toString('hex')),
			...opts.env,
		};
		const { runtime } = opts;

		const folder = (name: string) => join(opts.dir, name);
		const webhookPorts = await distinctPorts(opts.webhookProcessors ?? 2);
		// Providers are given one address; here the first processor's (no load balancer in front).
		const publicUrl = `http://127.0.0.1:${webhookPorts[0]}/`;
		const mainEnv = { ...env, N8N_WEBHOOK_URL: publicUrl };
		await prepareUserFolder({
			userFolder: folder('main'),
			runtime,
			sandboxUrl: opts.sandboxUrl,
			smtpPort: opts.smtpPort,
			workflows: opts.workflows,
			publish: opts.publish,
			env: mainEnv,
			extraCredentials: [postgresCredential(postgres)],
		});
		await postgres.sql(SEEN_EVENTS_TABLE_SQL);
		// The main migrates the database and registers the published workflows' webhooks: first.
		const main = await startN8n({
			userFolder: folder('main'),
			port: await findFreePort(),
			env: mainEnv,
			runtime,
		});
		started.push(main);

		const others = [
			...webhookPorts.map((port, i) => ({
				name: `webhook-${i + 1}`,
				command: 'webhook' as const,
				port,
			})),
			...Array.from({ length: opts.workers ?? 2 }, (_, i) => ({
				name: `worker-${i + 1}`,
				command: 'worker' as const,
				port: 0,
			})),
		];
		for (const role of others) {
			await installPackage(folder(role.name), { skipBuild: true });
		}
		const concurrency = `--concurrency=${opts.workerConcurrency ?? 10}`;
		const running = await Promise.all(
			others.map(
				async (role) =>
					await startN8n({
						userFolder: folder(role.name),
						command: role.command,
						args: role.command === 'worker' ? [concurrency] : [],
						port: role.port || (await findFreePort()),
						env: { ...env, N8N_WEBHOOK_URL: publicUrl },
						runtime,
					}),
			),
		);
		started.push(...running);
		const webhooks = running.filter((n8n) => n8n.command === 'webhook');
		const workers = running.filter((n8n) => n8n.command === 'worker');
		log(
			`queue mode ready: main ${main.url}, webhook processors ${webhooks.map((w) => w.url).join(', ')}, ` +
				`${workers.length} workers, PostgreSQL :${postgres.port}, Redis :${redis.port}`,
		);
		return {
			main,
			webhooks,
			workers,
			postgres,
			redis,
			database: {
				type: 'postgres',
				port: postgres.port,
				user: postgres.user,
				database: postgres.database,
			},
			executionsByWorker: () =>
				workers.map((worker) => executionsStartedIn(readFileSync(worker.logPath, 'utf8'))),
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}

async function distinctPorts(count: number): Promise<number[]> {
	const ports = new Set<number>();
	while (ports.size < count) ports.add(await findFreePort());
	return [...ports];
}
