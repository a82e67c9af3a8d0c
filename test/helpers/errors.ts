import { NodeApiError } from 'n8n-workflow';

/** Awaits `promise`, expects it to reject with a NodeApiError, and returns that error. */
export async function expectApiError(promise: Promise<unknown>): Promise<NodeApiError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(NodeApiError);
	return error as NodeApiError;
}
