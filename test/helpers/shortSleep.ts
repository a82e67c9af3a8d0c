/**
 * n8n-workflow with a `sleep` that waits at most a few milliseconds and records what it was asked:
 * the transports' backoff (seconds, up to a minute) passes at once, and a test can check how long
 * the code meant to wait. The shipped code is unchanged. A test file opts in above its imports:
 *
 *   jest.mock('n8n-workflow', () => jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow());
 *
 * It shortens every `sleep` of the file, the duplicate window's re-marks included.
 */
import type * as N8nWorkflow from 'n8n-workflow';

export const MAX_SLEEP_MS = 5;

export type ShortSleep = { n8nWorkflow: () => typeof N8nWorkflow };

export function n8nWorkflow(): typeof N8nWorkflow {
	const actual = jest.requireActual<typeof N8nWorkflow>('n8n-workflow');
	return {
		...actual,
		sleep: jest.fn(async (ms: number) => await actual.sleep(Math.min(ms, MAX_SLEEP_MS))),
	};
}
