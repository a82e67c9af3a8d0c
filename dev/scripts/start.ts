/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling: never shipped, runs under plain Node.js */
/**
 * `npm start`: the whole product on this machine, with nothing to configure. Pinned n8n on a Node it
 * accepts (cached in .cache/), this package installed where the Community Nodes screen installs
 * packages, the sandbox standing in for Atlas and Rapid, credentials pointing at it, the example
 * workflows imported and published, n8n on http://localhost:5678. Ctrl-C stops everything.
 *
 * Env: N8N_VERSION (default 2.40.7), N8N_PORT (5678), SANDBOX_PORT (4010), SMTP_PORT (4025),
 * TRAVEL_OPS_USER_FOLDER (default ~/.cache/n8n-nodes-travel-ops/demo), TRAVEL_OPS_FRESH=1.
 */
import { rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

import { DEFAULT_CLI_PORT, startSandbox, type Sandbox } from '../sandbox';
import { DEFAULT_PORT, RECOMMENDED_N8N_ENV, startN8n, type RunningN8n } from '../n8n/process';
import { DEFAULT_OWNER, N8nRestClient } from '../n8n/rest';
import { ensureN8nRuntime } from '../n8n/runtime';
import { EXAMPLE_SANDBOX_URL, loadExamples, prepareUserFolder, webhookUrl } from '../n8n/stack';
import { isPortFree, registerCleanup } from '../n8n/util';

/** Where the sandbox catches the example workflows' email. */
const DEFAULT_SMTP_PORT = 4025;

const STEPS = 5;
let current = 0;
const step = (message: string) => process.stdout.write(`\n[${++current}/${STEPS}] ${message}\n`);
const detail = (message: string) => process.stdout.write(`      ${message}\n`);

class StepFailure extends Error {
	constructor(
		message: string,
		readonly advice: string,
	) {
		super(message);
	}
}

function userFolder(): string {
	if (process.env.TRAVEL_OPS_USER_FOLDER) return resolve(process.env.TRAVEL_OPS_USER_FOLDER);
	// Outside the repository: n8n writes thousands of editor files there, which eslint would lint.
	return join(
		process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
		'n8n-nodes-travel-ops',
		'demo',
	);
}

async function requirePort(port: number, what: string, variable: string): Promise<void> {
	if (await isPortFree(port)) return;
	throw new StepFailure(
		`Port ${port} (${what}) is already in use.`,
		`Stop whatever listens there (an earlier npm start?), or choose another port: ${variable}=<port> npm start`,
	);
}

async function main(): Promise<void> {
	const n8nPort = Number(process.env.N8N_PORT ?? DEFAULT_PORT);
	const sandboxPort = Number(process.env.SANDBOX_PORT ?? DEFAULT_CLI_PORT);
	const smtpPort = Number(process.env.SMTP_PORT ?? DEFAULT_SMTP_PORT);
	const folder = userFolder();
	await requirePort(n8nPort, 'n8n', 'N8N_PORT');
	await requirePort(sandboxPort, 'sandbox', 'SANDBOX_PORT');
	await requirePort(smtpPort, 'SMTP catcher', 'SMTP_PORT');

	step(
		'Node 24 and n8n (first run downloads ~3 GB and takes ~5 minutes; later runs reuse .cache/)',
	);
	const runtime = await ensureN8nRuntime().catch((error: Error) => {
		throw new StepFailure(
			error.message,
			'Check that registry.npmjs.org is reachable and that ~3 GB of disk are free, then run npm start again (a half-finished download is cleaned up).',
		);
	});
	detail(`n8n ${runtime.version} on Node ${runtime.nodeVersion}`);

	step(`Sandbox (fake Atlas + Rapid API) on port ${sandboxPort}`);
	const sandbox: Sandbox = await startSandbox({
		port: sandboxPort,
		smtpPort,
		// Rapid's retries (5 min, 1 h, 12 h…) in seconds, so a failed push is retried while you watch.
		rapid: { retryTimeScale: 0.01 },
		log: (line) => detail(`sandbox: ${line}`),
	});
	registerCleanup({ hard: () => undefined, graceful: async () => await sandbox.close() });
	const sandboxUrl = sandbox.url;
	detail(`${sandboxUrl}, SMTP catcher on port ${sandbox.smtpPort}`);

	step('Package, credentials and example workflows into n8n');
	if (process.env.TRAVEL_OPS_FRESH === '1') rmSync(folder, { recursive: true, force: true });
	const examples = loadExamples(sandboxUrl === EXAMPLE_SANDBOX_URL ? undefined : sandboxUrl);
	await prepareUserFolder({
		userFolder: folder,
		runtime,
		sandboxUrl,
		smtpPort: sandbox.smtpPort,
		workflows: examples,
		step: detail,
	}).catch((error: Error) => {
		throw new StepFailure(
			error.message,
			`Run "npm run build" to see build errors; or start from scratch with TRAVEL_OPS_FRESH=1 npm start (deletes ${folder}).`,
		);
	});

	step(`n8n on http://localhost:${n8nPort} (first start runs database migrations, ~40 s)`);
	const n8n: RunningN8n = await startN8n({
		userFolder: folder,
		port: n8nPort,
		runtime,
		env: RECOMMENDED_N8N_ENV,
	});
	const rest = new N8nRestClient(n8n.url);
	await rest.ensureOwner();
	const n8nBase = `http://localhost:${n8nPort}`;
	const rapidExample = examples.find((w) => w.id === 'TravelOpsExample01');
	if (rapidExample) sandbox.rapid.setCallbackUrl(webhookUrl(n8nBase, rapidExample));
	const emailExample = examples.find((w) => w.id === 'TravelOpsExample01b');

	step('Running');
	const lines = [
		`n8n        ${n8nBase}   (log in: ${DEFAULT_OWNER.email} / ${DEFAULT_OWNER.password})`,
		`sandbox    ${sandboxUrl}   (Atlas + Rapid; keys in the "… (sandbox)" credentials)`,
		`user data  ${folder}`,
		`n8n log    ${n8n.logPath}`,
		'',
		'Published example workflows:',
		...examples.map((w) => `  • ${w.name}`),
		'',
		'Fire sample events (in another terminal):',
		'  npm run sandbox -- send rapid itinerary.supplier.cancel    → example 1 posts to "Slack"',
		`  npm run sandbox -- send rapid itinerary.fraud.cancel --url ${emailExample ? webhookUrl(n8nBase, emailExample) : ''}`,
		'                                                             → example 1b emails the traveller',
		'  npm run sandbox -- send atlas order.schedulechange         → example 2 posts to "Slack"',
		'  npm run sandbox -- undeliverable 30                        → example 4 drains them hourly (or run it in the editor)',
		`  curl ${sandboxUrl}/_admin/caught                 → what the workflows "sent to Slack" or emailed`,
		'',
		'Ctrl-C stops n8n and the sandbox.',
	];
	for (const line of lines) detail(line);
	registerCleanup({ hard: () => undefined, graceful: async () => await n8n.stop() });
	await new Promise<void>((done) => n8n.process.once('exit', () => done()));
	detail('n8n exited; stopping the sandbox.');
	await sandbox.close();
}

main().catch((error: Error) => {
	const advice =
		error instanceof StepFailure
			? error.advice
			: 'See the message above; the n8n log is in the user folder.';
	process.stderr.write(`\n✖ Step ${current} failed: ${error.message}\n  What to do: ${advice}\n`);
	process.exit(1);
});
