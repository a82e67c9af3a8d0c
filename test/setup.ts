/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test tooling: never shipped, runs under Node.js in jest */
// n8n-core writes an instance encryption key under N8N_USER_FOLDER on first use: keep it out of $HOME.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'travel-ops-n8n-'));
