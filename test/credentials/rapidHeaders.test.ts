/**
 * The Rapid credential test sends the headers the Rapid nodes send (besides the signature, fresh on
 * each request), and both send what Rapid's spec asks for: gzip and a User-Agent naming the app.
 */
import { ExpediaRapid } from '../../nodes/ExpediaRapid/ExpediaRapid.node';
import {
	jsonAnswer,
	startAnsweringServer,
	type AnsweringServer,
} from '../helpers/answeringServer';
import { runCredentialTest } from '../helpers/credentialTest';
import { executeNode } from '../helpers/n8n';

const KEYS = { apiKey: 'key-7', sharedSecret: 'secret-7' };

let server: AnsweringServer;
beforeAll(async () => {
	server = await startAnsweringServer();
});
afterAll(async () => await server.close());

/** Headers that depend on the connection, or on the moment (the signature). */
const PER_REQUEST = ['host', 'connection', 'content-length', 'authorization'];
const headersOf = (index: number) =>
	Object.fromEntries(
		Object.entries(server.seen[index].headers).filter(([name]) => !PER_REQUEST.includes(name)),
	);

it("the credential test's request carries the same headers as the node's", async () => {
	const credential = { environment: 'custom', baseUrl: server.url, ...KEYS };
	server.seen.length = 0;
	// The spoken-languages list for the test, then an empty undeliverable queue for the node.
	server.answer = jsonAnswer(200, { en: { id: 'en', name: 'English' } });
	expect(await runCredentialTest('expediaRapidApi', credential)).toEqual({
		status: 'OK',
		message: 'Connection successful!',
	});
	server.answer = jsonAnswer(200, []);
	await executeNode({
		nodeType: new ExpediaRapid(),
		parameters: { resource: 'notification', operation: 'getUndeliverable' },
		credentials: { expediaRapidApi: credential },
	});
	expect(server.seen).toHaveLength(2);
	expect(headersOf(0)).toEqual(headersOf(1));
	expect(headersOf(1)).toMatchObject({
		accept: 'application/json',
		'accept-encoding': 'gzip',
		'user-agent': 'n8n-nodes-travel-ops',
	});
	for (const index of [0, 1]) {
		expect(server.seen[index].headers.authorization).toMatch(/^EAN APIKey=key-7,Signature=/);
	}
});
