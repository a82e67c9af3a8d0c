/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development tooling: never shipped, runs under plain Node.js */
/**
 * A minimal SMTP catcher (RFC 5321 subset: no TLS, no auth) so that example workflows that send
 * email deliver to the sandbox instead of the internet. Each message lands in `sandbox.caught`
 * under the name "email" with its envelope, subject and raw text.
 */
import { type AddressInfo, createServer, type Socket } from 'node:net';

import { HOST } from './defaults';
import type { CaughtMessage } from './types';

export interface SmtpCatcher {
	port: number;
	close(): Promise<void>;
}

/** The Subject header of a raw message (unfolded), if any. */
export function subjectOf(raw: string): string | undefined {
	const headers = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
	return /^subject:\s*(.*)$/im.exec(headers)?.[1];
}

function session(socket: Socket, caught: CaughtMessage[]): void {
	let buffer = '';
	let inData = false;
	let envelope = { from: '', to: [] as string[] };
	const reply = (line: string) => socket.write(`${line}\r\n`);
	reply('220 sandbox SMTP catcher');

	const command = (line: string) => {
		const verb = line.slice(0, 4).toUpperCase();
		if (verb === 'EHLO' || verb === 'HELO') reply('250 sandbox');
		else if (verb === 'MAIL') {
			envelope = { from: /<([^>]*)>/.exec(line)?.[1] ?? '', to: [] };
			reply('250 OK');
		} else if (verb === 'RCPT') {
			envelope.to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
			reply('250 OK');
		} else if (verb === 'DATA') {
			inData = true;
			reply('354 End data with <CR><LF>.<CR><LF>');
		} else if (verb === 'QUIT') {
			reply('221 Bye');
			socket.end();
		} else if (verb === 'RSET' || verb === 'NOOP') reply('250 OK');
		else reply('502 Command not implemented');
	};

	socket.on('data', (chunk: Buffer) => {
		buffer += chunk.toString('utf8');
		for (;;) {
			if (inData) {
				const end = buffer.indexOf('\r\n.\r\n');
				if (end === -1) return;
				const raw = buffer.slice(0, end).replace(/^\.\./gm, '.');
				buffer = buffer.slice(end + 5);
				inData = false;
				caught.push({
					name: 'email',
					body: { ...envelope, subject: subjectOf(raw), raw },
					at: Date.now(),
				});
				reply('250 OK: queued');
				continue;
			}
			const newline = buffer.indexOf('\r\n');
			if (newline === -1) return;
			const line = buffer.slice(0, newline);
			buffer = buffer.slice(newline + 2);
			command(line);
		}
	});
	socket.on('error', () => socket.destroy());
}

export async function startSmtpCatcher(
	port: number,
	caught: CaughtMessage[],
): Promise<SmtpCatcher> {
	const sockets = new Set<Socket>();
	const server = createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		session(socket, caught);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, HOST, () => resolve());
	});
	return {
		port: (server.address() as AddressInfo).port,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
