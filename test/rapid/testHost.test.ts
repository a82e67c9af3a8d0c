/**
 * Reading the undeliverable queue on Rapid's test host is not supported and may return (and delete)
 * production notifications: the user is warned where the host is chosen and in the drain's output.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { ExpediaRapidApi } from '../../credentials/ExpediaRapidApi.credentials';
import { ExpediaRapid } from '../../nodes/ExpediaRapid/ExpediaRapid.node';
import * as baseUrl from '../../nodes/ExpediaRapid/transport/baseUrl';
import {
	DEFAULT_RAPID_API_KEY,
	DEFAULT_RAPID_SHARED_SECRET,
	startSandbox,
	type Sandbox,
} from '../../dev/sandbox';
import { createExecuteContext } from '../helpers/n8n';
import type { ShortSleep } from '../helpers/shortSleep';
// Backoff waits at most a few ms here; the retries themselves are real (test/helpers/shortSleep.ts).
jest.mock('n8n-workflow', () =>
	jest.requireActual<ShortSleep>('../helpers/shortSleep').n8nWorkflow(),
);

const { isRapidTestHost } = baseUrl;
const PRODUCTION_NOTIFICATIONS = /may return production notifications there and delete them/;

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, incidentCount: 0 });
});
afterAll(async () => {
	await sb.close();
});
afterEach(() => jest.restoreAllMocks());

async function drain(): Promise<{ items: INodeExecutionData[]; hints: string[] }> {
	const rapid = new ExpediaRapid();
	const context = createExecuteContext({
		nodeType: rapid,
		parameters: { resource: 'notification', operation: 'getUndeliverable' },
		credentials: {
			expediaRapidApi: {
				environment: 'custom',
				baseUrl: sb.url,
				apiKey: DEFAULT_RAPID_API_KEY,
				sharedSecret: DEFAULT_RAPID_SHARED_SECRET,
			},
		},
	});
	const hints: string[] = [];
	context.addExecutionHints = (...added) => hints.push(...added.map((h) => h.message));
	const [items] = await rapid.execute.call(context);
	return { items, hints };
}

describe("Draining on Rapid's test host", () => {
	it('knows the test host, chosen or typed in', () => {
		expect(isRapidTestHost({ environment: 'test' })).toBe(true);
		expect(isRapidTestHost({ environment: 'custom', baseUrl: 'https://TEST.ean.com/' })).toBe(true);
		expect(isRapidTestHost({ environment: 'production' })).toBe(false);
		expect(isRapidTestHost({ environment: 'custom', baseUrl: 'http://localhost:4010' })).toBe(
			false,
		);
		expect(isRapidTestHost({ environment: 'custom', baseUrl: 'not a url' })).toBe(false);
	});

	it('warns in the output when the credential leads to the test host', async () => {
		jest.spyOn(baseUrl, 'isRapidTestHost').mockReturnValue(true);
		sb.rapid.enqueueUndeliverable(2);
		const { items, hints } = await drain();
		expect(items).toHaveLength(2);
		expect(hints).toEqual([expect.stringMatching(PRODUCTION_NOTIFICATIONS)]);
	});

	it('says nothing of it elsewhere', async () => {
		sb.rapid.enqueueUndeliverable(1);
		expect((await drain()).hints).toEqual([]);
	});

	it('warns where the Test environment is chosen, and only there', () => {
		const notice = new ExpediaRapidApi().properties.find((p) => p.type === 'notice');
		expect(notice?.displayName).toMatch(PRODUCTION_NOTIFICATIONS);
		expect(notice?.displayOptions).toEqual({ show: { environment: ['test'] } });
	});

	it('warns on the Get Undeliverable operation', () => {
		const notices = new ExpediaRapid().description.properties.filter(
			(p) => p.type === 'notice' && p.displayOptions?.show?.operation?.includes('getUndeliverable'),
		);
		expect(notices.map((n) => n.displayName)).toContainEqual(
			expect.stringMatching(PRODUCTION_NOTIFICATIONS),
		);
	});
});
