/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development tooling: never shipped, runs under plain Node.js */
/**
 * `npm start`: the whole product on this machine, with nothing to configure. Pinned n8n on a Node it
 * accepts (cached in .cache/), this package installed where the Community Nodes screen installs
 * packages, the sandbox standing in for Atlas and Rapid, a fake Slack behind an HTTPS proxy
 * (fakeSlack.ts), credentials pointing at them, the example workflows imported and published (one
 * Rapid flow, one Atlas webhook flow, the scheduled ones and the error workflow; the queue-mode
 * alternative is not), n8n on http://localhost:5678. Ctrl-C stops everything.
 *
 * A first run spends its minutes in n8n's own install: the sandbox, the fake Slack and the package
 * build run beside it, and once n8n answers, credentials and workflows go in through its REST API
 * in one go (the CLI would start n8n once per import and per published workflow).
 *
 * Env: N8N_VERSION (default 2.40.7), N8N_PORT (5678), SANDBOX_PORT (4010), SMTP_PORT (4025),
 * TRAVEL_OPS_USER_FOLDER (default ~/.cache/n8n-nodes-travel-ops/demo), TRAVEL_OPS_FRESH=1.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

import { DEFAULT_CLI_PORT, startSandbox, type Sandbox } from '../sandbox';
import {
	DEFAULT_PORT,
	hasDraftsAndPublishing,
	RECOMMENDED_N8N_ENV,
	startN8n,
	type RunningN8n,
} from '../n8n/process';
import { installPackage } from '../n8n/install';
import { DEFAULT_OWNER, N8nRestClient } from '../n8n/rest';
import { ensureN8nRuntime } from '../n8n/runtime';
import { MESSAGES_PATH, startFakeSlack } from '../n8n/fakeSlack';
import {
	ATLAS_WEBHOOK_EXAMPLE_ID,
	DEMO_ATLAS_WEBHOOK_TOKEN,
	importWithCli,
	loadExamples,
	publishThroughRest,
	RAPID_EXAMPLE_ID,
	sandboxCredentials,
	webhookUrl,
	type WorkflowFile,
} from '../n8n/stack';
import { findFreePort, formatDuration, isPortFree, registerCleanup } from '../n8n/util';

/** Where the sandbox catches the example workflows' email. */
const DEFAULT_SMTP_PORT = 4025;

const STEPS = 6;
let current = 0;
const step = (message: string) => process.stdout.write(`\n[${++current}/${STEPS}] ${message}\n`);
const detail = (message: string) => process.stdout.write(`      ${message}\n`);

class StepFailure extends Error {
	constructor(
		message: string,
		readonly advice: string,
		/** Steps overlap: the one that failed, not the last one started. */
		readonly stepNumber = current,
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

/** Wraps a step's failure with what to do about it, and the step it belongs to. */
function adviseOn<T>(stepNumber: number, advice: string, promise: Promise<T>): Promise<T> {
	return promise.catch((error: Error) => {
		throw new StepFailure(error.message, advice, stepNumber);
	});
}

async function main(): Promise<void> {
	const n8nPort = Number(process.env.N8N_PORT ?? DEFAULT_PORT);
	const sandboxPort = Number(process.env.SANDBOX_PORT ?? DEFAULT_CLI_PORT);
	const smtpPort = Number(process.env.SMTP_PORT ?? DEFAULT_SMTP_PORT);
	const folder = userFolder();
	await requirePort(n8nPort, 'n8n', 'N8N_PORT');
	await requirePort(sandboxPort, 'sandbox', 'SANDBOX_PORT');
	await requirePort(smtpPort, 'SMTP catcher', 'SMTP_PORT');
	if (process.env.TRAVEL_OPS_FRESH === '1') rmSync(folder, { recursive: true, force: true });

	// n8n's install (minutes on a first run) goes on while the sandbox, the fake Slack and the
	// package build start beside it: none of them needs n8n.
	step(
		'Node 24 and n8n (first run downloads ~3 GB and takes ~5 minutes; later runs reuse .cache/)',
	);
	const runtimeReady = adviseOn(
		current,
		'Check that registry.npmjs.org is reachable and that ~3 GB of disk are free, then run npm start again (a half-finished download is cleaned up).',
		ensureN8nRuntime(),
	);
	// Reported if it fails while an earlier step is still being awaited, not as unhandled.
	runtimeReady.catch(() => undefined);

	const n8nBase = `http://localhost:${n8nPort}`;
	const byId = (list: WorkflowFile[], id: string) => list.find((w) => w.id === id);
	const examples = loadExamples();
	// Example 02 does not register its URL when published: the sandbox's Atlas account starts with
	// it, token included, as if the user had given it to Atlas.
	const atlasExample = byId(examples, ATLAS_WEBHOOK_EXAMPLE_ID);
	step(`Sandbox (fake Atlas + Rapid API) on port ${sandboxPort}`);
	const sandbox: Sandbox = await startSandbox({
		port: sandboxPort,
		smtpPort,
		atlasWebhookUrl: atlasExample
			? `${webhookUrl(n8nBase, atlasExample)}?token=${DEMO_ATLAS_WEBHOOK_TOKEN}`
			: undefined,
		// Rapid's retries (5 min, 1 h, 12 h…) in seconds, so a failed push is retried while you watch.
		rapid: { retryTimeScale: 0.01 },
		log: (line) => detail(`sandbox: ${line}`),
	});
	registerCleanup({ hard: () => undefined, graceful: async () => await sandbox.close() });
	const sandboxUrl = sandbox.url;
	detail(`${sandboxUrl}, SMTP catcher on port ${sandbox.smtpPort}`);

	step("Fake Slack: what n8n's Slack nodes post stays on this machine");
	const slack = await startFakeSlack();
	registerCleanup({ hard: () => undefined, graceful: async () => await slack.close() });
	detail(
		`an HTTPS proxy on ${slack.proxyUrl} answers for slack.com with a certificate from a CA made just now; n8n is started with HTTPS_PROXY and NODE_EXTRA_CA_CERTS pointing at them`,
	);

	step('Package into n8n (built, packed and unpacked where the Community Nodes screen puts it)');
	mkdirSync(folder, { recursive: true });
	const installed = adviseOn(
		current,
		`Run "npm run build" to see build errors; or start from scratch with TRAVEL_OPS_FRESH=1 npm start (deletes ${folder}).`,
		installPackage(folder),
	);
	const [runtime] = await Promise.all([runtimeReady, installed]);
	detail(`n8n ${runtime.version} on Node ${runtime.nodeVersion}`);

	const credentials = sandboxCredentials(sandboxUrl, sandbox.smtpPort);
	// n8n 1.x's REST API gives new workflows IDs of its own, which the examples' error-workflow
	// setting and the docs would miss: there the CLI imports them, before n8n starts.
	const throughRest = hasDraftsAndPublishing(runtime);
	if (!throughRest) {
		detail(`n8n ${runtime.version}: credentials and example workflows with its CLI (~2 min)`);
		await importWithCli({
			userFolder: folder,
			runtime,
			sandboxUrl,
			smtpPort: sandbox.smtpPort,
			workflows: examples,
			step: detail,
		});
	}

	step(
		`n8n on http://localhost:${n8nPort} (first start runs database migrations, ~40 s)${throughRest ? ', then credentials and example workflows through its REST API' : ''}`,
	);
	const n8n: RunningN8n = await startN8n({
		userFolder: folder,
		port: n8nPort,
		// Not n8n's default task-broker port: another n8n on this machine may hold it.
		brokerPort: await findFreePort(),
		runtime,
		env: { ...RECOMMENDED_N8N_ENV, ...slack.env },
	});
	registerCleanup({ hard: () => undefined, graceful: async () => await n8n.stop() });
	const importing = Date.now();
	const rest = new N8nRestClient(n8n.url);
	await rest.ensureOwner();
	if (throughRest) {
		const { published } = await publishThroughRest(rest, { credentials, workflows: examples });
		detail(
			`${credentials.length} credentials and ${examples.length} workflows imported, ${published.length} published in ${formatDuration(Date.now() - importing)}`,
		);
	}
	const rapidExample = byId(examples, RAPID_EXAMPLE_ID);
	if (rapidExample) sandbox.rapid.setCallbackUrl(webhookUrl(n8nBase, rapidExample));

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
		'  npm run sandbox -- send rapid itinerary.supplier.cancel    → example 1 asks #hotel-cancellations to review',
		'  npm run sandbox -- send rapid itinerary.fraud.cancel       → example 1 emails the fraud team',
		'  npm run sandbox -- send rapid itinerary.agent.change       → example 1 posts to #hotel-notifications',
		'  npm run sandbox -- send atlas order.schedulechange         → example 2 posts to #flight-ops',
		'  npm run sandbox -- undeliverable 30                        → example 4 drains them hourly (or run it in the editor)',
		`  curl ${slack.proxyUrl}${MESSAGES_PATH}         → what the workflows posted to the fake Slack`,
		'                                      (a review message carries its buttons as links: open one to answer)',
		`  curl ${sandboxUrl}/_admin/caught                 → what the workflows emailed`,
		'',
		'Ctrl-C stops n8n and the sandbox.',
	];
	for (const line of lines) detail(line);
	await new Promise<void>((done) => n8n.process.once('exit', () => done()));
	detail('n8n exited; stopping the sandbox and the fake Slack.');
	await sandbox.close();
	await slack.close();
}

main().catch((error: Error) => {
	const failure = error instanceof StepFailure ? error : undefined;
	const advice = failure?.advice ?? 'See the message above; the n8n log is in the user folder.';
	process.stderr.write(
		`\n✖ Step ${failure?.stepNumber ?? current} failed: ${error.message}\n  What to do: ${advice}\n`,
	);
	process.exit(1);
});
