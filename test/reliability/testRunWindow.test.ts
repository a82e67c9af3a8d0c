/**
 * Issue 21, item 10: test-URL calls (n8n's webhook mode 'manual') and production calls of the same
 * workflow node must not share a duplicate window. Both triggers run through real n8n-core
 * WebhookContexts of one workflow (same id, same static data), once per mode.
 */
import type {
	IDataObject,
	INodeType,
	IWebhookResponseData,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { ExpediaRapidTrigger } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node';
import { buildAuthorizationHeader } from '../../nodes/ExpediaRapid/signature';
import { createWebhookContext } from '../helpers/n8n';
import { CID, SAMPLE_EVENTS } from '../atlas/fixtures';

interface Trigger {
	name: string;
	nodeType: INodeType & { webhook: NonNullable<INodeType['webhook']> };
	credentials: Record<string, IDataObject>;
	headers: () => Record<string, string>;
	event: (id: string) => IDataObject;
}

const triggers: Trigger[] = [
	{
		name: 'Expedia Rapid Trigger',
		nodeType: new ExpediaRapidTrigger() as Trigger['nodeType'],
		credentials: { expediaRapidApi: { environment: 'test', apiKey: 'k', sharedSecret: 's' } },
		headers: () => ({
			'content-type': 'application/json',
			authorization: buildAuthorizationHeader('k', 's'),
		}),
		event: (id) => ({ event_id: id, event_type: 'itinerary.agent.create', itinerary_id: '1' }),
	},
	{
		name: 'Atlas Trigger',
		nodeType: new AtlasTrigger() as Trigger['nodeType'],
		credentials: {
			atlasApi: { environment: 'custom', baseUrl: 'http://127.0.0.1:9', clientId: CID },
		},
		headers: () => ({ 'content-type': 'application/json' }),
		event: (id) => ({ ...SAMPLE_EVENTS['order.schedulechange'], notificationId: id }),
	},
];

let workflows = 0;

describe.each(triggers)('$name: test URL and production URL', (trigger) => {
	// One workflow: the same id and static data for every call, as n8n gives them.
	let workflowId: string;
	let staticData: IDataObject;
	beforeEach(() => {
		workflowId = `test-run-window-${++workflows}`;
		staticData = {};
	});

	async function post(id: string, mode: WorkflowExecuteMode): Promise<IWebhookResponseData> {
		const { context } = createWebhookContext({
			nodeType: trigger.nodeType,
			credentials: trigger.credentials as never,
			workflowId,
			staticData,
			mode,
			request: {
				headers: trigger.headers(),
				rawBody: Buffer.from(JSON.stringify(trigger.event(id))),
			},
		});
		return await trigger.nodeType.webhook.call(context);
	}
	const emitted = (result: IWebhookResponseData) => result.workflowData?.[0]?.length === 1;

	it('an id first posted to the test URL still starts production, and is then caught there', async () => {
		expect(emitted(await post('evt-A', 'manual'))).toBe(true);
		expect(JSON.stringify(staticData)).toBe('{}');
		expect(emitted(await post('evt-A', 'webhook'))).toBe(true);
		expect(emitted(await post('evt-A', 'webhook'))).toBe(false);
	});

	it('a production payload re-posted to the test URL runs the test every time', async () => {
		expect(emitted(await post('evt-B', 'webhook'))).toBe(true);
		const window = JSON.stringify(staticData);
		expect(emitted(await post('evt-B', 'manual'))).toBe(true);
		expect(emitted(await post('evt-B', 'manual'))).toBe(true);
		expect(JSON.stringify(staticData)).toBe(window);
		expect(emitted(await post('evt-B', 'webhook'))).toBe(false);
	});
});
