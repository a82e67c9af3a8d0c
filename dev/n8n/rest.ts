/* eslint-disable @n8n/community-nodes/require-node-api-error -- development tooling: never shipped, runs under plain Node.js */
/**
 * A tiny client for n8n 2.40's internal REST API (the one its editor uses), enough for tests:
 * create the owner, log in, list node/credential types, read workflows and executions.
 *
 * Auth: `POST /rest/owner/setup` (first time) or `POST /rest/login` returns an `n8n-auth` cookie (a
 * JWT). The JWT embeds a hash of the `browser-id` request header sent at login, and every later
 * /rest call must send the same `browser-id` header, or n8n answers 401 ("browserId check failed").
 * `/types/nodes.json` and `/types/credentials.json` need the cookie but skip the browser-id check.
 */
export interface OwnerCredentials {
	email: string;
	password: string;
	firstName?: string;
	lastName?: string;
}

/** Meets n8n's password rules (8-64 chars, a digit, an uppercase letter). Local scratch instances only. */
export const DEFAULT_OWNER: Required<OwnerCredentials> = {
	email: 'owner@travel-ops.test',
	password: 'TravelOps-dev-1',
	firstName: 'Travel',
	lastName: 'Ops',
};

export interface TypeDescription {
	name: string;
	displayName: string;
	[key: string]: unknown;
}

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	startedAt: string | null;
	stoppedAt: string | null;
	[key: string]: unknown;
}

/** A refusal from n8n's REST API, with its HTTP status (404: no such workflow, etc.). */
export class N8nRestError extends Error {
	constructor(
		message: string,
		readonly status: number,
	) {
		super(message);
	}
}

export interface CredentialSummary {
	id: string;
	name: string;
	type: string;
	[key: string]: unknown;
}

/** A workflow as n8n stores it; `versionId` is the draft that publishing makes live (2.x). */
export interface StoredWorkflow {
	id: string;
	name: string;
	active: boolean;
	versionId?: string;
	[key: string]: unknown;
}

export class N8nRestClient {
	private cookie: string | undefined;

	constructor(
		readonly baseUrl: string,
		private readonly browserId = 'travel-ops-dev-scripts',
	) {}

	get isLoggedIn(): boolean {
		return this.cookie !== undefined;
	}

	async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const headers: Record<string, string> = {
			accept: 'application/json',
			'browser-id': this.browserId,
		};
		if (body !== undefined) headers['content-type'] = 'application/json';
		if (this.cookie) headers.cookie = this.cookie;
		const res = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(30_000),
		});
		const setCookie = res.headers.getSetCookie?.() ?? [];
		const auth = setCookie.find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0];
		const text = await res.text();
		if (!res.ok) {
			throw new N8nRestError(
				`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`,
				res.status,
			);
		}
		const json = text ? (JSON.parse(text) as unknown) : undefined;
		// /rest endpoints wrap their payload in { data }, /types/*.json do not.
		if (path.startsWith('/rest/') && json && typeof json === 'object' && 'data' in json) {
			return (json as { data: T }).data;
		}
		return json as T;
	}

	/** Creates the instance owner (first call on a fresh database) or logs in as them. */
	async ensureOwner(owner: OwnerCredentials = DEFAULT_OWNER): Promise<void> {
		try {
			await this.request('POST', '/rest/owner/setup', {
				email: owner.email,
				password: owner.password,
				firstName: owner.firstName ?? DEFAULT_OWNER.firstName,
				lastName: owner.lastName ?? DEFAULT_OWNER.lastName,
			});
		} catch (error) {
			if (!/already setup/i.test((error as Error).message)) throw error;
			await this.login(owner);
		}
		if (!this.cookie)
			throw new Error('n8n did not return an n8n-auth cookie after owner setup/login.');
	}

	async login(owner: OwnerCredentials = DEFAULT_OWNER): Promise<void> {
		await this.request('POST', '/rest/login', {
			emailOrLdapLoginId: owner.email,
			password: owner.password,
		});
	}

	/** Every credential type n8n loaded (built-in and community), as the editor sees them. */
	credentialTypes(): Promise<TypeDescription[]> {
		return this.request<TypeDescription[]>('GET', '/types/credentials.json');
	}

	/** Every node type (all versions) n8n loaded; community ones are named `<package>.<node>`. */
	nodeTypes(): Promise<TypeDescription[]> {
		return this.request<TypeDescription[]>('GET', '/types/nodes.json');
	}

	/** Latest executions (newest first); filter e.g. { workflowId: '1', status: ['success'] }. */
	async executions(filter: Record<string, unknown> = {}, limit = 50): Promise<ExecutionSummary[]> {
		const query = new URLSearchParams({ filter: JSON.stringify(filter), limit: String(limit) });
		const page = await this.request<{ results: ExecutionSummary[] }>(
			'GET',
			`/rest/executions?${query.toString()}`,
		);
		return page.results;
	}

	/**
	 * One execution including its run data. `data` comes back as a `flatted` string (n8n's
	 * circular-JSON format): parse it with `require('flatted').parse` (flatted ships with n8n).
	 */
	execution(id: string): Promise<ExecutionSummary & { data: string; workflowData: unknown }> {
		return this.request('GET', `/rest/executions/${encodeURIComponent(id)}`);
	}

	workflows(): Promise<
		Array<{ id: string; name: string; active: boolean; [key: string]: unknown }>
	> {
		return this.request('GET', '/rest/workflows');
	}

	/** The credentials the logged-in user can see (no secret data). */
	credentials(): Promise<CredentialSummary[]> {
		return this.request('GET', '/rest/credentials');
	}

	/** Creates a credential; n8n encrypts `data` and picks its ID (the API takes none). */
	createCredential(credential: {
		name: string;
		type: string;
		data: Record<string, unknown>;
	}): Promise<CredentialSummary> {
		return this.request('POST', '/rest/credentials', credential);
	}

	updateCredential(
		id: string,
		credential: { name: string; type: string; data: Record<string, unknown> },
	): Promise<CredentialSummary> {
		return this.request('PATCH', `/rest/credentials/${encodeURIComponent(id)}`, credential);
	}

	/** One workflow, or undefined when n8n has none with that ID. */
	async workflow(id: string): Promise<StoredWorkflow | undefined> {
		try {
			return await this.request<StoredWorkflow>('GET', `/rest/workflows/${encodeURIComponent(id)}`);
		} catch (error) {
			if (error instanceof N8nRestError && error.status === 404) return undefined;
			throw error;
		}
	}

	/** Creates a workflow; n8n keeps the `id` given (as `import:workflow` does). */
	createWorkflow(workflow: Record<string, unknown>): Promise<StoredWorkflow> {
		return this.request('POST', '/rest/workflows', workflow);
	}

	/** Replaces a workflow's content; on 2.x a published workflow is republished with it. */
	updateWorkflow(id: string, workflow: Record<string, unknown>): Promise<StoredWorkflow> {
		return this.request('PATCH', `/rest/workflows/${encodeURIComponent(id)}`, workflow);
	}

	/**
	 * Publishes the given version of a workflow (n8n 2.x; 1.x has no such route) and resolves once
	 * n8n has registered its triggers.
	 */
	publishWorkflow(id: string, versionId: string): Promise<StoredWorkflow> {
		return this.request('POST', `/rest/workflows/${encodeURIComponent(id)}/activate`, {
			versionId,
		});
	}
}
