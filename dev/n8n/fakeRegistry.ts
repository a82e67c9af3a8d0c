/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling: never shipped, runs under plain Node.js */
/**
 * The public npm registry as n8n's Community Nodes installer reaches it, served from tarballs made
 * here with `npm pack`: n8n 2.40.7 always asks https://registry.npmjs.org (a custom registry needs
 * a licence), both over HTTP (OutboundHttp, checkIfVersionExistsOrThrow) and through the `npm` it
 * runs (`npm pack`, `npm install`, `npm view`, `npm outdated`). Both honour HTTPS_PROXY, so an
 * intercepting proxy (httpsIntercept.ts) answers for registry.npmjs.org: packuments, version
 * manifests and tarballs of what was published here, 404 for anything else. Every other host is
 * refused (n8n's package-status check on api.n8n.io then counts the package as allowed, as it does
 * when that service is unreachable).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { startHttpsInterceptor } from './httpsIntercept';
import { run, tail } from './util';

export const NPM_REGISTRY_HOST = 'registry.npmjs.org';

export interface RegistryRequest {
	method: string;
	path: string;
	status: number;
}

interface Version {
	manifest: Record<string, unknown> & { name: string; version: string };
	tarball: Buffer;
	file: string;
}

export interface FakeRegistry {
	/** For n8n's process: the proxy, the CA (for npm too), and an npm cache of its own. */
	env: Record<string, string>;
	/** Every request that reached the registry, in order. */
	requests: RegistryRequest[];
	/** Every CONNECT n8n or npm made through the proxy (`host:port`), answered or refused. */
	connects: string[];
	/** Publishes a tarball made by `npm pack`; it becomes the `latest` dist-tag. */
	publish(tarballPath: string): Promise<{ name: string; version: string; integrity: string }>;
	close(): Promise<void>;
}

/** Answers with JSON; returns the status, for the request log. */
const json = (res: ServerResponse, status: number, body: unknown): number => {
	res.writeHead(status, { 'content-type': 'application/json' });
	res.end(JSON.stringify(body));
	return status;
};
const notFound = (res: ServerResponse) => json(res, 404, { error: 'Not found' });

const tarballUrl = (name: string, file: string) => `https://${NPM_REGISTRY_HOST}/${name}/-/${file}`;

export async function startFakeRegistry(): Promise<FakeRegistry> {
	const packages = new Map<string, { versions: Map<string, Version>; latest: string }>();
	const requests: RegistryRequest[] = [];
	const npmCache = mkdtempSync(join(tmpdir(), 'travel-ops-npm-cache-'));

	const packument = (name: string) => {
		const entry = packages.get(name);
		if (!entry) return undefined;
		return {
			_id: name,
			name,
			'dist-tags': { latest: entry.latest },
			versions: Object.fromEntries([...entry.versions].map(([v, { manifest }]) => [v, manifest])),
		};
	};

	const answer = (req: IncomingMessage, res: ServerResponse): number => {
		const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
		if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, {});
		// /<name>, /<name>/<version or tag>, /<name>/-/<file>.tgz (scoped names keep their slash).
		const match = /^\/((?:@[^/]+\/)?[^/@][^/]*)(?:\/(-\/[^/]+|[^/]+))?$/.exec(path);
		const entry = match ? packages.get(match[1]) : undefined;
		if (!match || !entry) return notFound(res);
		const [, name, rest] = match;
		if (!rest) return json(res, 200, packument(name));
		if (rest.startsWith('-/')) {
			const version = [...entry.versions.values()].find((v) => v.file === rest.slice(2));
			if (!version) return notFound(res);
			res.writeHead(200, { 'content-type': 'application/octet-stream' });
			res.end(version.tarball);
			return 200;
		}
		const version = entry.versions.get(rest === 'latest' ? entry.latest : rest);
		if (!version) return notFound(res);
		return json(res, 200, version.manifest);
	};

	const proxy = await startHttpsInterceptor({
		hosts: {
			[NPM_REGISTRY_HOST]: (req, res) => {
				const status = answer(req, res);
				requests.push({ method: req.method ?? '', path: req.url ?? '', status });
			},
		},
	});

	return {
		// npm trusts its own `cafile` setting rather than NODE_EXTRA_CA_CERTS when one is configured
		// (a machine-wide npmrc may set it), so it gets the proxy's CA that way too.
		env: { ...proxy.env, npm_config_cache: npmCache, npm_config_cafile: proxy.caCertPath },
		requests,
		connects: proxy.connects,
		publish: async (tarballPath) => {
			const read = await run('tar', ['-xzOf', tarballPath, 'package/package.json']);
			if (read.code !== 0)
				throw new Error(`${tarballPath} has no package/package.json: ${tail(read.stderr, 5)}`);
			const pkg = JSON.parse(read.stdout) as Version['manifest'];
			const tarball = readFileSync(tarballPath);
			const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
			const file = basename(tarballPath);
			const manifest = {
				...pkg,
				_id: `${pkg.name}@${pkg.version}`,
				dist: {
					tarball: tarballUrl(pkg.name, file),
					integrity,
					shasum: createHash('sha1').update(tarball).digest('hex'),
				},
			};
			const entry = packages.get(pkg.name) ?? { versions: new Map(), latest: pkg.version };
			entry.versions.set(pkg.version, { manifest, tarball, file });
			entry.latest = pkg.version;
			packages.set(pkg.name, entry);
			return { name: pkg.name, version: pkg.version, integrity };
		},
		close: async () => {
			await proxy.close();
			rmSync(npmCache, { recursive: true, force: true });
		},
	};
}
