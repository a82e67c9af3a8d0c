/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- development tooling: never shipped, runs under plain Node.js */
/**
 * Small helpers shared by the real-n8n runtime scripts: progress lines, child processes with
 * captured output and a heartbeat, and a few file-system probes. Dev-only; never shipped.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';

/** The repository root (dev/n8n/ is two levels down). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Where the pinned n8n, Node 24 and the default dev user folder live (ignored by git). */
export function cacheRoot(): string {
	return resolve(process.env.TRAVEL_OPS_CACHE_DIR || resolve(REPO_ROOT, '.cache'));
}

/** One progress line, always prefixed so it stands out among n8n's own output. */
export function log(message: string): void {
	process.stdout.write(`[n8n] ${message}\n`);
}

export function formatDuration(ms: number): string {
	const s = Math.round(ms / 1000);
	if (s < 60) return `${s}s`;
	return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	/** Append the command line and all of its output to this file. */
	logFile?: string;
	/** Print `[n8n]   …still <heartbeat> (1m20s)` every 20 s while the command runs. */
	heartbeat?: string;
	/** Also copy the child's output to our stdout/stderr as it arrives. */
	echo?: boolean;
	/** Data written to the child's stdin (stdin is closed afterwards). */
	input?: string;
	/** Kill the child (and its process group) after this long; the result then has code 124. */
	timeoutMs?: number;
}

export interface RunResult {
	code: number;
	stdout: string;
	stderr: string;
}

const MAX_CAPTURE = 4 * 1024 * 1024;

/** Runs a command to completion; never rejects on a non-zero exit (callers decide). */
export function run(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
	return new Promise((resolvePromise, reject) => {
		if (opts.logFile) {
			mkdirSync(dirname(opts.logFile), { recursive: true });
			appendFileSync(
				opts.logFile,
				`\n$ ${[command, ...args].join(' ')}   (cwd ${opts.cwd ?? process.cwd()}, ${new Date().toISOString()})\n`,
			);
		}
		// Own process group, so a timeout (or our exit) can take down grandchildren too.
		const child = spawn(command, args, {
			cwd: opts.cwd,
			env: opts.env ?? process.env,
			stdio: ['pipe', 'pipe', 'pipe'],
			detached: true,
		});
		const killGroup = () => {
			if (child.pid && child.exitCode === null && child.signalCode === null)
				killProcessGroup(child.pid, 'SIGKILL');
		};
		const unregister = registerCleanup({ hard: killGroup });
		let timedOut = false;
		const deadline = opts.timeoutMs
			? setTimeout(() => {
					timedOut = true;
					killGroup();
				}, opts.timeoutMs)
			: undefined;
		let stdout = '';
		let stderr = '';
		const onData = (which: 'out' | 'err') => (chunk: Buffer) => {
			const text = chunk.toString('utf8');
			// Keep the end of long outputs: error messages quote their last lines.
			if (which === 'out') {
				stdout += text;
				if (stdout.length > 2 * MAX_CAPTURE) stdout = stdout.slice(-MAX_CAPTURE);
				if (opts.echo) process.stdout.write(text);
			} else {
				stderr += text;
				if (stderr.length > 2 * MAX_CAPTURE) stderr = stderr.slice(-MAX_CAPTURE);
				if (opts.echo) process.stderr.write(text);
			}
			if (opts.logFile) appendFileSync(opts.logFile, text);
		};
		child.stdout.on('data', onData('out'));
		child.stderr.on('data', onData('err'));
		// A child that exits without reading stdin (e.g. `id`) must not crash us with EPIPE.
		child.stdin.on('error', () => undefined);
		child.stdin.end(opts.input ?? '');

		const started = Date.now();
		const timer = opts.heartbeat
			? setInterval(
					() => log(`  …still ${opts.heartbeat} (${formatDuration(Date.now() - started)})`),
					20_000,
				)
			: undefined;
		const cleanup = () => {
			if (timer) clearInterval(timer);
			if (deadline) clearTimeout(deadline);
			unregister();
		};
		child.on('error', (error) => {
			cleanup();
			reject(
				new Error(`Could not run ${command}: ${error.message}. Is it installed and on PATH?`, {
					cause: error,
				}),
			);
		});
		child.on('close', (code, signal) => {
			cleanup();
			if (timedOut) stderr += `\n[killed after ${formatDuration(opts.timeoutMs ?? 0)}]`;
			resolvePromise({ code: timedOut ? 124 : (code ?? (signal ? 128 : 1)), stdout, stderr });
		});
	});
}

/** The last lines of some text, for error messages. */
export function tail(text: string, lines = 25): string {
	return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function tailOfFile(file: string, lines = 25): string {
	try {
		return tail(readFileSync(file, 'utf8'), lines);
	} catch {
		return '';
	}
}

export function readJson<T>(file: string): T | undefined {
	try {
		return JSON.parse(readFileSync(file, 'utf8')) as T;
	} catch {
		return undefined;
	}
}

export function isPidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** True when nothing listens on 127.0.0.1:port (n8n binds all interfaces unless told otherwise). */
export function isPortFree(port: number, host = '0.0.0.0'): Promise<boolean> {
	return new Promise((resolvePromise) => {
		const server = createServer();
		server.once('error', () => resolvePromise(false));
		server.listen({ port, host, exclusive: true }, () => server.close(() => resolvePromise(true)));
	});
}

/** A port the OS says is free right now. */
export function findFreePort(): Promise<number> {
	return new Promise((resolvePromise, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen({ port: 0, host: '0.0.0.0' }, () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolvePromise(port));
		});
	});
}

export function fileExists(file: string): boolean {
	return existsSync(file);
}

/** Sends a signal to a whole process group (a child started with detached: true); ignores ESRCH. */
export function killProcessGroup(pid: number, signal: NodeJS.Signals): boolean {
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		return false;
	}
}

/** True while any process of that group still exists. */
export function processGroupAlive(pid: number): boolean {
	try {
		process.kill(-pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

interface Cleanup {
	/** Synchronous last resort, run from process 'exit' (e.g. SIGKILL a process group). */
	hard: () => void;
	/** Graceful variant run on Ctrl-C / SIGTERM before we exit (awaited, at most 45 s). */
	graceful?: () => Promise<void>;
}

const cleanups = new Set<Cleanup>();
let handlersInstalled = false;

/**
 * Children run in their own process group (so we can stop n8n together with its task runners),
 * which also means Ctrl-C no longer reaches them: we forward it here. Returns an unregister function.
 */
export function registerCleanup(cleanup: Cleanup): () => void {
	cleanups.add(cleanup);
	if (!handlersInstalled) {
		handlersInstalled = true;
		process.on('exit', () => {
			for (const c of cleanups) c.hard();
		});
		for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
			process.on(signal, () => {
				log(`${signal}: stopping child processes…`);
				void shutdownAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
			});
		}
	}
	return () => {
		cleanups.delete(cleanup);
	};
}

/** Runs every registered graceful cleanup (then the hard ones). */
export async function shutdownAll(): Promise<void> {
	const pending = [...cleanups];
	await Promise.race([
		Promise.allSettled(pending.map((c) => (c.graceful ? c.graceful() : Promise.resolve(c.hard())))),
		new Promise((r) => setTimeout(r, 45_000).unref()),
	]);
	for (const c of pending) c.hard();
}
