/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	rootDir: '.',
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/queue/'],
	moduleFileExtensions: ['ts', 'cts', 'js', 'cjs', 'json'],
	// Dev tooling (sandbox, scripts, test helpers) is written as .cts so that the community-node
	// lint rules, which forbid node:http and process in *.ts, apply only to shipped code and tests.
	resolver: '<rootDir>/test/resolver.cjs',
	transform: {
		'^.+\\.c?ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	setupFiles: ['<rootDir>/test/setup.cts'],
	testTimeout: 30000,
};
