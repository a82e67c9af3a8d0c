/**
 * What the throughput figures compare: n8n's Webhook node (bare, and with Header Auth: it reads a
 * credential per call too) and our triggers in several settings, each as a workflow of the trigger
 * and a No Operation node, with the requests that exercise it; and the n8n settings compared.
 * The lookups: each lookup operation and n8n's HTTP Request node making the same call with the same
 * credential, each after a Webhook node that answers with what the last node returned.
 */
import { ATLAS_REQUEST_HEADERS } from '../../nodes/Atlas/transport/headers';
import { DEFAULT_CUSTOMER_IP } from '../../nodes/ExpediaRapid/actions/itinerary/get.operation';
import { buildAuthorizationHeader } from '../../nodes/ExpediaRapid/signature';
import { RAPID_REQUEST_HEADERS } from '../../nodes/ExpediaRapid/transport/headers';
import { DEFAULT_RAPID_API_KEY, DEFAULT_RAPID_SHARED_SECRET, type Sandbox } from '../sandbox';
import {
	ATLAS_CREDENTIAL_ID,
	prepareUserFolder,
	RAPID_CREDENTIAL_ID,
	twoNodeWorkflow,
	webhookUrl,
	type WorkflowFile,
} from '../n8n/stack';
import { RECOMMENDED_N8N_ENV } from '../n8n/process';
import type { N8nRuntime } from '../n8n/runtime';
import { FAKE_GITHUB_TOKEN, githubSignature, type FakeGithub } from './fakeGithub';
import type { Shot } from './load';

/** n8n settings compared: the environment each n8n starts with. */
export const N8N_SETTINGS: Record<string, Record<string, string>> = {
	defaults: {},
	recommended: RECOMMENDED_N8N_ENV,
	legacy: { N8N_EXPRESSION_ENGINE: 'legacy' },
};

export const HEADER_AUTH_CREDENTIAL = {
	id: 'BenchHeaderAuth0',
	name: 'Bench header auth',
	type: 'httpHeaderAuth',
	data: { name: 'x-api-key', value: 'bench-secret-value-0123456789' },
};

const noOp = {
	parameters: {},
	name: 'Downstream',
	type: 'n8n-nodes-base.noOp',
	typeVersion: 1,
	position: [220, 0],
};

export interface Target {
	name: string;
	workflow: WorkflowFile;
	url: (n8nUrl: string) => string;
	shots: (sandbox: Sandbox, n: number) => Shot[];
}

const rapidShots = (sandbox: Sandbox, n: number, extra: Record<string, string> = {}): Shot[] =>
	Array.from({ length: n }, () => {
		const notification = sandbox.rapid.sampleNotification('itinerary.agent.change');
		return {
			body: JSON.stringify(notification),
			headers: () => ({
				authorization: buildAuthorizationHeader(DEFAULT_RAPID_API_KEY, DEFAULT_RAPID_SHARED_SECRET),
				...extra,
			}),
			kind: 'genuine' as const,
			eventId: String(notification.event_id),
		};
	});

function webhookTarget(
	name: string,
	id: string,
	path: string,
	webhookId: string,
	extra: object = {},
): Target {
	return {
		name,
		workflow: twoNodeWorkflow(
			id,
			id,
			{
				parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId,
				...extra,
			},
			noOp,
		),
		url: (n8nUrl) => `${n8nUrl}/webhook/${path}`,
		shots: (sandbox, n) =>
			rapidShots(sandbox, n, { 'x-api-key': HEADER_AUTH_CREDENTIAL.data.value }),
	};
}

/** A trigger → No Operation workflow reached at the trigger's production URL. */
function triggerTarget(
	name: string,
	id: string,
	trigger: {
		name: string;
		type: string;
		typeVersion: number;
		webhookId: string;
		parameters: Record<string, unknown>;
		credentials: Record<string, { id: string; name: string }>;
	},
	shots: Target['shots'],
): Target {
	const workflow = twoNodeWorkflow(id, id, { ...trigger, position: [0, 0] }, noOp);
	return { name, workflow, url: (n8nUrl) => webhookUrl(n8nUrl, workflow), shots };
}

function rapidTarget(
	name: string,
	id: string,
	webhookId: string,
	parameters: object,
	typeVersion = 1.1,
): Target {
	return triggerTarget(
		name,
		id,
		{
			parameters: { events: ['*'], ...parameters },
			name: 'Rapid Trigger',
			type: 'n8n-nodes-travel-ops.expediaRapidTrigger',
			typeVersion,
			webhookId,
			credentials: {
				expediaRapidApi: { id: RAPID_CREDENTIAL_ID, name: 'Expedia Rapid (sandbox)' },
			},
		},
		(sandbox, n) => rapidShots(sandbox, n),
	);
}

export const TARGETS: Target[] = [
	webhookTarget(
		'webhook',
		'BenchWebhookBare',
		'bench-bare',
		'bench000-0000-4000-8000-000000000001',
	),
	webhookTarget(
		'webhook+headerAuth',
		'BenchWebhookHeaderAuth',
		'bench-header-auth',
		'bench000-0000-4000-8000-000000000002',
		{
			parameters: {
				httpMethod: 'POST',
				path: 'bench-header-auth',
				responseMode: 'onReceived',
				authentication: 'headerAuth',
				options: {},
			},
			credentials: {
				httpHeaderAuth: { id: HEADER_AUTH_CREDENTIAL.id, name: HEADER_AUTH_CREDENTIAL.name },
			},
		},
	),
	rapidTarget('rapid', 'BenchRapidDefault', 'bench000-0000-4000-8000-000000000011', {
		options: {},
	}),
	rapidTarget(
		'rapid v1',
		'BenchRapidVersion1',
		'bench000-0000-4000-8000-000000000015',
		{ options: {} },
		1,
	),
	rapidTarget(
		'rapid keepAcrossRestarts=off',
		'BenchRapidNoKeep',
		'bench000-0000-4000-8000-000000000012',
		{
			options: { keepAcrossRestarts: false },
		},
	),
	rapidTarget('rapid dedupe=off', 'BenchRapidNoDedupe', 'bench000-0000-4000-8000-000000000013', {
		options: { dropDuplicates: false },
	}),
	rapidTarget(
		'rapid verify=off dedupe=off',
		'BenchRapidNoVerify',
		'bench000-0000-4000-8000-000000000014',
		{ verifySignature: false, options: { dropDuplicates: false } },
	),
	triggerTarget(
		'atlas',
		'BenchAtlasTrigger',
		{
			parameters: { events: ['*'], options: {} },
			name: 'Atlas Trigger',
			type: 'n8n-nodes-travel-ops.atlasTrigger',
			typeVersion: 1.1,
			webhookId: 'bench000-0000-4000-8000-000000000021',
			credentials: { atlasApi: { id: ATLAS_CREDENTIAL_ID, name: 'Atlas (sandbox)' } },
		},
		(sandbox, n) =>
			Array.from({ length: n }, () => {
				const event = sandbox.atlas.sampleEvent('order.ticketed');
				return {
					body: JSON.stringify(event),
					headers: () => ({}),
					kind: 'genuine' as const,
					eventId: String(event.notificationId),
				};
			}),
	),
];

const GITHUB_CREDENTIAL_ID = 'BenchGithubApi00';

/** n8n's GitHub credential, its Server pointing at the fake GitHub (as for GitHub Enterprise). */
function githubCredential(github: FakeGithub) {
	return {
		id: GITHUB_CREDENTIAL_ID,
		name: 'Bench GitHub (fake)',
		type: 'githubApi',
		data: { server: github.url, user: 'bench', accessToken: FAKE_GITHUB_TOKEN },
	};
}

/**
 * n8n's own GitHub Trigger, published against the fake GitHub: a signed webhook trigger of the same
 * class as ours (n8n gives it the same webhook-phase isolate), the fair anchor under n8n's defaults.
 * Each delivery is an `issues` event of about the size of a Rapid notification, signed with the
 * secret the trigger registered.
 */
export function githubTarget(github: FakeGithub): Target {
	const repo = (value: string) => ({ __rl: true, mode: 'name', value });
	return triggerTarget(
		'github',
		'BenchGithubTrigger',
		{
			parameters: {
				authentication: 'accessToken',
				owner: repo('travel-ops'),
				repository: repo('bench'),
				events: ['issues'],
				options: {},
			},
			name: 'Github Trigger',
			type: 'n8n-nodes-base.githubTrigger',
			typeVersion: 1,
			webhookId: 'bench000-0000-4000-8000-000000000031',
			credentials: { githubApi: { id: GITHUB_CREDENTIAL_ID, name: 'Bench GitHub (fake)' } },
		},
		(_sandbox, n) =>
			Array.from({ length: n }, (_, i) => {
				const body = JSON.stringify({
					action: 'opened',
					issue: {
						id: 1_000_000 + i,
						number: i + 1,
						title: 'Schedule change for booking 8091234567890',
						state: 'open',
						user: { login: 'ops-lead', id: 42 },
						body: 'The hotel moved the check-in date; see the itinerary.',
					},
					repository: { id: 7, full_name: 'travel-ops/bench', private: true },
					sender: { login: 'ops-lead', id: 42 },
				});
				return {
					body,
					headers: () => {
						const secret = github.secret();
						if (!secret) throw new Error('The GitHub Trigger registered no hook: is it published?');
						return {
							'x-github-event': 'issues',
							'x-github-delivery': `bench-${i}`,
							'x-hub-signature-256': githubSignature(secret, body),
						};
					},
					kind: 'genuine' as const,
					eventId: String(i),
				};
			}),
	);
}

/** One lookup: our operation and n8n's HTTP Request node making the same call. */
export interface Lookup {
	name: string;
	ours: Target;
	http: Target;
}

const RAPID_CREDENTIAL = {
	expediaRapidApi: { id: RAPID_CREDENTIAL_ID, name: 'Expedia Rapid (sandbox)' },
};
const ATLAS_CREDENTIAL = { atlasApi: { id: ATLAS_CREDENTIAL_ID, name: 'Atlas (sandbox)' } };

/** Webhook node → `node`; n8n answers each call with the first item `node` returned. */
function lookupTarget(
	name: string,
	id: string,
	node: {
		type: string;
		typeVersion: number;
		parameters: Record<string, unknown>;
		credentials: object;
	},
): Target {
	const path = `bench-lookup-${id}`;
	const workflow = twoNodeWorkflow(
		`BenchLookup${id}`,
		`BenchLookup${id}`,
		{
			parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: `bench000-0000-4000-8000-1${id.padStart(11, '0')}`,
		},
		{ name: 'Lookup', position: [220, 0], ...node },
	);
	return {
		name,
		workflow,
		url: (n8nUrl) => `${n8nUrl}/webhook/${path}`,
		shots: (_sandbox, n) =>
			Array.from({ length: n }, (_, i) => ({
				body: '{}',
				headers: () => ({}),
				kind: 'genuine' as const,
				eventId: String(i),
			})),
	};
}

/** `{ name, value }` rows of the HTTP Request node's headers or query. */
const rows = (values: Record<string, string>) => ({
	parameters: Object.entries(values).map(([name, value]) => ({ name, value })),
});

/**
 * Both lookups against a booking and an order the sandbox holds: Simplify off, so our node returns
 * the provider's answer as the HTTP Request node does; the HTTP Request node sends our headers.
 */
export function lookupTargets(sandbox: Sandbox): Lookup[] {
	const notification = sandbox.rapid.sampleNotification('itinerary.agent.create');
	// A booking exists once a notification names it.
	sandbox.rapid.enqueueUndeliverable([notification]);
	const itineraryId = String(notification.itinerary_id);
	const email = String(notification.email);
	const orderNo = sandbox.atlas.incidents[0]?.orderNo;
	if (!orderNo) throw new Error('The lookups need a sandbox with at least one incident');
	const httpRequest = { type: 'n8n-nodes-base.httpRequest', typeVersion: 4.2 };
	return [
		{
			name: 'Expedia Rapid → Itinerary → Get',
			ours: lookupTarget('rapid itinerary get', '1', {
				type: 'n8n-nodes-travel-ops.expediaRapid',
				typeVersion: 1,
				parameters: {
					resource: 'itinerary',
					operation: 'get',
					itineraryId,
					email,
					simplify: false,
				},
				credentials: RAPID_CREDENTIAL,
			}),
			http: lookupTarget('http request rapid', '2', {
				...httpRequest,
				parameters: {
					url: `${sandbox.url}/v3/itineraries/${itineraryId}`,
					authentication: 'predefinedCredentialType',
					nodeCredentialType: 'expediaRapidApi',
					sendQuery: true,
					queryParameters: rows({ email }),
					sendHeaders: true,
					headerParameters: rows({ ...RAPID_REQUEST_HEADERS, 'Customer-Ip': DEFAULT_CUSTOMER_IP }),
					options: {},
				},
				credentials: RAPID_CREDENTIAL,
			}),
		},
		{
			name: 'Atlas → Order → Get',
			ours: lookupTarget('atlas order get', '3', {
				type: 'n8n-nodes-travel-ops.atlas',
				typeVersion: 1.1,
				parameters: { resource: 'order', operation: 'get', orderNo, simplify: false },
				credentials: ATLAS_CREDENTIAL,
			}),
			http: lookupTarget('http request atlas', '4', {
				...httpRequest,
				parameters: {
					method: 'POST',
					url: `${sandbox.url}/queryOrderDetails.do`,
					authentication: 'predefinedCredentialType',
					nodeCredentialType: 'atlasApi',
					sendHeaders: true,
					headerParameters: rows({ ...ATLAS_REQUEST_HEADERS }),
					sendBody: true,
					specifyBody: 'json',
					jsonBody: JSON.stringify({ orderNo }),
					options: {},
				},
				credentials: ATLAS_CREDENTIAL,
			}),
		},
	];
}

/** Installs the package into `userFolder` with the targets' workflows and credentials, published. */
export async function installTargets(opts: {
	userFolder: string;
	runtime: N8nRuntime;
	sandbox: Sandbox;
	targets: Target[];
	step: (message: string) => void;
	/** For the GitHub Trigger target: its credential points here. */
	github?: FakeGithub;
}): Promise<void> {
	await prepareUserFolder({
		userFolder: opts.userFolder,
		runtime: opts.runtime,
		sandboxUrl: opts.sandbox.url,
		smtpPort: opts.sandbox.smtpPort,
		workflows: opts.targets.map((t) => t.workflow),
		extraCredentials: [
			HEADER_AUTH_CREDENTIAL,
			...(opts.github ? [githubCredential(opts.github)] : []),
		],
		step: opts.step,
	});
}
