/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test tooling: never shipped, runs under Node.js in jest */
/**
 * The sandbox takes no contract fact from the shipped code (issue 22, item 10): it signs, checks
 * signatures and names Atlas' status codes on its own, written from the providers' documents.
 * Otherwise a wrong code or a wrong signature in nodes/ would agree with itself. The node's signer
 * and the sandbox's are then two implementations of one documented scheme, and are compared here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';

import { ATLAS_STATUS_RULES, atlasStatusRule } from '../../nodes/Atlas/transport/statuses';
import {
	buildAuthorizationHeader,
	computeSignature,
	DEFAULT_TOLERANCE_SECONDS,
	verifyAuthorizationHeader,
} from '../../nodes/ExpediaRapid/signature';
import { ORDER_LOOKUP_STATUS } from '../../dev/sandbox/atlasOrders';
import { ATLAS_STATUS } from '../../dev/sandbox/errors';
import {
	checkRapidAuthorization,
	RAPID_TOLERANCE_SECONDS,
	rapidAuthorization,
	rapidSignature,
} from '../../dev/sandbox/rapidSignature';

const ROOT = resolve(__dirname, '../..');
const SANDBOX = join(ROOT, 'dev/sandbox');

/** Every module specifier a file names: static and dynamic imports, re-exports, require. */
function specifiers(source: string): string[] {
	const found: string[] = [];
	const patterns = [
		/\bfrom\s*['"]([^'"]+)['"]/g,
		/\bimport\s*['"]([^'"]+)['"]/g,
		/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
		/\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
	];
	for (const pattern of patterns) {
		for (const match of source.matchAll(pattern)) found.push(match[1]);
	}
	return found;
}

function resolveLocal(from: string, specifier: string): string | undefined {
	const base = resolve(dirname(from), specifier);
	return [base, `${base}.ts`, `${base}.json`, join(base, 'index.ts')].find(
		(candidate) => existsSync(candidate) && statSync(candidate).isFile(),
	);
}

/** The sandbox's module graph, followed textually from every dev/sandbox/*.ts. */
function sandboxGraph(): { files: Set<string>; edges: Array<[string, string]> } {
	const files = new Set<string>();
	const edges: Array<[string, string]> = [];
	const queue = readdirSync(SANDBOX)
		.filter((name) => name.endsWith('.ts'))
		.map((name) => join(SANDBOX, name));
	while (queue.length > 0) {
		const file = queue.pop()!;
		if (files.has(file)) continue;
		files.add(file);
		if (!file.endsWith('.ts')) continue;
		for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
			if (!specifier.startsWith('.')) continue;
			const target = resolveLocal(file, specifier) ?? resolve(dirname(file), specifier);
			edges.push([relative(ROOT, file), relative(ROOT, target)]);
			queue.push(target);
		}
	}
	return { files, edges };
}

describe('the sandbox is independent of the shipped code', () => {
	it('imports nothing under nodes/ or credentials/, directly or through another module', () => {
		const { files, edges } = sandboxGraph();
		// The walk sees real imports (so an empty result is not a pass by accident).
		expect(edges).toContainEqual(['dev/sandbox/index.ts', 'dev/sandbox/rapid.ts']);
		expect(edges).toContainEqual(['dev/sandbox/rapid.ts', 'dev/sandbox/rapidSignature.ts']);
		const shipped = edges.filter(([, to]) => /^(nodes|credentials)\//.test(to));
		expect(shipped).toEqual([]);
		const outside = [...files]
			.map((file) => relative(ROOT, file))
			.filter((file) => !file.startsWith('dev/'));
		expect(outside).toEqual([]);
	});

	it('the walk would catch an import of the shipped code', () => {
		expect(specifiers("import { x } from '../../nodes/ExpediaRapid/signature';")).toEqual([
			'../../nodes/ExpediaRapid/signature',
		]);
		expect(specifiers("export * from '../../credentials/AtlasApi.credentials';")).toEqual([
			'../../credentials/AtlasApi.credentials',
		]);
		expect(specifiers("const m = require('../../nodes/x'); void import('../y');")).toEqual([
			'../y',
			'../../nodes/x',
		]);
	});
});

describe("Rapid's signature: the sandbox's and the node's agree on the documented scheme", () => {
	// Seed 001 writes the header as `APIKey=yourAPIKey,Signature=sha512Hash,timestamp=…`;
	// the expected digests come from outside both implementations:
	//   printf '%s' 'yourAPIKeyyourSharedSecret1700000000' | sha512sum
	//   printf '%s' 'keysecret1234567890' | sha512sum
	const vectors: Array<[string, string, number, string]> = [
		[
			'yourAPIKey',
			'yourSharedSecret',
			1700000000,
			'ffe1e8c101145ab56efca23fc9d60da02c7737e69f37856dfce396ed758eb3c987395832e7837a8604c7a179efe045db922ca15e6d3487f949afb60d3bff806f',
		],
		[
			'key',
			'secret',
			1234567890,
			'1357f7b4ab3015bb196dae94268ce5262730b3a6433e34a72ce55ebb5aeff43bafff08495135fe6f2a8d502d67bcd6eed344b2d88f119b0178953ef9731ce58c',
		],
	];

	it.each(vectors)(
		'both sign %s + %s + %d to the same lowercase hex SHA-512',
		(key, secret, ts, sig) => {
			expect(rapidSignature(key, secret, ts)).toBe(sig);
			expect(computeSignature(key, secret, ts)).toBe(sig);
			const header = `EAN APIKey=${key},Signature=${sig},timestamp=${ts}`;
			expect(rapidAuthorization(key, secret, ts)).toBe(header);
			expect(buildAuthorizationHeader(key, secret, ts)).toBe(header);
		},
	);

	it("each accepts the other's header, within the same five-minute window either way", () => {
		const [key, secret, ts] = vectors[0];
		expect(RAPID_TOLERANCE_SECONDS).toBe(300);
		expect(DEFAULT_TOLERANCE_SECONDS).toBe(RAPID_TOLERANCE_SECONDS);
		const sandboxChecks = (header: string, now: number) =>
			checkRapidAuthorization(header, {
				apiKey: key,
				sharedSecret: secret,
				toleranceSeconds: RAPID_TOLERANCE_SECONDS,
				now,
			}).ok;
		const nodeChecks = (header: string, now: number) =>
			verifyAuthorizationHeader(header, { apiKey: key, sharedSecret: secret, now }).ok;
		for (const skew of [-300, 0, 300]) {
			expect(sandboxChecks(buildAuthorizationHeader(key, secret, ts), ts + skew)).toBe(true);
			expect(nodeChecks(rapidAuthorization(key, secret, ts), ts + skew)).toBe(true);
		}
		for (const skew of [-301, 301]) {
			expect(sandboxChecks(buildAuthorizationHeader(key, secret, ts), ts + skew)).toBe(false);
			expect(nodeChecks(rapidAuthorization(key, secret, ts), ts + skew)).toBe(false);
		}
		expect(sandboxChecks(buildAuthorizationHeader(key, 'other', ts), ts)).toBe(false);
		expect(nodeChecks(rapidAuthorization(key, 'other', ts), ts)).toBe(false);
	});
});

describe("Atlas' status codes: the sandbox's list and the node's agree with the error pages", () => {
	// atlas-doc/atlas-api-docs, troubleshooting-and-support/errors-handing/
	// common-and-access-errors.md and errors-handing/README.md.
	it.each([
		[ATLAS_STATUS.missingData, 100, 'fix'],
		[ATLAS_STATUS.unauthorized, 900, 'fix'],
		[ATLAS_STATUS.illegalData, 901, 'fix'],
		[ATLAS_STATUS.accessDenied, 902, 'fix'],
		[ATLAS_STATUS.systemError9999, 9999, 'retryOnce'],
		[ATLAS_STATUS.commonError, -1, 'retryOnce'],
		[ATLAS_STATUS.rateLimited, 110, 'backOff'],
	])(
		'sandbox code %d is documented %d, which the node handles as %s',
		(sandbox, documented, handling) => {
			expect(sandbox).toBe(documented);
			expect(ATLAS_STATUS_RULES[documented]?.handling).toBe(handling);
		},
	);

	it('0 is success in both', () => {
		expect(ATLAS_STATUS.ok).toBe(0);
		expect(ATLAS_STATUS_RULES[0]).toBeUndefined();
	});
});

describe("The order lookup's codes: the sandbox's list and the node's agree with Atlas' reference", () => {
	// atlas-doc/atlas-api-docs, `Atlas API_shopping and ticketing.md`, POST Retrieve Booking (status
	// table); troubleshooting-and-support/errors-handing/refund-query-and-post-booking-errors.md
	// ("Query order": 703 fix the request first, 705 retry after a short wait).
	it.each([
		[ORDER_LOOKUP_STATUS.orderNotExists, 800, 'fix'],
		[ORDER_LOOKUP_STATUS.multipleOrders, 701, 'fix'],
		[ORDER_LOOKUP_STATUS.lookupDataMissing, 702, 'fix'],
		[ORDER_LOOKUP_STATUS.noOrderFound, 703, 'fix'],
		[ORDER_LOOKUP_STATUS.parametersMismatch, 704, 'fix'],
		[ORDER_LOOKUP_STATUS.timeout, 705, 'retryOnce'],
	])(
		'sandbox code %d is documented %d, which the node handles as %s on the lookup only',
		(sandbox, documented, handling) => {
			expect(sandbox).toBe(documented);
			expect(atlasStatusRule(documented, 'queryOrderDetails')?.handling).toBe(handling);
			expect(atlasStatusRule(documented, 'event/getPageList')).toBeUndefined();
		},
	);
});
