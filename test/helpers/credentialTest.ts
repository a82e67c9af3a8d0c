/**
 * Runs a credential type's `test` the way n8n's CredentialsTester does: the test request becomes the
 * routing of a temporary declarative node, n8n-core's RoutingNode sends it (resolving expressions
 * against the credential and applying its `authenticate`), then the rules are checked in order.
 */
import { RoutingNode } from 'n8n-core';
import type { ICredentialDataDecryptedObject, INodeType } from 'n8n-workflow';

import { createExecuteContext, credentialTypes } from './n8n';

const valueAt = (value: unknown, path: string): unknown =>
	path
		.split('.')
		.reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);

export interface CredentialTestOutcome {
	status: 'OK' | 'Error';
	message: string;
}

export async function runCredentialTest(
	typeName: string,
	data: ICredentialDataDecryptedObject,
): Promise<CredentialTestOutcome> {
	const test = credentialTypes[typeName]?.test;
	if (!test) throw new Error(`${typeName} has no test`);
	const nodeType: INodeType = {
		description: {
			displayName: 'Temp',
			name: 'temp',
			group: ['transform'],
			version: 1,
			description: 'credential test',
			defaults: { name: 'Temp-Node' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: typeName, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: test.request },
					default: '',
				},
			],
		},
	};
	const context = createExecuteContext({ nodeType, credentials: { [typeName]: data } });
	const routingNode = new RoutingNode(context, nodeType, {
		id: 'cred',
		name: 'cred',
		type: typeName,
		data,
	});

	let response;
	try {
		response = await routingNode.runNode();
	} catch (error) {
		const status = (error as { cause?: { response?: { status?: number } } }).cause?.response
			?.status;
		return {
			status: 'Error',
			message: status ? `Received HTTP status code: ${status}` : (error as Error).message,
		};
	}
	const body = response?.[0]?.[0]?.json;
	for (const rule of test.rules ?? []) {
		if (
			rule.type === 'responseSuccessBody' &&
			valueAt(body, rule.properties.key) === rule.properties.value
		) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
