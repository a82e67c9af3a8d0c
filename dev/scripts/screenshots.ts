/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- development tooling: never shipped, runs under plain Node.js */
/**
 * Documentation screenshots, taken from the real n8n editor with headless Chromium (Debian's
 * `chromium`). Signs in as the demo owner and saves into docs/screenshots/:
 * - nodes-panel.png, nodes-panel-dark.png: the nodes panel searched for "Expedia Rapid", light and
 *   dark theme (the two icon variants);
 * - rapid-trigger-panel.png, atlas-trigger-panel.png: each trigger opened in an unpublished
 *   workflow, so the panel shows what to do with the URL (the workflow is deleted afterwards);
 * - <id>.png: each example workflow as imported.
 * Needs `npm start` running. Run: npm run screenshots   (N8N_URL, default http://localhost:5678)
 * Some only: npm run screenshots -- nodes-panel atlas-trigger-panel TravelOpsEx04
 *
 * Talks the Chrome DevTools Protocol over the WebSocket global (Node 20: --experimental-websocket).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_OWNER } from '../n8n/rest';
import {
	ATLAS_CREDENTIAL_ID,
	loadExamples,
	RAPID_CREDENTIAL_ID,
	RAPID_EXAMPLE_ID,
	type WorkflowFile,
} from '../n8n/stack';
import { findFreePort, REPO_ROOT } from '../n8n/util';

const N8N_URL = (process.env.N8N_URL ?? 'http://localhost:5678').replace(/\/+$/, '');
const OUT_DIR = join(REPO_ROOT, 'docs', 'screenshots');
/** The screenshots asked for on the command line (none: all). */
const wanted = process.argv.slice(2);
const want = (name: string) => wanted.length === 0 || wanted.includes(name);
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** A Chrome DevTools Protocol result: its shape depends on the method, so callers read it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type CdpResult = any;

class Cdp {
	private nextId = 1;
	private pending = new Map<
		number,
		(message: { result?: CdpResult; error?: { message: string } }) => void
	>();
	private constructor(private readonly socket: WebSocket) {
		socket.addEventListener('message', (event) => {
			const message = JSON.parse(String(event.data)) as {
				id?: number;
				result?: CdpResult;
				error?: { message: string };
			};
			if (message.id !== undefined) this.pending.get(message.id)?.(message);
		});
	}
	static async connect(url: string): Promise<Cdp> {
		const socket = new WebSocket(url);
		await new Promise((resolve, reject) => {
			socket.addEventListener('open', resolve, { once: true });
			socket.addEventListener('error', reject, { once: true });
		});
		return new Cdp(socket);
	}
	async send(method: string, params: object = {}): Promise<CdpResult> {
		const id = this.nextId++;
		const reply = new Promise<{ result?: CdpResult; error?: { message: string } }>((resolve) =>
			this.pending.set(id, resolve),
		);
		this.socket.send(JSON.stringify({ id, method, params }));
		const message = await reply;
		if (message.error) throw new Error(`${method}: ${message.error.message}`);
		return message.result;
	}
	async evaluate<T>(expression: string): Promise<T> {
		const { result } = await this.send('Runtime.evaluate', {
			expression,
			awaitPromise: true,
			returnByValue: true,
		});
		return result.value as T;
	}
	close() {
		this.socket.close();
	}
}

const FAILURE_SHOT = join(tmpdir(), 'travel-ops-screenshot-failure.png');

async function waitFor(cdp: Cdp, expression: string, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await cdp.evaluate<boolean>(expression).catch(() => false))) {
		if (Date.now() > deadline) {
			const { data } = await cdp.send('Page.captureScreenshot', { format: 'png' });
			writeFileSync(FAILURE_SHOT, Buffer.from(data, 'base64'));
			const text = await cdp
				.evaluate<string>(`document.querySelector('[data-test-id=node-creator]')?.innerText ?? ''`)
				.catch(() => '');
			if (text) process.stderr.write(`node creator read: ${text.slice(0, 600)}\n`);
			throw new Error(`Timed out waiting for: ${expression} (page as it was: ${FAILURE_SHOT})`);
		}
		await sleep(250);
	}
}

async function shoot(cdp: Cdp, name: string): Promise<void> {
	const { data } = await cdp.send('Page.captureScreenshot', { format: 'png' });
	const file = join(OUT_DIR, `${name}.png`);
	writeFileSync(file, Buffer.from(data, 'base64'));
	process.stdout.write(`saved ${file}\n`);
}

async function click(cdp: Cdp, selector: string, clickCount = 1): Promise<void> {
	const point = await cdp.evaluate<{ x: number; y: number } | null>(`(() => {
		const el = document.querySelector(${JSON.stringify(selector)});
		if (!el) return null;
		const r = el.getBoundingClientRect();
		return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
	})()`);
	if (!point) throw new Error(`Nothing to click at ${selector}`);
	for (let count = 1; count <= clickCount; count++) {
		for (const type of ['mousePressed', 'mouseReleased']) {
			await cdp.send('Input.dispatchMouseEvent', {
				type,
				...point,
				button: 'left',
				clickCount: count,
			});
		}
	}
}

/** Clicks the element inside `within` whose own text is `text`, as a mouse would. */
async function clickText(cdp: Cdp, within: string, text: string): Promise<void> {
	const point = await cdp.evaluate<{ x: number; y: number } | null>(`(() => {
		const el = [...document.querySelectorAll(${JSON.stringify(within + ' *')})].find(
			(e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() === ${JSON.stringify(text)}));
		if (!el) return null;
		const r = el.getBoundingClientRect();
		return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
	})()`);
	if (!point) throw new Error(`No "${text}" to click in ${within}`);
	for (const type of ['mousePressed', 'mouseReleased']) {
		await cdp.send('Input.dispatchMouseEvent', { type, ...point, button: 'left', clickCount: 1 });
	}
}

/**
 * Opens a workflow, waits until its nodes are drawn (sticky notes are not canvas nodes), closes
 * the dialogs n8n may show and fits the canvas to the window.
 */
async function openWorkflow(cdp: Cdp, id: string, nodes: number, query = ''): Promise<void> {
	await cdp.send('Page.navigate', { url: `${N8N_URL}/workflow/${id}${query}` });
	await waitFor(cdp, `document.querySelectorAll('[data-test-id=canvas-node]').length >= ${nodes}`);
	await cdp.evaluate(
		`document.querySelectorAll('[role=dialog] button[aria-label=Close], .el-dialog__headerbtn').forEach((b) => b.click())`,
	);
	await sleep(1000);
	await click(cdp, '[data-test-id=zoom-to-fit]');
	await sleep(1000);
}

const canvasNodes = (workflow: WorkflowFile) =>
	workflow.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote').length;

/** A REST call from the signed-in page (its cookie and browser ID). */
async function rest<T>(cdp: Cdp, method: string, path: string, body?: unknown): Promise<T> {
	return await cdp.evaluate<T>(`(async () => {
		const response = await fetch('/rest${path}', {
			method: ${JSON.stringify(method)},
			headers: { 'content-type': 'application/json', 'browser-id': localStorage.getItem('n8n-browserId') ?? '' },
			${body === undefined ? '' : `body: ${JSON.stringify(JSON.stringify(body))},`}
		});
		const text = await response.text();
		if (!response.ok) return { restError: response.status + ' ' + text.slice(0, 300) };
		return text ? JSON.parse(text) : {};
	})()`);
}

/** The nodes panel of an open workflow, searched for `query`, its first result opened. */
async function nodesPanel(cdp: Cdp, query: string): Promise<void> {
	await click(cdp, '[data-test-id=node-creator-plus-button]');
	const search = `document.querySelector('input[data-test-id=node-creator-search-bar], [data-test-id=node-creator-search-bar] input')`;
	await waitFor(cdp, `!!${search}`);
	await cdp.evaluate(`${search}.focus()`);
	await cdp.send('Input.insertText', { text: query });
	// n8n groups a package's nodes under one entry: open it for its triggers and actions.
	await waitFor(
		cdp,
		`[...document.querySelectorAll('[data-test-id=node-creator-item-name]')].some((el) => /^\\s*Expedia Rapid\\s*$/.test(el.textContent))`,
	);
	await click(cdp, '[data-test-id=item-iterator-item]');
	await waitFor(
		cdp,
		`/undeliverable/i.test(document.querySelector('[data-test-id=node-creator]').innerText)`,
	);
	// The lists render a moment after the entry opens: toggling earlier closes the panel.
	await sleep(1000);
	// With a trigger on the canvas, n8n leaves the triggers' list empty until it is toggled.
	const triggers = await cdp.evaluate<string>(
		`[...document.querySelectorAll('[data-test-id=node-creator] *')].find((el) => el.children.length === 0 && /^Triggers \\(\\d+\\)$/.test(el.textContent.trim()))?.textContent.trim() ?? ''`,
	);
	const listed = `/On all events/.test(document.querySelector('[data-test-id=node-creator]')?.innerText ?? '')`;
	if (triggers && !(await cdp.evaluate<boolean>(listed))) {
		await clickText(cdp, '[data-test-id=node-creator]', triggers);
	}
	await waitFor(cdp, listed);
	await sleep(700);
	await sleep(1000);
}

/**
 * A trigger alone in a new, unpublished workflow, opened: the panel then shows what to do with
 * the URL before publishing. The workflow is deleted afterwards.
 */
async function triggerPanel(
	cdp: Cdp,
	name: string,
	node: { name: string; type: string; credentials: Record<string, { id: string; name: string }> },
	parameters: Record<string, unknown>,
): Promise<void> {
	const created = await rest<{ data?: { id: string }; restError?: string }>(
		cdp,
		'POST',
		'/workflows',
		{
			name: `${node.name} (screenshot)`,
			nodes: [
				{
					id: '9d1c0a52-6e0b-4a43-8a4f-1f4e5a0c0001',
					name: node.name,
					type: node.type,
					typeVersion: 1,
					position: [0, 0],
					webhookId: '9d1c0a52-6e0b-4a43-8a4f-1f4e5a0c0002',
					parameters,
					credentials: node.credentials,
				},
			],
			connections: {},
			settings: { executionOrder: 'v1' },
			active: false,
		},
	);
	if (!created.data) throw new Error(`Could not create a workflow: ${created.restError}`);
	const id = created.data.id;
	try {
		await openWorkflow(cdp, id, 1);
		await click(cdp, '[data-test-id=canvas-node]', 2);
		await waitFor(cdp, `!!document.querySelector('[data-test-id=ndv]')`);
		await sleep(1000);
		// Unfold the panel's help (what to do with the URL) and the webhook URLs.
		for (const text of ['When will this node trigger my flow?', 'Webhook URLs', 'Production URL']) {
			await clickText(cdp, '[data-test-id=ndv]', text);
			await sleep(500);
		}
		await sleep(1500);
		await shoot(cdp, name);
	} finally {
		await rest(cdp, 'POST', `/workflows/${id}/archive`);
		await rest(cdp, 'DELETE', `/workflows/${id}`);
	}
}

async function main(): Promise<void> {
	const port = await findFreePort();
	const profile = mkdtempSync(join(tmpdir(), 'travel-ops-chromium-'));
	const chromium = spawn(
		process.env.CHROMIUM ?? 'chromium',
		[
			'--headless=new',
			'--no-sandbox',
			'--disable-gpu',
			`--remote-debugging-port=${port}`,
			`--user-data-dir=${profile}`,
			'--window-size=1500,820',
			'--hide-scrollbars',
			'about:blank',
		],
		{ stdio: 'ignore' },
	);
	try {
		let targets: Array<{ type: string; webSocketDebuggerUrl: string }> = [];
		for (let i = 0; i < 40 && !targets.some((t) => t.type === 'page'); i++) {
			await sleep(250);
			targets = (await fetch(`http://127.0.0.1:${port}/json/list`)
				.then((r) => r.json())
				.catch(() => [])) as typeof targets;
		}
		const page = targets.find((t) => t.type === 'page');
		if (!page) throw new Error('Chromium did not start (is Debian\'s "chromium" installed?)');
		const cdp = await Cdp.connect(page.webSocketDebuggerUrl);
		await cdp.send('Page.enable');
		await cdp.send('Emulation.setDeviceMetricsOverride', {
			width: 1500,
			height: 820,
			deviceScaleFactor: 1,
			mobile: false,
		});

		await cdp.send('Page.navigate', { url: `${N8N_URL}/signin` });
		await waitFor(cdp, `!!document.querySelector('input[type=password]')`);
		// Fill the Vue form the way typing would (native setter + input event), then click Sign in.
		await cdp.evaluate(`(() => {
			const set = (el, v) => { Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, v); el.dispatchEvent(new Event('input', { bubbles: true })); };
			set(document.querySelector('input[type=email], input[name=emailOrLdapLoginId], input[name=email]'), ${JSON.stringify(DEFAULT_OWNER.email)});
			set(document.querySelector('input[type=password]'), ${JSON.stringify(DEFAULT_OWNER.password)});
			return true;
		})()`);
		const button = await cdp.evaluate<{ x: number; y: number }>(`(() => {
			const b = [...document.querySelectorAll('button')].find((el) => /sign in/i.test(el.textContent));
			const r = b.getBoundingClientRect();
			return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
		})()`);
		for (const type of ['mousePressed', 'mouseReleased']) {
			await cdp.send('Input.dispatchMouseEvent', {
				type,
				...button,
				button: 'left',
				clickCount: 1,
			});
		}
		await waitFor(cdp, `!location.pathname.startsWith('/signin')`);

		mkdirSync(OUT_DIR, { recursive: true });
		const examples = loadExamples();
		for (const workflow of examples.filter((w) => want(w.id))) {
			await openWorkflow(cdp, workflow.id, canvasNodes(workflow));
			await shoot(cdp, workflow.id);
		}

		// Both Expedia Rapid nodes in the nodes panel, in the light and the dark theme, over the
		// Rapid example (its Expedia Rapid Trigger on the canvas).
		const first = examples.find((w) => w.id === RAPID_EXAMPLE_ID) ?? examples[0];
		for (const theme of ['light', 'dark'].filter((t) =>
			want(t === 'light' ? 'nodes-panel' : 'nodes-panel-dark'),
		)) {
			await openWorkflow(cdp, first.id, canvasNodes(first), `?theme=${theme}`);
			await nodesPanel(cdp, 'Expedia Rapid');
			await shoot(cdp, theme === 'light' ? 'nodes-panel' : 'nodes-panel-dark');
		}

		if (want('rapid-trigger-panel'))
			await triggerPanel(
				cdp,
				'rapid-trigger-panel',
				{
					name: 'Expedia Rapid Trigger',
					type: 'n8n-nodes-travel-ops.expediaRapidTrigger',
					credentials: {
						expediaRapidApi: { id: RAPID_CREDENTIAL_ID, name: 'Expedia Rapid (sandbox)' },
					},
				},
				{ events: ['*'], options: {} },
			);
		if (want('atlas-trigger-panel'))
			await triggerPanel(
				cdp,
				'atlas-trigger-panel',
				{
					name: 'Atlas Trigger',
					type: 'n8n-nodes-travel-ops.atlasTrigger',
					credentials: { atlasApi: { id: ATLAS_CREDENTIAL_ID, name: 'Atlas (sandbox)' } },
				},
				{ events: ['*'], options: {} },
			);
		cdp.close();
	} finally {
		const exited = new Promise((resolve) => chromium.once('exit', resolve));
		chromium.kill('SIGKILL');
		await exited;
		rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
	}
}

main().catch((error: Error) => {
	process.stderr.write(`screenshots failed: ${error.message}\n`);
	process.exit(1);
});
