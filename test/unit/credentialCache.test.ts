import { CREDENTIAL_CACHE_MS, getCachedCredentials } from '../../nodes/shared/credentialCache';
import { ExpediaRapidTrigger } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node';
import { createWebhookContext } from '../helpers/n8n';

const context = (workflowId: string, sharedSecret: string) => {
	const { context: ctx } = createWebhookContext({
		nodeType: new ExpediaRapidTrigger(),
		workflowId,
		credentials: { expediaRapidApi: { apiKey: 'k', sharedSecret } },
		request: {},
	});
	const read = jest.spyOn(ctx, 'getCredentials');
	return { ctx, read };
};

describe('credential cache for webhook triggers', () => {
	it('reuses a credential within the window and reads it again after', async () => {
		const first = context('wf-cache-1', 'old');
		expect((await getCachedCredentials(first.ctx, 'expediaRapidApi', 1_000)).sharedSecret).toBe(
			'old',
		);
		const second = context('wf-cache-1', 'new');
		expect(
			(await getCachedCredentials(second.ctx, 'expediaRapidApi', 1_000 + CREDENTIAL_CACHE_MS - 1))
				.sharedSecret,
		).toBe('old');
		expect(second.read).not.toHaveBeenCalled();
		expect(
			(await getCachedCredentials(second.ctx, 'expediaRapidApi', 1_000 + CREDENTIAL_CACHE_MS))
				.sharedSecret,
		).toBe('new');
		expect(second.read).toHaveBeenCalledTimes(1);
	});

	it('never shares a credential between workflows', async () => {
		await getCachedCredentials(context('wf-cache-2', 'a').ctx, 'expediaRapidApi', 5_000);
		const other = context('wf-cache-3', 'b');
		expect((await getCachedCredentials(other.ctx, 'expediaRapidApi', 5_000)).sharedSecret).toBe(
			'b',
		);
	});
});
