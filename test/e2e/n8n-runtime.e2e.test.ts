/**
 * The real-n8n runtime end to end: pinned n8n 2.40.7 on Node 24 (installed on first use, ~4 min),
 * this package built, packed and unpacked into <userFolder>/.n8n/nodes/node_modules, credentials and
 * workflows imported with the n8n CLI, a production webhook served, executions read back, clean stop.
 *
 * Not part of `npm test` (jest.config.js ignores test/e2e). Run with:
 *   npx jest --testPathIgnorePatterns=/node_modules/ --runTestsByPath test/e2e/n8n-runtime.e2e.test.ts
 * TRAVEL_OPS_ALLOW_MISSING=1 tolerates package.json node entries whose files are not written yet.
 */
import { runSmoke, smokeOptionsFromEnv } from '../../scripts/n8n/smoke.cjs';

describe('real n8n runtime', () => {
	it(
		'loads the package, runs CLI imports, serves a webhook and stops cleanly',
		async () => {
			const report = await runSmoke(smokeOptionsFromEnv());

			expect(report.credentialTypes).toEqual(
				expect.arrayContaining(['atlasApi', 'expediaRapidApi']),
			);
			expect(report.webhookStatus).toBe(200);
			expect(report.executions[0]).toMatchObject({ status: 'success', mode: 'webhook' });
			for (const nodeType of report.nodeTypes) expect(nodeType).toMatch(/^n8n-nodes-travel-ops\./);
		},
		20 * 60_000,
	);
});
