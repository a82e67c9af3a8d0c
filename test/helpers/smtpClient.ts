/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test tooling: never shipped, runs under Node.js in jest */
/** A scripted SMTP client for testing the sandbox's catcher: sends lines, collects the replies. */
import { connect } from 'node:net';

export async function smtpConversation(port: number, lines: string[]): Promise<string[]> {
	const socket = connect(port, '127.0.0.1');
	const replies: string[] = [];
	let buffer = '';
	let waiting: (() => void) | undefined;
	socket.on('data', (chunk: Buffer) => {
		buffer += chunk.toString('utf8');
		let newline: number;
		while ((newline = buffer.indexOf('\r\n')) !== -1) {
			replies.push(buffer.slice(0, newline));
			buffer = buffer.slice(newline + 2);
			waiting?.();
		}
	});
	const nextReply = async (count: number) => {
		while (replies.length < count) await new Promise<void>((resolve) => (waiting = resolve));
	};
	await nextReply(1);
	for (const line of lines) {
		const expected = replies.length + 1;
		socket.write(`${line}\r\n`);
		await nextReply(expected);
	}
	socket.destroy();
	return replies;
}
