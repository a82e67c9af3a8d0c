/** End-to-end tests against a real n8n (`npm run test:e2e`): one n8n for the suite, run in band. */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
	...base,
	roots: ['<rootDir>/dev/e2e'],
	testMatch: ['**/*.e2e.test.ts'],
	maxWorkers: 1,
	testTimeout: 5 * 60_000,
};
