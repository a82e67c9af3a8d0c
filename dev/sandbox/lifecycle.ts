/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development tooling: never shipped, runs under plain Node.js */
/**
 * Everything the sandbox schedules (retry waits, injected latency, push timeouts) goes through
 * here, so that close() can cancel it all and leave no timer keeping a test process alive.
 */

export class CancelledError extends Error {
	constructor() {
		super('The sandbox was closed');
	}
}

export class Lifecycle {
	private readonly cancellers = new Set<() => void>();
	private isClosed = false;

	get closed(): boolean {
		return this.isClosed;
	}

	/** Resolves after `ms`; rejects with CancelledError when the sandbox closes first. */
	async sleep(ms: number): Promise<void> {
		if (this.isClosed) throw new CancelledError();
		await new Promise<void>((resolve, reject) => {
			const cancel = () => {
				clearTimeout(timer);
				reject(new CancelledError());
			};
			const timer = setTimeout(() => {
				this.cancellers.delete(cancel);
				resolve();
			}, ms);
			this.cancellers.add(cancel);
		});
	}

	/** A signal that aborts after `timeoutMs` or on close; call `release` when done with it. */
	abortSignal(timeoutMs: number): { signal: AbortSignal; release: () => void } {
		const controller = new AbortController();
		const timer = setTimeout(
			() => controller.abort(new Error(`No answer within ${timeoutMs} ms`)),
			timeoutMs,
		);
		const cancel = () => {
			clearTimeout(timer);
			controller.abort(new CancelledError());
		};
		if (this.isClosed) cancel();
		else this.cancellers.add(cancel);
		const release = () => {
			clearTimeout(timer);
			this.cancellers.delete(cancel);
		};
		return { signal: controller.signal, release };
	}

	close(): void {
		this.isClosed = true;
		for (const cancel of this.cancellers) cancel();
		this.cancellers.clear();
	}
}
