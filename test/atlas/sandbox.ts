/** Shared set-up for Atlas tests that talk to the sandbox over real HTTP. */
import type { INode } from 'n8n-workflow';

import {
	DEFAULT_ATLAS_CLIENT_ID,
	DEFAULT_ATLAS_CLIENT_SECRET,
	startSandbox,
	type Sandbox,
} from '../../dev/sandbox';

export { expectApiError } from '../helpers/errors';

/**
 * Starts a sandbox with `incidentCount` incidents for the test file, clears its faults after each
 * test, and returns a getter for it.
 */
export function useSandbox(incidentCount: number): () => Sandbox {
	let sb: Sandbox | undefined;
	beforeAll(async () => {
		sb = await startSandbox({ port: 0, incidentCount });
	});
	afterAll(async () => await sb?.close());
	afterEach(() => sb?.faults.clear());
	return () => sb as Sandbox;
}

export const atlasCredentials = (sb: Sandbox, clientSecret = DEFAULT_ATLAS_CLIENT_SECRET) => ({
	atlasApi: {
		environment: 'custom',
		baseUrl: sb.url,
		clientId: DEFAULT_ATLAS_CLIENT_ID,
		clientSecret,
	},
});

export const requestsTo = (sb: Sandbox, route: string) =>
	sb.requests.filter((r) => r.route === route);

/** Node settings the test helper does not expose: "On Error → Continue". */
export function continueOnFail(context: object): void {
	(context as { node: INode }).node.onError = 'continueRegularOutput';
}
