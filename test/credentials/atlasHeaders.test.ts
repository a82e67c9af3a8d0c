/**
 * The Atlas credential test sends exactly the headers the Atlas node sends, and both send the
 * standard headers Atlas documents (Content-Type, Accept-Encoding: gzip, the two keys) plus an
 * Accept that both Atlas contracts accept.
 */
import { Atlas } from '../../nodes/Atlas/Atlas.node';
import {
	jsonAnswer,
	startAnsweringServer,
	type AnsweringServer,
} from '../helpers/answeringServer';
import { runCredentialTest } from '../helpers/credentialTest';
import { executeNode } from '../helpers/n8n';

const KEYS = { clientId: 'client-7', clientSecret: 'secret-7' };

let server: AnsweringServer;
beforeAll(async () => {
	server = await startAnsweringServer();
	server.answer = jsonAnswer(200, {
		status: 0,
		msg: null,
		records: [],
		pageIndex: '1',
		pageSize: '1',
		total: '0',
	});
});
afterAll(async () => await server.close());

/** The headers of a request, without those that depend on the connection or the body's length. */
const PER_CONNECTION = ['host', 'connection', 'content-length'];
const headersOf = (index: number) =>
	Object.fromEntries(
		Object.entries(server.seen[index].headers).filter(([name]) => !PER_CONNECTION.includes(name)),
	);

describe('Atlas requests: headers', () => {
	it("the credential test's request carries the same headers as the node's", async () => {
		const credential = { environment: 'custom', baseUrl: server.url, ...KEYS };
		server.seen.length = 0;
		expect(await runCredentialTest('atlasApi', credential)).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		await executeNode({
			nodeType: new Atlas(),
			parameters: { resource: 'incident', operation: 'getMany', limit: 1 },
			credentials: { atlasApi: credential },
		});
		expect(server.seen).toHaveLength(2);
		expect(headersOf(0)).toEqual(headersOf(1));
		expect(headersOf(1)).toMatchObject({
			'content-type': 'application/json',
			'accept-encoding': 'gzip',
			'x-atlas-client-id': KEYS.clientId,
			'x-atlas-client-secret': KEYS.clientSecret,
			// Present (required by the older contract) and never narrower than "anything".
			accept: expect.stringMatching(/^application\/json, \*\/\*/),
		});
	});
});
