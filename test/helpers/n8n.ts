/**
 * Real n8n-core execution contexts for tests: nodes run with n8n's own request helpers, parameter
 * resolution and static data, against real HTTP servers (the sandbox). Only the credential store is
 * ours: it hands out the given credential data and applies each credential type's real
 * `authenticate`, the way n8n's CredentialsHelper does.
 */
import { ExecuteContext, HookContext, PollContext, WebhookContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IWebhookData,
	IWorkflowExecuteAdditionalData,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { AtlasApi } from '../../credentials/AtlasApi.credentials';
import { ExpediaRapidApi } from '../../credentials/ExpediaRapidApi.credentials';

export const credentialTypes: Record<string, ICredentialType> = {
	atlasApi: new AtlasApi(),
	expediaRapidApi: new ExpediaRapidApi(),
};

export type CredentialData = Record<string, ICredentialDataDecryptedObject>;

/** A node type that only declares both credentials: for calling transports directly. */
export const transportTestNode: INodeType = {
	description: {
		displayName: 'Transport Test',
		name: 'transportTest',
		group: ['transform'],
		version: 1,
		description: 'test only',
		defaults: { name: 'Transport Test' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [
			{ name: 'atlasApi', required: false },
			{ name: 'expediaRapidApi', required: false },
		],
		properties: [],
	},
};

async function applyAuthentication(
	workflow: Workflow,
	node: INode,
	typeName: string,
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const auth = credentialTypes[typeName]?.authenticate;
	if (typeof auth === 'function') return await auth(credentials, requestOptions);
	if (!auth || auth.type !== 'generic') return requestOptions;
	const resolve = (value: unknown) =>
		workflow.expression.getParameterValue(value as string, null, 0, 0, node.name, [], 'internal', {
			$credentials: credentials,
		});
	const result: IHttpRequestOptions = { ...requestOptions };
	for (const key of ['headers', 'qs', 'body'] as const) {
		const extra = auth.properties[key] as IDataObject | undefined;
		if (!extra) continue;
		const resolved: IDataObject = {};
		for (const [name, value] of Object.entries(extra)) resolved[name] = resolve(value) as string;
		result[key] = { ...(result[key] as IDataObject), ...resolved };
	}
	return result;
}

function createAdditionalData(
	credentials: CredentialData,
	extra: Partial<IWorkflowExecuteAdditionalData> = {},
): IWorkflowExecuteAdditionalData {
	const credentialsHelper = {
		getParentTypes: () => [],
		isCredentialUsableByNode: () => true,
		getDecrypted: async (_data: unknown, _nodeCredentials: unknown, type: string) => {
			if (!credentials[type]) throw new Error(`No test credential of type ${type}`);
			return { ...credentials[type] };
		},
		preAuthentication: async () => undefined,
		authenticate: async (
			data: ICredentialDataDecryptedObject,
			type: string,
			requestOptions: IHttpRequestOptions,
			workflow: Workflow,
			node: INode,
		) => await applyAuthentication(workflow, node, type, data, requestOptions),
	};
	return {
		credentialsHelper,
		restApiUrl: 'http://localhost:5678/rest',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		variables: {},
		instanceBaseUrl: 'http://localhost:5678',
		...extra,
	} as unknown as IWorkflowExecuteAdditionalData;
}

/** Shorter limits on the requests of the contexts this helper creates (the shipped ones stay). */
export interface RequestLimits {
	/** Silence allowed while waiting for an answer (n8n's `timeout` option; shipped: 30 s). */
	timeoutMs: number;
}

let requestLimits: RequestLimits | undefined;

/**
 * Request limits for every context the test file creates from now on: n8n's request helper is
 * wrapped so that the timeout it is given is cut; the code under test is unchanged.
 */
export function useRequestLimits(limits: RequestLimits | undefined): void {
	requestLimits = limits;
}

type HelperContext = { helpers: { httpRequestWithAuthentication: (...args: never[]) => unknown } };

function withRequestLimits<C extends object>(context: C, setup: NodeSetup): C {
	const limits = setup.requestLimits ?? requestLimits;
	const { helpers } = context as unknown as HelperContext;
	if (!limits) return context;
	const send = helpers.httpRequestWithAuthentication as (
		this: unknown,
		type: string,
		options: IHttpRequestOptions,
		...rest: unknown[]
	) => Promise<unknown>;
	helpers.httpRequestWithAuthentication = async function (
		this: unknown,
		type: string,
		options: IHttpRequestOptions,
		...rest: unknown[]
	) {
		const timeout = Math.min(options.timeout ?? Infinity, limits.timeoutMs);
		return await send.call(this, type, { ...options, timeout }, ...rest);
	} as never;
	return context;
}

export interface NodeSetup {
	nodeType: INodeType;
	/** Request limits for this context only (default: those of useRequestLimits). */
	requestLimits?: RequestLimits;
	parameters?: INodeParameters;
	credentials?: CredentialData;
	/** Static data of the workflow (kept between calls when the same object is passed again). */
	staticData?: IDataObject;
	/**
	 * Default: a fresh id per context, so that process-wide state keyed by workflow (the triggers'
	 * in-memory duplicate window) never leaks between tests. Pass one to act as the same workflow.
	 */
	workflowId?: string;
	nodeName?: string;
	/** Default: the node type's newest version. */
	typeVersion?: number;
	webhookId?: string;
}

let workflowCounter = 0;

/** The node type as n8n loads it: a polling node gains the Poll Times parameter n8n adds. */
function withSpecialParameters(nodeType: INodeType): INodeType {
	const { description } = nodeType;
	if (!description.polling) return nodeType;
	const pollTimes: INodeProperties = {
		displayName: 'Poll Times',
		name: 'pollTimes',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Poll Time' },
		default: { item: [{ mode: 'everyMinute' }] },
		placeholder: 'Add Poll Time',
		options: NodeHelpers.cronNodeOptions,
	};
	const properties = [pollTimes, ...description.properties];
	return Object.assign(Object.create(nodeType) as INodeType, {
		description: { ...description, properties },
	});
}

function createWorkflow(setup: NodeSetup): { workflow: Workflow; node: INode } {
	const { nodeType } = setup;
	const description = nodeType.description;
	const node: INode = {
		id: 'node-under-test',
		name: setup.nodeName ?? description.defaults.name ?? description.displayName,
		type: description.name,
		typeVersion:
			setup.typeVersion ??
			(Array.isArray(description.version)
				? description.version[description.version.length - 1]
				: description.version),
		position: [0, 0],
		parameters: setup.parameters ?? {},
		webhookId: setup.webhookId ?? 'test-webhook-id',
		credentials: Object.fromEntries(
			Object.keys(setup.credentials ?? {}).map((type) => [type, { id: type, name: type }]),
		),
	};
	const loaded = withSpecialParameters(nodeType);
	const nodeTypes: INodeTypes = {
		getByName: () => loaded,
		getByNameAndVersion: () => loaded,
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
	const workflow = new Workflow({
		id: setup.workflowId ?? `workflow-under-test-${++workflowCounter}`,
		name: 'Test workflow',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes,
		staticData: setup.staticData,
	});
	// Resolve defaults as n8n does when it loads a workflow.
	const withDefaults = workflow.getNode(node.name) as INode;
	return { workflow, node: withDefaults };
}

export function createExecuteContext(
	setup: NodeSetup & { items?: INodeExecutionData[]; mode?: WorkflowExecuteMode },
): ExecuteContext {
	const { workflow, node } = createWorkflow(setup);
	const items = setup.items ?? [{ json: {} }];
	const context = new ExecuteContext(
		workflow,
		node,
		createAdditionalData(setup.credentials ?? {}),
		setup.mode ?? 'manual',
		{ resultData: { runData: {} } } as never,
		0,
		items,
		{ main: [items] },
		{ node, data: { main: [items] }, source: null },
		[],
	);
	return withRequestLimits(context, setup);
}

/** Runs a node's `execute()` inside a real n8n-core ExecuteContext. */
export async function executeNode(
	setup: NodeSetup & { items?: INodeExecutionData[] },
): Promise<INodeExecutionData[][]> {
	const context = createExecuteContext(setup);
	if (!setup.nodeType.execute) throw new Error('Node has no execute()');
	return (await setup.nodeType.execute.call(context)) as INodeExecutionData[][];
}

/** A polling trigger's context: `mode` 'manual' is the editor's "Fetch Test Event". */
export function createPollContext(
	setup: NodeSetup & { mode?: WorkflowExecuteMode; activation?: WorkflowActivateMode },
): PollContext {
	const { workflow, node } = createWorkflow(setup);
	const context = new PollContext(
		workflow,
		node,
		createAdditionalData(setup.credentials ?? {}),
		setup.mode ?? 'trigger',
		setup.activation ?? 'activate',
	);
	return withRequestLimits(context, setup);
}

export function createHookContext(
	setup: NodeSetup & {
		mode?: WorkflowExecuteMode;
		activation?: WorkflowActivateMode;
		isTest?: boolean;
		webhookName?: string;
	},
): HookContext {
	const { workflow, node } = createWorkflow(setup);
	const webhookDescription = setup.nodeType.description.webhooks?.find(
		(w) => w.name === (setup.webhookName ?? 'default'),
	);
	const webhookData = {
		httpMethod: webhookDescription?.httpMethod ?? 'POST',
		node: node.name,
		path: 'webhook',
		webhookDescription,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: {},
		isTest: setup.isTest ?? false,
	} as unknown as IWebhookData;
	const context = new HookContext(
		workflow,
		node,
		createAdditionalData(setup.credentials ?? {}),
		setup.mode ?? 'trigger',
		setup.activation ?? 'activate',
		webhookData,
	);
	return withRequestLimits(context, setup);
}

export interface FakeRequest {
	headers?: Record<string, string | string[] | undefined>;
	body?: unknown;
	rawBody?: Buffer;
	/** A body n8n left unread (it reads only the content types it parses): `readRawBody` reads it. */
	unreadBody?: Buffer;
	query?: IDataObject;
	ip?: string;
}

/** Records what a webhook wrote to the response (when it answers itself). */
export class FakeResponse {
	statusCode = 200;
	headers: Record<string, string> = {};
	body: unknown;
	ended = false;
	status(code: number) {
		this.statusCode = code;
		return this;
	}
	setHeader(name: string, value: string) {
		this.headers[name.toLowerCase()] = value;
		return this;
	}
	json(body: unknown) {
		this.body = body;
		this.ended = true;
		return this;
	}
	send(body?: unknown) {
		this.body = body;
		this.ended = true;
		return this;
	}
	end(body?: unknown) {
		if (body !== undefined) this.body = body;
		this.ended = true;
		return this;
	}
}

export function createWebhookContext(
	setup: NodeSetup & { request: FakeRequest; mode?: WorkflowExecuteMode; webhookName?: string },
): { context: WebhookContext; response: FakeResponse; request: { rawBody?: Buffer } } {
	const { workflow, node } = createWorkflow(setup);
	const response = new FakeResponse();
	const headers = Object.fromEntries(
		Object.entries(setup.request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
	);
	const httpRequest = {
		headers,
		body: setup.request.body ?? {},
		rawBody: setup.request.rawBody,
		query: setup.request.query ?? {},
		params: {},
		ip: setup.request.ip ?? '127.0.0.1',
		socket: { remoteAddress: setup.request.ip ?? '127.0.0.1' },
		header: (name: string) => headers[name.toLowerCase()],
		get: (name: string) => headers[name.toLowerCase()],
		readRawBody: async () => {
			httpRequest.rawBody ??= setup.request.unreadBody;
		},
	};
	const additionalData = createAdditionalData(setup.credentials ?? {}, {
		httpRequest,
		httpResponse: response,
	} as unknown as Partial<IWorkflowExecuteAdditionalData>);
	const webhookDescription = setup.nodeType.description.webhooks?.find(
		(w) => w.name === (setup.webhookName ?? 'default'),
	);
	const webhookData = {
		httpMethod: 'POST',
		node: node.name,
		path: 'webhook',
		webhookDescription,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
	} as unknown as IWebhookData;
	const context = new WebhookContext(
		workflow,
		node,
		additionalData,
		setup.mode ?? 'webhook',
		webhookData,
		[],
		null,
	);
	return { context: withRequestLimits(context, setup), response, request: httpRequest };
}
