/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- development tooling: never shipped, runs under plain Node.js */
/**
 * The queue-mode suite's stack: the sandbox, and n8n in queue mode (PostgreSQL, Redis, one main,
 * two webhook processors, two workers; dev/n8n/queue.ts) with the example workflows, the e2e
 * suite's trigger workflows, and the action nodes behind a Webhook node (a manual start would run
 * on the main, not on a worker).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startSandbox, type Sandbox } from '../sandbox';
import { type FakeSlack, startFakeSlack } from '../n8n/fakeSlack';
import { readExecutions, readNodeOutputField, type StoredExecution } from '../n8n/db';
import { startQueueStack, type QueueStack } from '../n8n/queue';
import { ensureN8nRuntime } from '../n8n/runtime';
import { packageLoadProblems } from '../n8n/smoke';
import {
	ATLAS_CREDENTIAL_ID,
	loadExamples,
	RAPID_CREDENTIAL_ID,
	twoNodeWorkflow,
	webhookUrl,
	type WorkflowFile,
} from '../n8n/stack';
import { testWorkflows, waitFor } from '../e2e/harness';

/** Seconds between the two copies in the "minutes apart" case (QUEUE_DUPLICATE_GAP_SECONDS overrides). */
export const GAP_SECONDS = Number(process.env.QUEUE_DUPLICATE_GAP_SECONDS ?? 120);

export const Q = {
	getMany: 'QueueGetMany',
	drain: 'QueueRapidDrain',
	eachOnce: 'TravelOpsEx05',
	removeDuplicates: 'QueueRemoveDupes',
} as const;

/** A Webhook node that answers at once; the action node after it runs on a worker. */
function webhookStart(path: string) {
	return {
		parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: `queue-${path}`,
	};
}

/** The workflows only the queue suite adds (beside the examples and the e2e test workflows). */
export function queueWorkflows(): WorkflowFile[] {
	return [
		// n8n's Remove Duplicates after the trigger: measured beside example 05's PostgreSQL claim.
		twoNodeWorkflow(
			Q.removeDuplicates,
			'queue: Rapid Trigger + Remove Duplicates',
			{
				parameters: { events: ['*'], options: {} },
				name: 'Expedia Rapid Trigger',
				type: 'n8n-nodes-travel-ops.expediaRapidTrigger',
				typeVersion: 1.1,
				position: [0, 0],
				webhookId: 'queue0000-0000-4000-8000-00000000b001',
				credentials: {
					expediaRapidApi: { id: RAPID_CREDENTIAL_ID, name: 'Expedia Rapid (sandbox)' },
				},
			},
			{
				parameters: {
					operation: 'removeItemsSeenInPreviousExecutions',
					dedupeValue: '={{ $json.event_id }}',
					options: { scope: 'workflow', historySize: 100000 },
				},
				name: 'Once per event_id',
				type: 'n8n-nodes-base.removeDuplicates',
				typeVersion: 2,
				position: [240, 0],
			},
		),
		twoNodeWorkflow(Q.getMany, 'queue: Atlas Get Many', webhookStart('get-many'), {
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
			credentials: { atlasApi: { id: ATLAS_CREDENTIAL_ID, name: 'Atlas (sandbox)' } },
		}),
		twoNodeWorkflow(Q.drain, 'queue: Rapid Get Undeliverable', webhookStart('drain'), {
			parameters: { resource: 'notification', operation: 'getUndeliverable' },
			name: 'Expedia Rapid',
			type: 'n8n-nodes-travel-ops.expediaRapid',
			typeVersion: 1,
			position: [220, 0],
			credentials: {
				expediaRapidApi: { id: RAPID_CREDENTIAL_ID, name: 'Expedia Rapid (sandbox)' },
			},
		}),
	];
}

export interface QueueTestStack {
	sandbox: Sandbox;
	/** Where example 05's Slack node posts (through the proxy every n8n process is given). */
	slack: FakeSlack;
	queue: QueueStack;
	/** The production URL of a workflow's trigger on webhook processor `processor` (0-based). */
	url(workflowId: string, processor: number): string;
	executions(workflowId: string): Promise<StoredExecution[]>;
	outputField(
		workflowId: string,
		nodeName: string,
		field: string,
	): ReturnType<typeof readNodeOutputField>;
	/** Package load errors in any process's log. */
	loadProblems(): string[];
	stop(): Promise<void>;
}

export async function startQueueTestStack(): Promise<QueueTestStack> {
	const runtime = await ensureN8nRuntime();
	const dir = mkdtempSync(join(tmpdir(), 'travel-ops-queue-'));
	const sandbox = await startSandbox({ port: 0, rapid: { retryTimeScale: 0.0001 } });
	const slack = await startFakeSlack();
	const workflows = [...loadExamples({ queueMode: true }), ...testWorkflows(), ...queueWorkflows()];
	try {
		const queue = await startQueueStack({
			dir,
			runtime,
			sandboxUrl: sandbox.url,
			smtpPort: sandbox.smtpPort,
			workflows,
			publish: workflows.filter((w) => w.nodes.some((n) => n.webhookId)).map((w) => w.id),
			env: slack.env,
		});
		const byId = (id: string) => {
			const workflow = workflows.find((w) => w.id === id);
			if (!workflow) throw new Error(`No workflow ${id}`);
			return workflow;
		};
		const database = queue.database;
		return {
			sandbox,
			slack,
			queue,
			url: (id, processor) => {
				const workflow = byId(id);
				const base = queue.webhooks[processor].url;
				const start = workflow.nodes[0];
				return start.type === 'n8n-nodes-base.webhook'
					? `${base}/webhook/${String(start.parameters.path)}`
					: webhookUrl(base, workflow);
			},
			executions: async (workflowId) =>
				await readExecutions(runtime, database, { workflowId, limit: 1000 }),
			outputField: async (workflowId, nodeName, field) =>
				await readNodeOutputField(runtime, database, { workflowId, nodeName, field }),
			loadProblems: () =>
				[queue.main, ...queue.webhooks, ...queue.workers].flatMap((n8n) =>
					packageLoadProblems(readFileSync(n8n.logPath, 'utf8')),
				),
			stop: async () => {
				await queue.stop();
				await sandbox.close();
				await slack.close();
				if (process.env.TRAVEL_OPS_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
			},
		};
	} catch (error) {
		await sandbox.close();
		await slack.close();
		throw error;
	}
}

const FINISHED = (e: { status: string }) => !['new', 'running', 'waiting'].includes(e.status);

/** Waits until a workflow has `count` finished executions; returns one field of a node's output. */
export async function finishedOutputs(
	stack: QueueTestStack,
	workflowId: string,
	nodeName: string,
	field: string,
	count: number,
	timeoutMs = 120_000,
) {
	return await waitFor(
		async () => await stack.outputField(workflowId, nodeName, field),
		(rows) => rows.length >= count && rows.every(FINISHED),
		timeoutMs,
	);
}

/** How often each value occurs. */
export function tally(values: unknown[]): Map<string, number> {
	const counts = new Map<string, number>();
	for (const value of values) counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
	return counts;
}
