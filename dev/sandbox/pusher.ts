/* eslint-disable @n8n/community-nodes/require-node-api-error -- development tooling: never shipped, runs under plain Node.js */
/**
 * Outgoing pushes (Atlas callbacks, Rapid notifications): one POST, and Rapid's retry loop on top.
 */
import { PUSH_TIMEOUT_MS } from './defaults';
import { CancelledError, type Lifecycle } from './lifecycle';
import type { PushResult } from './types';

/** Only a 2xx counts as delivered; redirects are not followed. */
export const isDelivered = (result: PushResult): boolean =>
	result.status >= 200 && result.status <= 299;

function describeFailure(error: unknown, signal: AbortSignal): string {
	if (signal.aborted) return String((signal.reason as Error)?.message ?? 'aborted');
	const cause = (error as { cause?: { code?: string; message?: string } }).cause;
	return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** One POST of `body`; never throws: a network failure is status 0 with `error`. */
export async function postJson(
	lifecycle: Lifecycle,
	url: string | undefined,
	body: string,
	headers: Record<string, string>,
): Promise<PushResult> {
	if (!url) return { status: 0, body: '', durationMs: 0, error: 'No URL to push to' };
	const started = performance.now();
	const { signal, release } = lifecycle.abortSignal(PUSH_TIMEOUT_MS);
	try {
		const response = await fetch(url, {
			method: 'POST',
			headers,
			body,
			signal,
			redirect: 'manual',
		});
		const text = await response.text();
		return { status: response.status, body: text, durationMs: performance.now() - started };
	} catch (error) {
		return {
			status: 0,
			body: '',
			durationMs: performance.now() - started,
			error: describeFailure(error, signal),
		};
	} finally {
		release();
	}
}

export interface RetryLoop {
	attempts: PushResult[];
	/** Settles once the first attempt has completed. */
	firstAttempt: Promise<void>;
	done: Promise<'delivered' | 'failed' | 'cancelled'>;
}

/**
 * Calls `attempt` until it delivers: first at once, then after each of `delaysMs` (times `scale`).
 * 'failed' means every attempt failed; 'cancelled' that the sandbox closed in between.
 */
export function retryLoop(
	lifecycle: Lifecycle,
	attempt: () => Promise<PushResult>,
	delaysMs: readonly number[],
	scale: number,
): RetryLoop {
	const attempts: PushResult[] = [];
	let firstDone: () => void = () => undefined;
	const firstAttempt = new Promise<void>((resolve) => (firstDone = resolve));

	const run = async (): Promise<'delivered' | 'failed' | 'cancelled'> => {
		try {
			for (let i = 0; i <= delaysMs.length; i++) {
				if (i > 0) await lifecycle.sleep(delaysMs[i - 1] * scale);
				const result = await attempt();
				attempts.push(result);
				firstDone();
				if (isDelivered(result)) return 'delivered';
				if (lifecycle.closed) return 'cancelled';
			}
			return 'failed';
		} catch (error) {
			if (error instanceof CancelledError) return 'cancelled';
			throw error;
		} finally {
			firstDone();
		}
	};
	return { attempts, firstAttempt, done: run() };
}
