// Packs this package and runs n8n's community-package scanner on the tarball's contents, offline
// (its CLI needs a published package; analyzePackage works on a folder).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	analyzePackage,
	SOURCE_FILE_PATTERNS,
} from '@n8n/scan-community-package/scanner/scanner.mjs';

const work = mkdtempSync(join(tmpdir(), 'travel-ops-scan-'));
try {
	const [{ filename }] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', work], { encoding: 'utf8' }),
	);
	execFileSync('tar', ['-xzf', join(work, filename), '-C', work]);
	const result = await analyzePackage(join(work, 'package'), SOURCE_FILE_PATTERNS);
	if (!result.passed) {
		console.error(`scan: ${result.message}\n${result.details ?? ''}`);
		process.exit(1);
	}
	console.log(`scan: ${filename} passed @n8n/scan-community-package analyzePackage`);
} finally {
	rmSync(work, { recursive: true, force: true });
}
