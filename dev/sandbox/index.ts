/**
 * A local HTTP server that behaves like both provider APIs (Atlas and Expedia Rapid), so tests,
 * demos and benchmarks never need the real providers. Dev-only: nothing under nodes/ or
 * credentials/ imports it, and it is not part of the published package.
 *
 *   const sb = await startSandbox({ port: 0 });
 *   // point a credential at sb.url with the DEFAULT_* keys, inject faults with sb.faults.add(...)
 *   await sb.close();
 */
import { createAdmin } from './admin';
import { createAtlas } from './atlas';
import { generateIncidents } from './atlasData';
import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	DEFAULT_INCIDENT_COUNT,
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	DEFAULT_SEED,
	HOST,
} from './defaults';
import { createFaults } from './faults';
import { Lifecycle } from './lifecycle';
import { createRapid } from './rapid';
import { RAPID_TOLERANCE_SECONDS } from './rapidSignature';
import { startServer } from './server';
import { startSmtpCatcher } from './smtp';
import type { RecordedRequest, Sandbox, SandboxOptions } from './types';

export * from './defaults';
export { FAULT_KINDS, ROUTE_IDS } from './faults';
export { ATLAS_INCIDENT_TYPES } from './atlasData';
export type * from './types';

function checkOptions(options: SandboxOptions): void {
	const { port, incidentCount, rapid } = options;
	if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
		throw new Error(`port must be 0..65535, got ${port}`);
	}
	if (incidentCount !== undefined && !(Number.isInteger(incidentCount) && incidentCount >= 0)) {
		throw new Error(`incidentCount must be a whole number, got ${incidentCount}`);
	}
	if (rapid?.retryTimeScale !== undefined && !(rapid.retryTimeScale >= 0)) {
		throw new Error(`rapid.retryTimeScale must be ≥ 0, got ${rapid.retryTimeScale}`);
	}
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	checkOptions(options);
	const clock = options.clock ?? Date.now;
	const seed = options.seed ?? DEFAULT_SEED;
	const lifecycle = new Lifecycle();
	const requests: RecordedRequest[] = [];
	const faults = createFaults();
	const { log } = options;

	const atlas = createAtlas({
		clientId: options.atlas?.clientId ?? DEFAULT_ATLAS_CLIENT_ID,
		clientSecret: options.atlas?.clientSecret ?? DEFAULT_ATLAS_CLIENT_SECRET,
		incidents: generateIncidents({
			count: options.incidentCount ?? DEFAULT_INCIDENT_COUNT,
			seed,
			anchorMs: options.anchor === undefined ? clock() : new Date(options.anchor).getTime(),
		}),
		initialWebhookUrl: options.atlasWebhookUrl,
		seed,
		clock,
		lifecycle,
		log,
	});
	const rapid = createRapid({
		apiKey: options.rapid?.apiKey ?? DEFAULT_RAPID_API_KEY,
		sharedSecret: options.rapid?.sharedSecret ?? DEFAULT_RAPID_SHARED_SECRET,
		toleranceSeconds: options.rapid?.toleranceSeconds ?? RAPID_TOLERANCE_SECONDS,
		callbackUrl: options.rapid?.callbackUrl,
		retryTimeScale: options.rapid?.retryTimeScale ?? 1,
		seed,
		clock,
		lifecycle,
		log,
	});

	// url, port and close are filled in once the server listens; the admin API reads them lazily.
	const sandbox: Sandbox = {
		url: '',
		port: 0,
		smtpPort: 0,
		requests,
		caught: [],
		faults: { add: faults.add, clear: faults.clear, list: faults.list },
		atlas: atlas.api,
		rapid: rapid.api,
		close: async () => undefined,
	};
	const server = await startServer(options.port ?? 0, {
		routes: [...atlas.routes, ...rapid.routes],
		admin: createAdmin({ sandbox, pendingDeliveries: rapid.pendingDeliveries }),
		faults,
		lifecycle,
		requests,
		clock,
		log,
	});
	const smtp = await startSmtpCatcher(options.smtpPort ?? 0, sandbox.caught).catch(
		async (error) => {
			await server.close();
			throw error;
		},
	);
	let closing: Promise<void> | undefined;
	sandbox.port = server.port;
	sandbox.url = `http://${HOST}:${server.port}`;
	sandbox.smtpPort = smtp.port;
	sandbox.close = async () =>
		await (closing ??= Promise.all([server.close(), smtp.close()]).then(() => undefined));
	return sandbox;
}
