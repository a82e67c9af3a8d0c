/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error, no-console -- development tooling: never shipped, runs under plain Node.js */
/**
 * Command line for the sandbox: `serve` runs it; the other commands drive a running one through
 * its admin API. Run with `npm run sandbox -- <command>` (node --require tsx/cjs dev/sandbox/cli.ts).
 */
import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	DEFAULT_CLI_PORT,
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	HOST,
	startSandbox,
	type Sandbox,
} from './index';

const HELP = `Local fake Atlas + Expedia Rapid API.

Usage: npm run sandbox -- <command> [options]

  serve (default)                 start the sandbox and run until Ctrl-C
      --port N                    port to listen on (default ${DEFAULT_CLI_PORT}; 0 = any free port)
      --rapid-callback URL        where Rapid notifications are pushed
      --atlas-webhook URL         Atlas webhook URL before any registration
      --time-scale X              Rapid retry schedule scale (1 = real time, 0.001: 5 min = 300 ms)
      --incidents N --seed N      generated incident list (default 300, fixed seed)

  Commands for a running sandbox (--port N, or SANDBOX_URL; default http://${HOST}:${DEFAULT_CLI_PORT}):
  send rapid <event_type> [--once] [--url URL]
                                  signed push, retried on Rapid's schedule (--once: a single try)
  send atlas <event_type> [--url URL]
                                  one callback to the registered webhook URL
  fault <route|*> <kind> [--status N] [--times N] [--skip N] [--latency MS] [--retry-after S]
                                  routes: atlas.updateWebhookURL atlas.getPageList
                                          atlas.queryOrderDetails
                                          rapid.getUndeliverable rapid.postTest
                                  kinds: latency http timeout malformed-json truncated-gzip
                                         atlas-status reset
  faults [clear]                  list or remove faults
  incident new                    create an unconfirmed Atlas incident, updated now
  incident confirm <eventId>      confirm it now (status 1, a result): polling triggers see the change
  undeliverable <count>           add generated notifications to Rapid's undeliverable queue
  callback <url|none>             set or clear Rapid's callback URL
  state                           counts, URLs, queue length, faults
`;

/** A mistake in the command line or a refusal from the sandbox: printed without a stack. */
class UsageError extends Error {}

interface Args {
	positionals: string[];
	flags: Map<string, string>;
}

const BOOLEAN_FLAGS = new Set(['help', 'once']);

function parseArgs(argv: string[]): Args {
	const positionals: string[] = [];
	const flags = new Map<string, string>();
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '-h') flags.set('help', 'true');
		else if (!arg.startsWith('--')) positionals.push(arg);
		else {
			const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
			if (BOOLEAN_FLAGS.has(name)) flags.set(name, 'true');
			else {
				const value = inline ?? argv[++i];
				if (value === undefined) throw new UsageError(`--${name} needs a value`);
				flags.set(name, value);
			}
		}
	}
	return { positionals, flags };
}

function numberFlag(args: Args, name: string): number | undefined {
	const raw = args.flags.get(name);
	if (raw === undefined) return undefined;
	const value = Number(raw);
	if (!Number.isFinite(value)) throw new UsageError(`--${name}: "${raw}" is not a number`);
	return value;
}

function baseUrl(args: Args): string {
	const port = numberFlag(args, 'port');
	if (port !== undefined) return `http://${HOST}:${port}`;
	return (process.env.SANDBOX_URL ?? `http://${HOST}:${DEFAULT_CLI_PORT}`).replace(/\/+$/, '');
}

async function serve(args: Args): Promise<void> {
	const timeScale = numberFlag(args, 'time-scale');
	const sandbox: Sandbox = await startSandbox({
		port: numberFlag(args, 'port') ?? DEFAULT_CLI_PORT,
		incidentCount: numberFlag(args, 'incidents'),
		seed: numberFlag(args, 'seed'),
		atlasWebhookUrl: args.flags.get('atlas-webhook'),
		rapid: { callbackUrl: args.flags.get('rapid-callback'), retryTimeScale: timeScale },
		log: (line) => console.log(`${new Date().toISOString()}  ${line}`),
	});
	const port = sandbox.port === DEFAULT_CLI_PORT ? '' : ` --port ${sandbox.port}`;
	// These are the sandbox's own fixed credentials, not secrets: printing them is the point.
	console.log(`Sandbox listening on ${sandbox.url}

Atlas   credential: environment Custom, base URL ${sandbox.url}
        client ID ${DEFAULT_ATLAS_CLIENT_ID}, client secret ${DEFAULT_ATLAS_CLIENT_SECRET}
        ${sandbox.atlas.incidents.length} incidents; webhook URL: ${sandbox.atlas.webhookUrl() ?? '(none yet)'}
Rapid   credential: environment Custom, base URL ${sandbox.url}
        API key ${DEFAULT_RAPID_API_KEY}, shared secret ${DEFAULT_RAPID_SHARED_SECRET}
        callback URL: ${sandbox.rapid.callbackUrl() ?? '(none: set with --rapid-callback or the callback command)'}

Try (in another terminal):
  npm run sandbox -- send rapid itinerary.agent.cancel${port}
  npm run sandbox -- send atlas order.schedulechange${port}
  npm run sandbox -- fault atlas.getPageList http --status 503 --times 2${port}
  npm run sandbox -- undeliverable 30${port}
  npm run sandbox -- state${port}

Ctrl-C to stop.`);
	const stop = () => {
		void sandbox.close().then(() => process.exit(0));
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

/** Calls the admin API of a running sandbox; a clear message when none is running. */
async function admin(args: Args, method: string, path: string, body?: unknown): Promise<unknown> {
	const url = `${baseUrl(args)}/_admin/${path}`;
	let response: Response;
	try {
		response = await fetch(url, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
	} catch {
		throw new UsageError(
			`No sandbox is running at ${baseUrl(args)}. Start one with "npm run sandbox", or pass --port / set SANDBOX_URL.`,
		);
	}
	const text = await response.text();
	const parsed: unknown = text ? JSON.parse(text) : undefined;
	if (!response.ok) {
		throw new UsageError(
			(parsed as { error?: string })?.error ?? `${method} ${url} answered ${response.status}`,
		);
	}
	return parsed;
}

const show = (value: unknown) => console.log(JSON.stringify(value, null, 2));

interface PushOutcome {
	status: number;
	error?: string;
}
const outcome = (result: PushOutcome) =>
	result.status ? `HTTP ${result.status}` : `failed (${result.error})`;

async function send(args: Args): Promise<void> {
	const [, provider, type] = args.positionals;
	if (!type || (provider !== 'rapid' && provider !== 'atlas')) {
		throw new UsageError('Usage: send rapid|atlas <event_type>');
	}
	const url = args.flags.get('url');
	if (provider === 'atlas') {
		const result = (await admin(args, 'POST', 'atlas/push', { type, url })) as PushOutcome;
		console.log(`Atlas ${type} → ${outcome(result)}`);
		return;
	}
	if (args.flags.has('once') || url) {
		const result = (await admin(args, 'POST', 'rapid/push', { type, url })) as PushOutcome;
		console.log(`Rapid ${type} (one try) → ${outcome(result)}`);
		return;
	}
	const delivery = (await admin(args, 'POST', 'rapid/deliver', { type })) as {
		notification: { event_id?: string };
		firstAttempt: PushOutcome;
		retrying: boolean;
	};
	const retry = delivery.retrying ? "; retrying on Rapid's schedule" : '';
	console.log(
		`Rapid ${type} ${delivery.notification.event_id} → ${outcome(delivery.firstAttempt)}${retry}`,
	);
}

async function fault(args: Args): Promise<void> {
	const [, route, kind] = args.positionals;
	if (!route || !kind)
		throw new UsageError('Usage: fault <route|*> <kind> [--status N] [--times N] ...');
	const spec = {
		route,
		kind,
		status: numberFlag(args, 'status'),
		times: numberFlag(args, 'times'),
		skip: numberFlag(args, 'skip'),
		latencyMs: numberFlag(args, 'latency'),
		retryAfterSeconds: numberFlag(args, 'retry-after'),
	};
	const { fault: added } = (await admin(args, 'POST', 'faults', spec)) as { fault: unknown };
	show(added);
}

async function main(argv: string[]): Promise<void> {
	const args = parseArgs(argv);
	const [command = 'serve', sub] = args.positionals;
	if (args.flags.has('help') || command === 'help') {
		console.log(HELP);
		return;
	}
	switch (command) {
		case 'serve':
			return await serve(args);
		case 'send':
			return await send(args);
		case 'fault':
			return await fault(args);
		case 'faults':
			return show(await admin(args, sub === 'clear' ? 'DELETE' : 'GET', 'faults'));
		case 'incident': {
			if (sub === 'new') return show(await admin(args, 'POST', 'atlas/incidents', {}));
			const eventId = args.positionals[2];
			if (sub === 'confirm' && eventId)
				return show(await admin(args, 'POST', 'atlas/incidents/confirm', { eventId }));
			throw new UsageError('Usage: incident new | incident confirm <eventId>');
		}
		case 'undeliverable': {
			const count = Number(sub);
			if (!Number.isInteger(count) || count < 0)
				throw new UsageError('Usage: undeliverable <count>');
			return show(await admin(args, 'POST', 'rapid/undeliverable', { count }));
		}
		case 'callback':
			if (!sub) throw new UsageError('Usage: callback <url|none>');
			return show(await admin(args, 'PUT', 'rapid/callback', { url: sub === 'none' ? null : sub }));
		case 'state':
			return show(await admin(args, 'GET', 'state'));
		default:
			throw new UsageError(`Unknown command "${command}". See --help.`);
	}
}

main(process.argv.slice(2)).catch((error: unknown) => {
	console.error(error instanceof UsageError ? error.message : error);
	process.exit(1);
});
