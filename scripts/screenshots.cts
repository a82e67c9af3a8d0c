/**
 * README screenshots, taken from the real n8n editor with headless Chromium (Debian's `chromium`):
 * signs in as the demo owner, opens each example workflow and saves docs/screenshots/<id>.png.
 * Needs `npm start` running. Run: npm run screenshots   (N8N_URL, default http://localhost:5678)
 *
 * Talks the Chrome DevTools Protocol over the WebSocket global (Node 20: --experimental-websocket).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_OWNER } from './n8n/rest.cjs';
import { loadExamples } from './n8n/stack.cjs';
import { findFreePort, REPO_ROOT } from './n8n/util.cjs';

const N8N_URL = (process.env.N8N_URL ?? 'http://localhost:5678').replace(/\/+$/, '');
const OUT_DIR = join(REPO_ROOT, 'docs', 'screenshots');
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

class Cdp {
	private nextId = 1;
	private pending = new Map<
		number,
		(message: { result?: any; error?: { message: string } }) => void
	>();
	private constructor(private readonly socket: WebSocket) {
		socket.addEventListener('message', (event) => {
			const message = JSON.parse(String(event.data)) as {
				id?: number;
				result?: any;
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
	async send(method: string, params: object = {}): Promise<any> {
		const id = this.nextId++;
		const reply = new Promise<{ result?: any; error?: { message: string } }>((resolve) =>
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
			throw new Error(`Timed out waiting for: ${expression} (page as it was: ${FAILURE_SHOT})`);
		}
		await sleep(250);
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
		for (const workflow of loadExamples()) {
			await cdp.send('Page.navigate', { url: `${N8N_URL}/workflow/${workflow.id}` });
			await waitFor(
				cdp,
				`document.querySelectorAll('[data-test-id=canvas-node]').length >= ${workflow.nodes.length}`,
			);
			await cdp.evaluate(
				`document.querySelectorAll('[role=dialog] button[aria-label=Close], .el-dialog__headerbtn').forEach((b) => b.click())`,
			);
			await sleep(1500);
			const { data } = await cdp.send('Page.captureScreenshot', { format: 'png' });
			const file = join(OUT_DIR, `${workflow.id}.png`);
			writeFileSync(file, Buffer.from(data, 'base64'));
			process.stdout.write(`saved ${file}\n`);
		}
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
