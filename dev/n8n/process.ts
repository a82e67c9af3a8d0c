/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- development tooling: never shipped, runs under plain Node.js */
/**
 * Starting, talking to and stopping a real n8n (SQLite, scratch user folder), and running its CLI
 * with the same environment. Dev-only; never shipped.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import {
	closeSync,
	createWriteStream,
	existsSync,
	mkdirSync,
	openSync,
	readFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import type { N8nRuntime, RuntimeOptions } from './runtime';
import { ensureN8nRuntime } from './runtime';
import {
	findFreePort,
	formatDuration,
	isPortFree,
	killProcessGroup,
	log,
	processGroupAlive,
	registerCleanup,
	run,
	tail,
	tailOfFile,
} from './util';

export const DEFAULT_PORT = 5678;
/** n8n's own default broker port is 5679: N8N_PORT must never be given that value. */
export const DEFAULT_BROKER_PORT = 5679;

/**
 * The n8n setting the README recommends for webhook volume: n8n then creates an expression
 * isolate only when an expression actually runs, instead of one per call to a webhook trigger
 * other than its own Webhook node (docs/performance.md has the figures). `npm start` and the
 * e2e load test use it; the rest of the e2e and the queue stack keep n8n's defaults (in queue
 * mode one run in three with it had an execution end in error, not yet explained).
 */
export const RECOMMENDED_N8N_ENV: Record<string, string> = {
	N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true',
};

export interface N8nEnvOptions {
	userFolder: string;
	port?: number;
	brokerPort?: number;
	/** Extra variables; they win over everything set here. */
	env?: Record<string, string>;
	runtime: Pick<N8nRuntime, 'nodeBin'> & Partial<Pick<N8nRuntime, 'dir'>>;
}

/**
 * Whether the installed n8n has a backend module of that name. n8n refuses to start when
 * N8N_DISABLED_MODULES names a module it does not know ("Unknown module"), and `mcp-registry`
 * does not exist in n8n 1.x.
 */
function hasBackendModule(runtime: N8nEnvOptions['runtime'], name: string): boolean {
	if (!runtime.dir) return true;
	try {
		const file = join(
			runtime.dir,
			'node_modules',
			'@n8n',
			'backend-common',
			'dist',
			'modules',
			'modules.config.js',
		);
		return readFileSync(file, 'utf8').includes(`'${name}'`);
	} catch {
		return false;
	}
}

/**
 * The environment n8n (server and CLI) runs with: SQLite in `<userFolder>/.n8n/database.sqlite`,
 * loopback only, no phoning home. Inherits our environment (so N8N_LOG_LEVEL=debug etc. work) except
 * NODE_OPTIONS (it may carry tsx), NODE_ENV and N8N_VERSION (our own knob, not n8n's).
 */
export function n8nEnv(opts: N8nEnvOptions): NodeJS.ProcessEnv {
	const port = opts.port ?? DEFAULT_PORT;
	const env: NodeJS.ProcessEnv = { ...process.env };
	delete env.NODE_OPTIONS;
	delete env.N8N_VERSION;
	// jest sets NODE_ENV=test, which makes n8n silence its logger and CLI output. Unset = what a
	// plain `npm install n8n` / `npx n8n` user gets.
	delete env.NODE_ENV;
	for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
	Object.assign(env, {
		// n8n's task runner and any `node` it spawns must be the Node >= 24 too.
		PATH: `${dirname(opts.runtime.nodeBin)}:${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: resolve(opts.userFolder),
		DB_TYPE: 'sqlite',
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_RUNNERS_BROKER_PORT: String(opts.brokerPort ?? DEFAULT_BROKER_PORT),
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_SECURE_COOKIE: 'false',
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? 'info',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		NO_COLOR: '1',
	});
	// mcp-registry's start-up refresh calls api.n8n.io, which is unreachable here and fills the log
	// with errors. Only name it where it exists (n8n 2.x): 1.x stops at "Unknown module".
	const disabled =
		process.env.N8N_DISABLED_MODULES ??
		(hasBackendModule(opts.runtime, 'mcp-registry') ? 'mcp-registry' : undefined);
	if (disabled !== undefined) env.N8N_DISABLED_MODULES = disabled;
	Object.assign(env, opts.env ?? {});
	return env;
}

/** `start`: the main process (editor, REST, triggers); `webhook` / `worker`: queue-mode processes. */
export type N8nCommand = 'start' | 'webhook' | 'worker';

export interface StartOptions {
	userFolder: string;
	/** Default `start`. A worker serves only its health check, on `port`. */
	command?: N8nCommand;
	/** More arguments after the command (e.g. `--concurrency=5` for a worker). */
	args?: string[];
	/** Default 5678. */
	port?: number;
	/** Task-runner broker port; default: a free port (never equal to `port`). */
	brokerPort?: number;
	env?: Record<string, string>;
	/** Where n8n's stdout+stderr go; default `<userFolder>/n8n.log` (appended). */
	logFile?: string;
	/** Also copy n8n's output to our terminal. */
	echo?: boolean;
	/** How long to wait for /healthz/readiness; default 180 s. */
	readyTimeoutMs?: number;
	runtime?: N8nRuntime;
	runtimeOptions?: RuntimeOptions;
}

export interface RunningN8n {
	url: string;
	port: number;
	brokerPort: number;
	command: N8nCommand;
	process: ChildProcess;
	pid: number;
	logPath: string;
	userFolder: string;
	env: NodeJS.ProcessEnv;
	runtime: N8nRuntime;
	/** Graceful stop (SIGTERM to n8n and its task runners, SIGKILL after 40 s); idempotent. */
	stop(): Promise<void>;
}

async function choosePorts(port: number, brokerPort?: number): Promise<number> {
	if (port === DEFAULT_BROKER_PORT && brokerPort === undefined) {
		throw new Error(
			`N8N_PORT ${port} is n8n's default task-broker port; pick another port (e.g. 5678) or pass brokerPort.`,
		);
	}
	if (!(await isPortFree(port))) {
		throw new Error(
			`Port ${port} is already in use (another n8n? check with: ss -ltnp 'sport = :${port}'). Stop it or choose another port.`,
		);
	}
	let broker = brokerPort;
	if (broker === undefined) {
		broker =
			(await isPortFree(DEFAULT_BROKER_PORT)) && port !== DEFAULT_BROKER_PORT
				? DEFAULT_BROKER_PORT
				: await findFreePort();
		while (broker === port) broker = await findFreePort();
	}
	if (broker === port)
		throw new Error(`N8N_PORT and N8N_RUNNERS_BROKER_PORT must differ (both ${port}).`);
	if (!(await isPortFree(broker))) {
		throw new Error(`Task-broker port ${broker} is already in use; choose another brokerPort.`);
	}
	return broker;
}

async function answers200(url: string): Promise<boolean> {
	try {
		const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
		await res.arrayBuffer();
		return res.status === 200;
	} catch {
		return false;
	}
}

/**
 * Readiness, and for the main process also its REST API: n8n 1.x answers /healthz/readiness as
 * soon as the database is migrated, seconds before it registers /rest routes (POST
 * /rest/owner/setup then 404s); 2.x answers readiness only once the server is fully up.
 */
async function isReady(url: string, command: N8nCommand): Promise<boolean> {
	if (!(await answers200(`${url}/healthz/readiness`))) return false;
	return command !== 'start' || (await answers200(`${url}/rest/settings`));
}

/** Starts `n8n <command>` and resolves once /healthz/readiness answers 200 (DB migrated, server up). */
export async function startN8n(opts: StartOptions): Promise<RunningN8n> {
	const runtime = opts.runtime ?? (await ensureN8nRuntime(opts.runtimeOptions));
	const port = opts.port ?? DEFAULT_PORT;
	const brokerPort = await choosePorts(port, opts.brokerPort);
	const userFolder = resolve(opts.userFolder);
	mkdirSync(userFolder, { recursive: true });
	const logPath = resolve(opts.logFile ?? join(userFolder, 'n8n.log'));
	mkdirSync(dirname(logPath), { recursive: true });
	const command = opts.command ?? 'start';
	const env = n8nEnv({ userFolder, port, brokerPort, env: opts.env, runtime });
	if (command === 'worker') {
		// A worker has no web server; its health endpoint on `port` tells when it is ready.
		Object.assign(env, {
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(port),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		});
	}
	const argv = [runtime.n8nBin, command, ...(opts.args ?? [])];
	const url = `http://127.0.0.1:${port}`;

	log(
		`starting n8n ${command} (${runtime.version}) on ${url} (broker ${brokerPort}, user folder ${userFolder}, log ${logPath})…`,
	);
	let child: ChildProcess;
	if (opts.echo) {
		const out = createWriteStream(logPath, { flags: 'a' });
		child = spawn(runtime.nodeBin, argv, {
			cwd: userFolder,
			env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		child.stdout?.on('data', (c: Buffer) => {
			out.write(c);
			process.stdout.write(c);
		});
		child.stderr?.on('data', (c: Buffer) => {
			out.write(c);
			process.stderr.write(c);
		});
		child.on('close', () => out.end());
	} else {
		// Straight into the file: keeps logging even if we are gone, costs nothing in our event loop.
		const fd = openSync(logPath, 'a');
		child = spawn(runtime.nodeBin, argv, {
			cwd: userFolder,
			env,
			detached: true,
			stdio: ['ignore', fd, fd],
		});
		closeSync(fd);
	}
	const pid = child.pid;
	if (!pid)
		throw new Error(`Could not spawn ${runtime.nodeBin}; is the runtime in ${runtime.dir} intact?`);

	let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
	const exitPromise = new Promise<void>((r) =>
		child.once('exit', (code, signal) => {
			exited = { code, signal };
			r();
		}),
	);

	let stopping: Promise<void> | undefined;
	const stop = (): Promise<void> => {
		stopping ??= (async () => {
			if (!exited) {
				log(`stopping n8n (pid ${pid})…`);
				killProcessGroup(pid, 'SIGTERM');
				const graceful = await Promise.race([
					exitPromise.then(() => true),
					new Promise<boolean>((r) => setTimeout(() => r(false), 40_000).unref()),
				]);
				if (!graceful) {
					log('n8n did not stop within 40 s; killing it');
					killProcessGroup(pid, 'SIGKILL');
					await exitPromise;
				}
			}
			// Task runners live in the same group; make sure none outlives n8n.
			for (let i = 0; i < 50 && processGroupAlive(pid); i++) {
				if (i === 10) killProcessGroup(pid, 'SIGKILL');
				await new Promise((r) => setTimeout(r, 100));
			}
			unregister();
			log(`n8n stopped (${exited?.signal ?? `exit ${exited?.code}`})`);
		})();
		return stopping;
	};
	const unregister = registerCleanup({
		hard: () => killProcessGroup(pid, 'SIGKILL'),
		graceful: stop,
	});

	const started = Date.now();
	const timeout = opts.readyTimeoutMs ?? 180_000;
	let nextBeat = 20_000;
	log(`waiting for ${url}/healthz/readiness (first start runs DB migrations, 10-40 s)…`);
	for (;;) {
		if (exited) {
			unregister();
			throw new Error(
				`n8n exited during start-up (${exited.signal ?? `exit ${exited.code}`}). Last log lines from ${logPath}:\n` +
					`${tailOfFile(logPath, 30)}\nFix the cause above (port in use? corrupt ${join(userFolder, '.n8n')}? delete it for a fresh start).`,
			);
		}
		if (await isReady(url, command)) break;
		const elapsed = Date.now() - started;
		if (elapsed > timeout) {
			await stop();
			throw new Error(
				`n8n did not become ready within ${formatDuration(timeout)}. Last log lines from ${logPath}:\n${tailOfFile(logPath, 30)}`,
			);
		}
		if (elapsed > nextBeat) {
			log(`  …still waiting for n8n (${formatDuration(elapsed)})`);
			nextBeat += 20_000;
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	log(`n8n is ready at ${url} after ${formatDuration(Date.now() - started)}`);
	return {
		url,
		port,
		brokerPort,
		command,
		process: child,
		pid,
		logPath,
		userFolder,
		env,
		runtime,
		stop,
	};
}

export interface CliOptions {
	userFolder: string;
	env?: Record<string, string>;
	runtime?: N8nRuntime;
	runtimeOptions?: RuntimeOptions;
	/** Copy the command's output to our terminal as it runs. */
	echo?: boolean;
	/** Default 5 minutes. */
	timeoutMs?: number;
	/** Throw when the command exits non-zero (default false: inspect `code`). */
	check?: boolean;
}

/**
 * Runs `n8n <args>` (import:credentials, import:workflow, publish:workflow, execute, export:*, …)
 * against the same user folder and database as startN8n. Safe while a server runs on that folder:
 * the CLI gets its own free task-broker port. Changes made by the CLI reach a running server only
 * at its next start.
 */
export async function runN8nCli(
	args: string[],
	opts: CliOptions,
): Promise<{ code: number; stdout: string; stderr: string }> {
	const runtime = opts.runtime ?? (await ensureN8nRuntime(opts.runtimeOptions));
	const userFolder = resolve(opts.userFolder);
	mkdirSync(userFolder, { recursive: true });
	const brokerPort = await findFreePort();
	const env = n8nEnv({ userFolder, brokerPort, env: opts.env, runtime });
	// The CLI does not serve HTTP, but keep N8N_PORT away from a running server's port anyway.
	if (!opts.env?.N8N_PORT) env.N8N_PORT = String(await findFreePort());
	log(`n8n ${args.join(' ')}`);
	const result = await run(runtime.nodeBin, [runtime.n8nBin, ...args], {
		cwd: userFolder,
		env,
		echo: opts.echo,
		timeoutMs: opts.timeoutMs ?? 300_000,
		heartbeat: `running n8n ${args[0] ?? ''}`,
	});
	if (opts.check && result.code !== 0) {
		throw new Error(
			`n8n ${args.join(' ')} failed (exit ${result.code}):\n${tail(result.stdout + result.stderr, 30)}`,
		);
	}
	return result;
}

/**
 * Whether the installed n8n has draft and published workflow versions (2.x: a `publish` command,
 * and a REST API that keeps the workflow ID it is given), or only active/inactive (1.x).
 */
export function hasDraftsAndPublishing(runtime: Pick<N8nRuntime, 'dir'>): boolean {
	return existsSync(join(runtime.dir, 'node_modules', 'n8n', 'dist', 'commands', 'publish'));
}

/**
 * Publishes (activates) a workflow from the CLI: `publish:workflow --id=…` on n8n 2.x, which has
 * draft/published versions; n8n 1.x has no such command and activates with
 * `update:workflow --id=… --active=true`. Like every CLI change, it reaches a running server at its
 * next start.
 */
export async function publishWorkflow(
	id: string,
	opts: CliOptions,
): Promise<{ code: number; stdout: string; stderr: string }> {
	const runtime = opts.runtime ?? (await ensureN8nRuntime(opts.runtimeOptions));
	const args = hasDraftsAndPublishing(runtime)
		? ['publish:workflow', `--id=${id}`]
		: ['update:workflow', `--id=${id}`, '--active=true'];
	return runN8nCli(args, { ...opts, runtime });
}
