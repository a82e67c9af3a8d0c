/**
 * Secrets that a server echoes encoded (JSON, URL, HTML, base64) or cut off in the middle never
 * reach an error or an output item: the nodes run whole against a server that answers as told.
 */
import { randomUUID } from 'crypto';
import type { IDataObject, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';

import { Atlas } from '../../nodes/Atlas/Atlas.node';
import { ExpediaRapid } from '../../nodes/ExpediaRapid/ExpediaRapid.node';
import { type Behaviour, type HostileServer, startHostileServer } from '../helpers/hostileServer';
import { createExecuteContext, useRequestLimits } from '../helpers/n8n';
import { allStrings, leakedEncodings, SECRET_ENCODINGS } from '../helpers/secretEncodings';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

// Each carries the characters encoders change (all valid in an HTTP header) and a random part.
const secret = (name: string) => `${name}/${randomUUID().slice(0, 8)}+S=c&r<e>t"'x y%z#;:`;
const ATLAS_SECRET = secret('atlas');
const WEBHOOK_TOKEN = secret('token');
const RAPID_KEY = secret('key');
const RAPID_SECRET = secret('rapid');
const SECRETS = [ATLAS_SECRET, WEBHOOK_TOKEN, RAPID_KEY, RAPID_SECRET];
const ENCODINGS = Object.entries(SECRET_ENCODINGS);

let server: HostileServer;
beforeAll(async () => {
	useRequestLimits({ timeoutMs: 5000 });
	server = await startHostileServer();
});
afterAll(async () => await server.close());

const credentials = () => ({
	atlasApi: {
		environment: 'custom',
		baseUrl: server.url,
		clientId: 'atlas-client',
		clientSecret: ATLAS_SECRET,
		webhookToken: WEBHOOK_TOKEN,
	},
	expediaRapidApi: {
		environment: 'custom',
		baseUrl: server.url,
		apiKey: RAPID_KEY,
		sharedSecret: RAPID_SECRET,
	},
});

/** Output items, or the error, with every string in them. */
async function run(nodeType: INodeType, parameters: INodeParameters, given = credentials()) {
	const context = createExecuteContext({ nodeType, parameters, credentials: given });
	try {
		const [output] = (await nodeType.execute?.call(context)) as INodeExecutionData[][];
		const items = output.map((item) => item.json);
		return { items, strings: allStrings(items) };
	} catch (error) {
		return { error: error as Error, strings: allStrings(error) };
	}
}

const listIncidents = async () =>
	await run(new Atlas(), { resource: 'incident', operation: 'getMany', returnAll: true });
const sendTest = async () =>
	await run(new ExpediaRapid(), {
		resource: 'notification',
		operation: 'sendTest',
		eventType: 'itinerary.agent.create',
	});
const drain = async () =>
	await run(new ExpediaRapid(), { resource: 'notification', operation: 'getUndeliverable' });

const text = (body: string, status = 400): Behaviour => ({ kind: 'text', status, body });
const json = (body: unknown, status = 200): Behaviour => ({ kind: 'json', status, body });

function expectNoLeak(strings: string[]) {
	expect(strings.join('\n')).toContain('[redacted]');
	for (const value of SECRETS) expect(leakedEncodings(strings, value)).toEqual([]);
}

describe('a secret echoed in an encoding', () => {
	describe.each(ENCODINGS)('%s', (_name, encode) => {
		it('Atlas HTTP 400 quoting the client secret: not in the error', async () => {
			server.script(text(`rejected x-atlas-client-secret=${encode(ATLAS_SECRET)} (bad)`));
			const result = await listIncidents();
			expect(result.error?.message).toMatch(/answered HTTP 400/);
			expectNoLeak(result.strings);
		});

		it('Atlas status 900 whose msg quotes the client secret', async () => {
			server.script(json({ status: 900, msg: `secret ${encode(ATLAS_SECRET)} is wrong` }));
			const result = await listIncidents();
			expect(result.error?.message).toMatch(/status 900/);
			expectNoLeak(result.strings);
		});

		it('Atlas error quoting a webhook URL with the token', async () => {
			const url = `https://n8n.example.com/webhook/x?token=${encode(WEBHOOK_TOKEN)}`;
			server.script(text(`{"status":2,"errorResponse":"cannot call ${url}"`, 200));
			const result = await listIncidents();
			expect(result.error?.message).toMatch(/not one Atlas sends/);
			expectNoLeak(result.strings);
		});

		it('Rapid 401 quoting the API key and shared secret: not in the error', async () => {
			server.script(
				text(`denied: apikey=${encode(RAPID_KEY)}&secret=${encode(RAPID_SECRET)}`, 401),
			);
			const result = await sendTest();
			expect(result.error?.message).toMatch(/answered 401/);
			expectNoLeak(result.strings);
		});

		it('a drained notification quoting the shared secret: not in the item', async () => {
			server.script(json([{ event_id: 'n1', note: `secret ${encode(RAPID_SECRET)}` }]), json([]));
			const result = await drain();
			expect(result.items?.[0]).toMatchObject({ event_id: 'n1' });
			expectNoLeak(result.strings);
		});
	});
});

describe('a body cut off inside an echoed secret', () => {
	const CUTS = [4, 9, 20];

	describe.each(
		ENCODINGS.filter(([name]) => ['raw', 'URL (encodeURIComponent)', 'base64'].includes(name)),
	)('%s', (_name, encode) => {
		it.each(CUTS)(
			'a drain answer cut %i characters into it: unreadableResponse keeps none of it',
			async (cut) => {
				const encoded = encode(RAPID_SECRET);
				const body = JSON.stringify([{ event_id: 'n1', note: 'x' }]).replace('"x"', `"${encoded}"`);
				const sent = body.indexOf(encoded) + cut;
				server.script({ kind: 'cut', body, sent });
				const result = await drain();
				const unreadable = (result.items as IDataObject[])[0].unreadableResponse;
				expect(unreadable).toBe(`${body.slice(0, body.indexOf(encoded))}[redacted]`);
			},
		);
	});

	it('an Atlas answer that ends inside the client secret (not JSON): not in the error', async () => {
		const body = `{"status":0,"records":[{"remark":"${ATLAS_SECRET.slice(0, 12)}`;
		server.script(text(body, 200));
		const result = await listIncidents();
		expect(result.error?.message).toMatch(/not one Atlas sends/);
		const all = result.strings.join('\n');
		expect(all).toContain('"remark":"[redacted]');
		expect(all).not.toContain(ATLAS_SECRET.slice(0, 12));
	});
});

describe('a secret saved with spaces around it: the trimmed secret a server echoes is hidden too', () => {
	// HTTP drops the spaces around a header value: the server receives, accepts and echoes the
	// secret without them.
	const TRIMMED = `AtlasSecret-${randomUUID().slice(0, 8)}`;
	const listWithSpacedSecret = async () =>
		await run(
			new Atlas(),
			{ resource: 'incident', operation: 'getMany', returnAll: true },
			{ ...credentials(), atlasApi: { ...credentials().atlasApi, clientSecret: ` ${TRIMMED}\t` } },
		);

	it('a server echoing the request headers', async () => {
		server.script({ kind: 'echoHeaders', status: 400, only: ['x-atlas-client-secret'] });
		const result = await listWithSpacedSecret();
		expect(server.seen.at(-1)?.headers['x-atlas-client-secret']).toBe(TRIMMED);
		expect(result.error?.message).toMatch(/answered HTTP 400/);
		expect(result.strings.join('\n')).not.toContain(TRIMMED);
	});

	it('status 900 quoting the secret it received', async () => {
		server.script(json({ status: 900, msg: `client secret "${TRIMMED}" is not valid` }));
		const result = await listWithSpacedSecret();
		expect(result.error?.message).toMatch(/status 900/);
		expect(result.strings.join('\n')).not.toContain(TRIMMED);
	});
});

describe('a secret made of digits, echoed as a JSON number', () => {
	it('a drained notification carrying the shared secret as a number: not in the item', async () => {
		const digits = '8675309123456';
		server.script(json([{ event_id: 'n1', echo: Number(digits) }]), json([]));
		const result = await run(
			new ExpediaRapid(),
			{ resource: 'notification', operation: 'getUndeliverable' },
			{
				...credentials(),
				expediaRapidApi: { ...credentials().expediaRapidApi, sharedSecret: digits },
			},
		);
		expect(result.items?.[0]).toEqual({ event_id: 'n1', echo: '[redacted]' });
		expect(JSON.stringify(result.items)).not.toContain(digits);
	});
});
