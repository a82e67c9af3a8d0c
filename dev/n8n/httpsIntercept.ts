/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- development tooling: never shipped, runs under plain Node.js */
/**
 * An HTTPS proxy that answers for chosen hosts itself: n8n (and the npm it runs) honour HTTPS_PROXY
 * / NO_PROXY, the proxy accepts CONNECT to those hosts only and terminates TLS with a certificate
 * for each, signed by a CA made at start with `openssl` (trusted through NODE_EXTRA_CA_CERTS).
 * Every other CONNECT is refused, so nothing leaves the machine. Used by the fake Slack
 * (fakeSlack.ts) and the fake npm registry (fakeRegistry.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
	createServer,
	type IncomingMessage,
	type RequestListener,
	type Server,
	type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';

export interface HttpsInterceptor {
	/** `http://127.0.0.1:<port>`: the proxy to give n8n. */
	proxyUrl: string;
	/** The CA certificate (PEM) n8n must trust. */
	caCertPath: string;
	/** HTTPS_PROXY, NO_PROXY (loopback goes direct) and NODE_EXTRA_CA_CERTS for n8n's process. */
	env: Record<string, string>;
	/** Every CONNECT the proxy saw, as `host:port`, answered or refused. */
	connects: string[];
	close(): Promise<void>;
}

export interface InterceptOptions {
	/** What answers HTTPS requests to each host (port 443). */
	hosts: Record<string, RequestListener>;
	/** What answers plain HTTP requests to the proxy's own address; default 403. */
	plain?: (req: IncomingMessage, res: ServerResponse) => void;
}

/** A CA and, for each host, a certificate it signs, made with the openssl command line tool. */
function generate(dir: string, hosts: string[]) {
	const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
	ssl(
		'req',
		'-x509',
		'-newkey',
		'rsa:2048',
		'-nodes',
		'-days',
		'2',
		'-subj',
		'/CN=travel-ops test CA',
		'-keyout',
		'ca.key',
		'-out',
		'ca.pem',
	);
	const certs = new Map<string, { key: Buffer; cert: Buffer }>();
	for (const [i, host] of hosts.entries()) {
		const name = `host${i}`;
		ssl(
			'req',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-subj',
			`/CN=${host}`,
			'-keyout',
			`${name}.key`,
			'-out',
			`${name}.csr`,
		);
		writeFileSync(
			join(dir, `${name}.ext`),
			`subjectAltName=DNS:${host},DNS:*.${host}\nextendedKeyUsage=serverAuth\n`,
		);
		ssl(
			'x509',
			'-req',
			'-in',
			`${name}.csr`,
			'-CA',
			'ca.pem',
			'-CAkey',
			'ca.key',
			'-CAcreateserial',
			'-days',
			'2',
			'-extfile',
			`${name}.ext`,
			'-out',
			`${name}.pem`,
		);
		certs.set(host, {
			key: readFileSync(join(dir, `${name}.key`)),
			cert: readFileSync(join(dir, `${name}.pem`)),
		});
	}
	return { caCertPath: join(dir, 'ca.pem'), certs };
}

export async function startHttpsInterceptor(opts: InterceptOptions): Promise<HttpsInterceptor> {
	const dir = mkdtempSync(join(tmpdir(), 'travel-ops-https-'));
	const { caCertPath, certs } = generate(dir, Object.keys(opts.hosts));
	const servers = new Map(
		Object.entries(opts.hosts).map(([host, listener]) => [host, createServer(listener)]),
	);
	const sockets = new Set<Socket>();
	const connects: string[] = [];
	const proxy: Server = createServer((req, res) => {
		if (opts.plain) opts.plain(req, res);
		else res.writeHead(403).end();
	});
	proxy.on('connection', (socket: Socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	proxy.on('connect', (req: IncomingMessage, socket: Socket) => {
		connects.push(req.url ?? '');
		const [host, port] = (req.url ?? '').split(':');
		const server = servers.get(host);
		const cert = certs.get(host);
		if (!server || !cert || (port ?? '443') !== '443') {
			socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}
		socket.write('HTTP/1.1 200 Connection Established\r\n\r\n', () => {
			const tls = new TLSSocket(socket, { isServer: true, ...cert });
			tls.on('error', () => socket.destroy());
			server.emit('connection', tls);
		});
	});
	await new Promise<void>((resolve, reject) => {
		proxy.once('error', reject);
		proxy.listen(0, '127.0.0.1', () => resolve());
	});
	const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
	return {
		proxyUrl,
		caCertPath,
		env: {
			HTTPS_PROXY: proxyUrl,
			https_proxy: proxyUrl,
			NO_PROXY: '127.0.0.1,localhost,::1',
			no_proxy: '127.0.0.1,localhost,::1',
			NODE_EXTRA_CA_CERTS: caCertPath,
		},
		connects,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => proxy.close(() => resolve()));
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
