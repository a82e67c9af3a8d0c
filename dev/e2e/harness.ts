/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- development tooling: never shipped, runs under plain Node.js */
/**
 * One real n8n for the end-to-end suite: pinned n8n on Node 24, this package installed from its
 * `npm pack` tarball into <userFolder>/.n8n/nodes/node_modules (as the Community Nodes screen does),
 * the sandbox standing in for both providers, the example workflows plus a few test workflows
 * imported and published with the n8n CLI.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startSandbox, type Sandbox } from '../sandbox';
import { type FakeSlack, startFakeSlack } from '../n8n/fakeSlack';
import {
	type N8nDatabase,
	queryDatabase,
	readExecutions,
	readNodeOutputField,
	type StoredExecution,
} from '../n8n/db';
import { RECOMMENDED_N8N_ENV, runN8nCli, startN8n, type RunningN8n } from '../n8n/process';
import { N8nRestClient } from '../n8n/rest';
import { ensureN8nRuntime, type N8nRuntime } from '../n8n/runtime';
import { packageLoadProblems } from '../n8n/smoke';
import {
	ATLAS_CREDENTIAL_ID,
	ERROR_WORKFLOW_ID,
	loadExamples,
	prepareUserFolder,
	RAPID_CREDENTIAL_ID,
	twoNodeWorkflow,
	webhookUrl,
	type WorkflowFile,
} from '../n8n/stack';
import { findFreePort } from '../n8n/util';

export const T = {
	rapidTrigger: 'E2eRapidTrigger',
	atlasTrigger: 'E2eAtlasTrigger',
	getMany: 'E2eAtlasGetMany',
	drain: 'E2eRapidDrain',
	sendTest: 'E2eRapidSendTest',
	load: 'E2eRapidLoad',
	/** Only ever called with forged signatures: the refusal report's own window. */
	refusals: 'E2eRapidRefusals',
	// Every ID fits MAX_WORKFLOW_ID_LENGTH (dev/n8n/stack.ts): n8n 1.x saves no static data beyond it.
	incidentPoller: 'E2eAtlasPoller',
	/** Watches unaccounted cancellations only, against a list that fails and moves on cue. */
	hostilePoller: 'E2eAtlasPollHard',
} as const;

/** The incident type only the hostile poller's tests create. */
export const HOSTILE_POLLER_TYPE = 'abnormal.cancelled';

/** The polling trigger's node name in the test workflow and in example 06. */
export const INCIDENT_TRIGGER = 'Atlas Incident Trigger';

/**
 * Requests in the load test, in `npm run test:e2e` (CI) and `npm run test:load` alike
 * (E2E_LOAD_EVENTS overrides).
 */
export const LOAD_EVENTS = Number(process.env.E2E_LOAD_EVENTS ?? 10_000);
/**
 * Forged calls the refused-deliveries test sends in one burst (`E2E_FORGED_CALLS`). n8n with its
 * default settings answers 10 to 50 a second on a shared machine (500 took 47 s on 2 busy cores),
 * so 400 keep the test under a minute; test/reliability/refusals.test.ts sends 10,000.
 */
export const FORGED_CALLS = Number(process.env.E2E_FORGED_CALLS ?? 400);
/** The load test's n8n: the setting recommended for webhook volume, or n8n's defaults on request. */
export const LOAD_N8N_ENV = process.env.E2E_LOAD_N8N_DEFAULTS === '1' ? {} : RECOMMENDED_N8N_ENV;

/** Prints a report line outside jest's console decoration. */
export const report = (line: string) => process.stdout.write(`${line}\n`);

const RAPID = { expediaRapidApi: { id: RAPID_CREDENTIAL_ID, name: 'Expedia Rapid (sandbox)' } };
const ATLAS = { atlasApi: { id: ATLAS_CREDENTIAL_ID, name: 'Atlas (sandbox)' } };

const manual = {
	parameters: {},
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
};

/** An Incident Trigger polling every minute for `eventTypes` (none: all), new and changed. */
const incidentPoller = (id: string, name: string, eventTypes: string[]) =>
	twoNodeWorkflow(id, name, {
		parameters: {
			pollTimes: { item: [{ mode: 'everyMinute' }] },
			eventTypes,
			statuses: [],
			emit: 'newAndChanged',
			simplify: true,
		},
		name: INCIDENT_TRIGGER,
		type: 'n8n-nodes-travel-ops.atlasIncidentTrigger',
		typeVersion: 1,
		position: [0, 0],
		credentials: ATLAS,
	});

/** A workflow of the Rapid Trigger alone, every event type, webhook id ending in `suffix`. */
const rapidTriggerWorkflow = (id: string, name: string, suffix: string) =>
	twoNodeWorkflow(id, name, {
		parameters: { events: ['*'], options: {} },
		name: 'Rapid Trigger',
		type: 'n8n-nodes-travel-ops.expediaRapidTrigger',
		typeVersion: 1.1,
		position: [0, 0],
		webhookId: `e2e00000-0000-4000-8000-00000000${suffix}`,
		credentials: RAPID,
	});

/** Test workflows: each node alone, so that executions show exactly what the node did. */
export function testWorkflows(): WorkflowFile[] {
	return [
		rapidTriggerWorkflow(T.rapidTrigger, 'e2e: Rapid Trigger', 'a001'),
		twoNodeWorkflow(T.atlasTrigger, 'e2e: Atlas Trigger', {
			// Registers its URL on activation (example 02 leaves that off, as users get it). The
			// allow-list lets through the documented events that carry no cid (airline.status,
			// order.cancelled).
			parameters: {
				events: ['*'],
				registerOnActivation: true,
				options: { allowedIps: '127.0.0.0/8, ::1' },
			},
			name: 'Atlas Trigger',
			type: 'n8n-nodes-travel-ops.atlasTrigger',
			typeVersion: 1.1,
			position: [0, 0],
			webhookId: 'e2e00000-0000-4000-8000-00000000a002',
			credentials: ATLAS,
		}),
		rapidTriggerWorkflow(T.load, 'e2e: Rapid Trigger under load', 'a003'),
		rapidTriggerWorkflow(T.refusals, 'e2e: Rapid Trigger under forged calls', 'a004'),
		// Polls once a minute (n8n's shortest poll time), every type and status, new and changed.
		incidentPoller(T.incidentPoller, 'e2e: Atlas Incident Trigger every minute', []),
		incidentPoller(T.hostilePoller, 'e2e: Atlas Incident Trigger, hostile list', [
			HOSTILE_POLLER_TYPE,
		]),
		twoNodeWorkflow(T.getMany, 'e2e: Atlas Get Many', manual, {
			parameters: {
				resource: 'incident',
				operation: 'getMany',
				returnAll: true,
				filters: {},
				options: { pageSize: 7 },
			},
			name: 'Atlas',
			type: 'n8n-nodes-travel-ops.atlas',
			typeVersion: 1,
			position: [220, 0],
			credentials: ATLAS,
		}),
		twoNodeWorkflow(T.drain, 'e2e: Rapid Get Undeliverable', manual, {
			parameters: { resource: 'notification', operation: 'getUndeliverable' },
			name: 'Expedia Rapid',
			type: 'n8n-nodes-travel-ops.expediaRapid',
			typeVersion: 1,
			position: [220, 0],
			credentials: RAPID,
		}),
		twoNodeWorkflow(T.sendTest, 'e2e: Rapid Send Test', manual, {
			parameters: {
				resource: 'notification',
				operation: 'sendTest',
				eventType: 'itinerary.supplier.cancel',
			},
			name: 'Expedia Rapid',
			type: 'n8n-nodes-travel-ops.expediaRapid',
			typeVersion: 1,
			position: [220, 0],
			credentials: RAPID,
		}),
	];
}

export interface Stack {
	sandbox: Sandbox;
	/** Slack's Web API as n8n's Slack node reaches it (through n8n's HTTPS proxy setting). */
	slack: FakeSlack;
	n8n: RunningN8n;
	runtime: N8nRuntime;
	userFolder: string;
	workflows: WorkflowFile[];
	rest: N8nRestClient;
	/** Production webhook URL of a workflow's trigger. */
	url(workflowId: string): string;
	executions(workflowId: string): Promise<StoredExecution[]>;
	/** One field of a node's output per execution (compact; for thousands of executions). */
	outputField(
		workflowId: string,
		nodeName: string,
		field: string,
	): ReturnType<typeof readNodeOutputField>;
	/** A workflow's static data as n8n saved it in its database (`{}` when none). */
	staticData(workflowId: string): Promise<Record<string, unknown>>;
	/** `n8n execute --id`: runs a workflow from the CLI against the same database. */
	execute(workflowId: string): Promise<{ code: number; stdout: string; stderr: string }>;
	/**
	 * Stops n8n and starts it again on the same user folder and port (`n8n` is then the new process,
	 * appending to the same log), and waits until the production webhooks of `workflowIds` answer.
	 * Runs what `whileStopped` registered in between.
	 */
	restart(workflowIds: string[]): Promise<void>;
	/** Something to do at the next restart while n8n is down (e.g. change the sandbox's data). */
	whileStopped(action: () => void | Promise<void>): void;
	logText(): string;
	loadProblems(): string[];
	stop(): Promise<void>;
}

export interface StackOptions {
	/** Polling workflows to publish too (webhook-trigger workflows always are). */
	pollers?: string[];
	/** Runs after everything is imported and published, just before n8n starts. */
	beforeN8nStart?: (sandbox: Sandbox) => void | Promise<void>;
	/** n8n settings beyond the defaults (e.g. `RECOMMENDED_N8N_ENV`). */
	env?: Record<string, string>;
	/**
	 * Workflows whose production webhooks must answer before the stack is handed over (n8n 1.x
	 * registers them after readiness). The probe is one refused call to each.
	 */
	webhooksFirst?: string[];
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
	const runtime = await ensureN8nRuntime();
	const userFolder = mkdtempSync(join(tmpdir(), 'travel-ops-e2e-'));
	const database: N8nDatabase = { type: 'sqlite', userFolder };
	const sandbox = await startSandbox({ port: 0, rapid: { retryTimeScale: 0.0001 } });
	const slack = await startFakeSlack();
	const env = { ...slack.env, ...opts.env };
	const workflows = [...loadExamples(), ...testWorkflows()];
	const port = await findFreePort();
	const n8nUrl = `http://127.0.0.1:${port}`;
	const byId = (id: string) => {
		const workflow = workflows.find((w) => w.id === id);
		if (!workflow) throw new Error(`No workflow ${id}`);
		return workflow;
	};
	try {
		await prepareUserFolder({
			userFolder,
			runtime,
			sandboxUrl: sandbox.url,
			smtpPort: sandbox.smtpPort,
			workflows,
			publish: [
				...workflows.filter((w) => w.nodes.some((n) => n.webhookId)).map((w) => w.id),
				// n8n 2.x calls only a published error workflow.
				ERROR_WORKFLOW_ID,
				...(opts.pollers ?? []),
			],
		});
		await opts.beforeN8nStart?.(sandbox);
		// A free task-broker port too: another n8n on this machine may hold n8n's default one.
		const brokerPort = await findFreePort();
		let n8n = await startN8n({ userFolder, port, brokerPort, runtime, env });
		const stoppedActions: Array<() => void | Promise<void>> = [];
		const rest = new N8nRestClient(n8n.url);
		await rest.ensureOwner();
		for (const id of opts.webhooksFirst ?? [])
			await webhookRegistered(webhookUrl(n8nUrl, byId(id)));
		return {
			sandbox,
			slack,
			get n8n() {
				return n8n;
			},
			runtime,
			userFolder,
			workflows,
			rest,
			url: (id) => webhookUrl(n8nUrl, byId(id)),
			executions: async (workflowId) =>
				await readExecutions(runtime, database, { workflowId, limit: 500 }),
			outputField: async (workflowId, nodeName, field) =>
				await readNodeOutputField(runtime, database, { workflowId, nodeName, field }),
			staticData: async (workflowId) => {
				const [row] = await queryDatabase<{ staticData: unknown }>(
					runtime,
					database,
					'SELECT "staticData" FROM workflow_entity WHERE id = ?',
					[workflowId],
				);
				const value = row?.staticData;
				const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
				return (parsed ?? {}) as Record<string, unknown>;
			},
			execute: async (workflowId) =>
				await runN8nCli(['execute', `--id=${workflowId}`, '--rawOutput'], {
					userFolder,
					runtime,
					env,
				}),
			restart: async (workflowIds) => {
				await n8n.stop();
				for (const action of stoppedActions.splice(0)) await action();
				n8n = await startN8n({ userFolder, port, brokerPort, runtime, env });
				for (const id of workflowIds) await webhookRegistered(webhookUrl(n8nUrl, byId(id)));
			},
			whileStopped: (action) => {
				stoppedActions.push(action);
			},
			logText: () => readFileSync(n8n.logPath, 'utf8'),
			loadProblems: () => packageLoadProblems(readFileSync(n8n.logPath, 'utf8')),
			stop: async () => {
				await n8n.stop();
				await sandbox.close();
				await slack.close();
				if (process.env.TRAVEL_OPS_KEEP !== '1')
					rmSync(userFolder, { recursive: true, force: true });
			},
		};
	} catch (error) {
		await sandbox.close();
		await slack.close();
		throw error;
	}
}

/**
 * n8n answers readiness before it has registered the production webhooks of published workflows
 * (404 until then). Probes with a body that our triggers reject without starting anything: Rapid
 * answers an unsigned request 401, Atlas unparsable text 400 (or 401/403 before reading it).
 */
export async function webhookRegistered(url: string, timeoutMs = 60_000) {
	const probe = async () =>
		(await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{' }))
			.status;
	const status = await waitFor(probe, (s) => s !== 404, timeoutMs);
	if (status === 404) throw new Error(`${url} still answers 404 ${timeoutMs / 1000} s after start`);
}

/**
 * Polls `read` every `intervalMs` until `done` holds or `timeoutMs` passes; returns the last value
 * either way.
 */
export async function waitFor<V>(
	read: () => Promise<V>,
	done: (value: V) => boolean,
	timeoutMs = 20_000,
	intervalMs = 250,
): Promise<V> {
	const deadline = Date.now() + timeoutMs;
	let value = await read();
	while (!done(value) && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
		value = await read();
	}
	return value;
}

export const pause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Finished, with its run data written: n8n 1.x on SQLite updates an execution's status and its data
 * in two statements (`ExecutionRepository.updateExistingExecution`, @n8n/db), so a read between
 * them sees "success" with no run data yet.
 */
const FINISHED = (e: StoredExecution) =>
	!['new', 'running', 'waiting'].includes(e.status) &&
	(Object.keys(e.data?.resultData?.runData ?? {}).length > 0 ||
		e.data?.resultData?.error !== undefined);

/** Waits until a workflow has `count` finished executions (and returns them, newest first). */
export async function finishedExecutions(
	stack: Stack,
	workflowId: string,
	count: number,
	timeoutMs?: number,
) {
	return await waitFor(
		async () => (await stack.executions(workflowId)).filter(FINISHED),
		(list) => list.length >= count,
		timeoutMs,
	);
}

/** The JSON of every item a node output in an execution. */
export function nodeOutput(
	execution: StoredExecution,
	nodeName: string,
	output = 0,
): Array<Record<string, unknown>> {
	const runs = (execution.data?.resultData?.runData?.[nodeName] ?? []) as Array<{
		data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
	}>;
	return runs.flatMap((run) => (run.data?.main?.[output] ?? []).map((item) => item.json));
}

/** The refusal reports a trigger emitted on its second output (Refused) in an execution. */
export const refusalReports = (execution: StoredExecution, nodeName: string) =>
	nodeOutput(execution, nodeName, 1);
