/**
 * The Atlas Trigger's activation. Atlas has one webhook URL per account, no way to read it back
 * and none to remove it: activating can only (re)register this node's URL. It also keeps the copy
 * of the credential's client ID that calls check events against.
 */
import type { IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	type AtlasTriggerSettings,
	CLIENT_ID_KEY,
	isHeaderName,
	keepCopy,
	readSettings,
	TOKEN_QUERY_PARAMETER,
} from './AtlasTriggerHelpers';

/** Activations n8n performs by itself (start-up, leader change), as opposed to a user's. */
export const RESUMING: readonly string[] = ['init', 'leadershipChange'];

const isTestWebhook = (context: IHookFunctions) =>
	context.getMode() === 'manual' || context.getActivationMode() === 'manual';

/** Whether this activation should point Atlas at this node's URL. */
export function shouldRegister(context: IHookFunctions): boolean {
	if (!(context.getNodeParameter('registerOnActivation', true) as boolean)) return false;
	return !isTestWebhook(context) || (context.getNodeParameter('registerTestUrl', false) as boolean);
}

/** The URL Atlas should call: the node's URL, plus the shared token when it travels in the query. */
export async function callbackUrl(context: IHookFunctions): Promise<string> {
	const url = context.getNodeWebhookUrl('default') as string;
	const { token } = await readSettings(context);
	if (token?.location !== 'query') return url;
	const separator = url.includes('?') ? '&' : '?';
	return `${url}${separator}${TOKEN_QUERY_PARAMETER}=${encodeURIComponent(token.expected)}`;
}

/** The settings, once they are known to be usable. */
export async function assertValidSettings(context: IHookFunctions): Promise<AtlasTriggerSettings> {
	const settings = await readSettings(context);
	const { allowList, token } = settings;
	const invalid = allowList?.invalid ?? [];
	if (invalid.length > 0) {
		throw new NodeOperationError(
			context.getNode(),
			`IP Allow-List has entries that are not IP addresses or address ranges (like 203.0.113.0/24): ${invalid.join(', ')}`,
		);
	}
	if (token?.location === 'header' && !isHeaderName(token.headerName)) {
		throw new NodeOperationError(
			context.getNode(),
			token.headerName
				? `Header Name "${token.headerName}" is not a valid header name`
				: 'Header Name is empty',
			{
				description:
					'Enter the name of the header your gateway adds, such as X-Atlas-Token: letters, digits and hyphens, without spaces or a colon.',
			},
		);
	}
	if (token && !token.expected) {
		throw new NodeOperationError(
			context.getNode(),
			'Shared Token is on, but the Atlas API credential has no Webhook Token',
			{ description: 'Enter a long random value as Webhook Token in the credential.' },
		);
	}
	return settings;
}

/**
 * Keeps the credential's client ID as the copy production calls check (n8n saves static data after
 * activation), or removes the copy when the settings do not check against it.
 */
export function keepClientId(context: IHookFunctions, settings: AtlasTriggerSettings): void {
	if (isTestWebhook(context)) return;
	const expectedClientId = context.getNodeParameter('options.expectedClientId', '') as string;
	if (settings.clientId && !settings.token && expectedClientId.trim() === '') {
		keepCopy(context, settings.clientId.expected);
	} else {
		const staticData = context.getWorkflowStaticData('node');
		// Deleting marks the static data changed even when the key is absent: n8n would save it all.
		if (CLIENT_ID_KEY in staticData) delete staticData[CLIENT_ID_KEY];
	}
}
