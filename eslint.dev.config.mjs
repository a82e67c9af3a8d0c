/**
 * Lint for the development tooling (sandbox, n8n driver, benchmarks, test helpers), written as
 * `.cts`: n8n's own rule set, minus the rules that exist for code n8n loads at run time (no
 * Node.js built-ins, timers, `process`, child processes or console output). `eslint.config.mjs`
 * must stay n8n's default for strict mode, so this is a second config, run by `npm run lint`.
 */
import { config } from '@n8n/node-cli/eslint';

const SHIPPED_CODE_ONLY_RULES = {
	'@n8n/community-nodes/no-restricted-imports': 'off',
	'@n8n/community-nodes/no-restricted-globals': 'off',
	'@n8n/community-nodes/no-dangerous-functions': 'off',
	'no-console': 'off',
};

export default [
	...config
		.filter((block) => !block.files || block.files.includes('**/*.ts'))
		.map((block) => (block.files ? { ...block, files: ['**/*.cts'] } : block)),
	{ files: ['**/*.cts'], rules: SHIPPED_CODE_ONLY_RULES },
];
