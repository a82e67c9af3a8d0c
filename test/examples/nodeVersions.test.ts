/**
 * Every n8n node in the examples and the e2e and queue workflows exists, in its version, in
 * n8n 1.123.81 too. n8n 1.x cannot activate a workflow with a node version it lacks ("Cannot read
 * properties of undefined (reading 'execute')" at activation, webhooks answering 404): the
 * examples used Slack 2.7, which n8n 1.123 (n8n-nodes-base 1.121) does not have.
 */
import { queueWorkflows } from '../../dev/queue/harness';
import { testWorkflows } from '../../dev/e2e/harness';
import { loadExamples } from '../../dev/n8n/stack';

/** The newest version of each n8n node we use that n8n 1.123.81 ships (its n8n-nodes-base). */
const NEWEST_ON_N8N_1: Record<string, number> = {
	'n8n-nodes-base.aggregate': 1,
	'n8n-nodes-base.emailSend': 2.1,
	'n8n-nodes-base.errorTrigger': 1,
	'n8n-nodes-base.if': 2.3,
	'n8n-nodes-base.manualTrigger': 1,
	'n8n-nodes-base.noOp': 1,
	'n8n-nodes-base.postgres': 2.6,
	'n8n-nodes-base.removeDuplicates': 2,
	'n8n-nodes-base.scheduleTrigger': 1.3,
	'n8n-nodes-base.slack': 2.4,
	'n8n-nodes-base.stickyNote': 1,
	'n8n-nodes-base.switch': 3.4,
	'n8n-nodes-base.webhook': 2.1,
};

interface Node {
	name: string;
	type: string;
	[key: string]: unknown;
}

/** The nodes of n8n's own packages newer than n8n 1.123.81 has (or not in the table above). */
const tooNew = (nodes: Node[]) =>
	nodes
		.filter((n) => !n.type.startsWith('n8n-nodes-travel-ops.'))
		.filter((n) => !(Number(n.typeVersion) <= (NEWEST_ON_N8N_1[n.type] ?? -1)))
		.map((n) => `${n.name}: ${n.type} ${String(n.typeVersion)}`);

describe('node versions n8n 1.x has', () => {
	it.each<[string, () => Array<{ nodes: Node[] }>]>([
		['the examples (queue mode too)', () => loadExamples({ queueMode: true })],
		['the e2e test workflows', () => testWorkflows()],
		['the queue suite workflows', () => queueWorkflows()],
	])('%s use only those', (_name, workflows) => {
		const nodes = workflows().flatMap((w) => w.nodes);
		expect(nodes.length).toBeGreaterThan(0);
		expect(tooNew(nodes)).toEqual([]);
	});

	it('a newer version, or a node not listed, is caught', () => {
		expect(
			tooNew([
				{ name: 'Post', type: 'n8n-nodes-base.slack', typeVersion: 2.7 },
				{ name: 'Ok', type: 'n8n-nodes-base.slack', typeVersion: 2.4 },
				{ name: 'Ours', type: 'n8n-nodes-travel-ops.atlas', typeVersion: 9 },
				{ name: 'Other', type: 'n8n-nodes-base.code', typeVersion: 1 },
			]),
		).toEqual(['Post: n8n-nodes-base.slack 2.7', 'Other: n8n-nodes-base.code 1']);
	});
});
