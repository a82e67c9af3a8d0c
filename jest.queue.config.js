/** n8n in queue mode (`npm run test:queue`): PostgreSQL, Redis and five n8n processes, run in band. */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
	...base,
	roots: ['<rootDir>/dev/queue'],
	testMatch: ['**/*.test.ts'],
	maxWorkers: 1,
	testTimeout: 10 * 60_000,
};
