/**
 * Runs a credential type's `test` the way n8n's CredentialsTester does (n8n 2.40.7,
 * `CredentialsTester.runRequestTest`): the test request becomes the routing of a temporary
 * declarative node, n8n-core's RoutingNode sends it (resolving expressions against the credential
 * and applying its `authenticate`), then:
 * - when the request throws with a response, the first `responseCode` rule matching the status
 *   gives the message, else a non-2xx status fails with the status text (or "Received HTTP status
 *   code: N"); without a response, the error's code (ECONNREFUSED…) or message;
 * - when it does not throw, the first `responseSuccessBody` rule whose value equals
 *   `lodash.get(firstItem.json, key)` gives the message, else "Connection successful!".
 * `n8nMajor: 1` runs it as n8n 1.123 does (see credentials/testRules.ts): any
 * `ignoreHttpStatusErrors` lets every status through, and a thrown error's cause is lost, so the
 * tester shows the error's own message.
 */
import { RoutingNode } from 'n8n-core';
import type {
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialDataDecryptedObject,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

import { createExecuteContext, credentialTypes } from './n8n';

/** `lodash.get` for the dotted keys our rules use (a string or null body has no fields). */
const valueAt = (value: unknown, path: string): unknown =>
	path
		.split('.')
		.reduce<unknown>(
			(v, key) => (v === null || v === undefined ? undefined : (v as Record<string, unknown>)[key]),
			value,
		);

export interface CredentialTestOutcome {
	status: 'OK' | 'Error';
	message: string;
}

/**
 * `hostAt` sends the test to that origin instead of the environment's public host (the test request
 * is otherwise unchanged), so the Production and Test environments can be run against the sandbox.
 */
export async function runCredentialTest(
	typeName: string,
	data: ICredentialDataDecryptedObject,
	options: { hostAt?: string; n8nMajor?: 1 | 2 } = {},
): Promise<CredentialTestOutcome> {
	const declared = credentialTypes[typeName]?.test;
	if (!declared) throw new Error(`${typeName} has no test`);
	const onV1 = options.n8nMajor === 1;
	const test = {
		...declared,
		request: {
			...declared.request,
			...(options.hostAt ? { baseURL: options.hostAt } : {}),
			...(onV1 && declared.request.ignoreHttpStatusErrors ? { ignoreHttpStatusErrors: true } : {}),
		},
	};
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

	const rules: Array<IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody> =
		test.rules ?? [];
	let response;
	try {
		response = await routingNode.runNode();
	} catch (error) {
		const cause = (
			error as {
				cause?: { code?: string; response?: { status: number; statusText?: string } };
			}
		).cause;
		if (onV1) return { status: 'Error', message: (error as Error).message };
		if (cause?.response) {
			const { status: statusCode, statusText } = cause.response;
			for (const rule of rules) {
				if (rule.type === 'responseCode' && rule.properties.value === statusCode) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (statusCode < 199 || statusCode > 299) {
				return {
					status: 'Error',
					message: statusText || `Received HTTP status code: ${statusCode}`,
				};
			}
		} else if (cause?.code) {
			return { status: 'Error', message: cause.code };
		}
		return { status: 'Error', message: (error as Error).message };
	}
	for (const rule of rules) {
		if (rule.type === 'responseSuccessBody') {
			// n8n reads `response[0][0].json` without a guard: no item is a crash there too.
			const body = (response as INodeExecutionData[][])[0][0].json;
			if (valueAt(body, rule.properties.key) === rule.properties.value) {
				return { status: 'Error', message: rule.properties.message };
			}
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
