/**
 * JSON from outside: parsed only when it is nested no deeper than any real payload, and checked
 * against its documented shape without losing what does not match.
 */
import type { IDataObject } from 'n8n-workflow';
import type { ZodError, ZodTypeAny } from 'zod';

/**
 * Deeper than any booking or incident payload. n8n deep-copies items recursively, so a body
 * nested thousands of levels deep would overflow its stack after we accepted it.
 */
export const MAX_JSON_DEPTH = 64;

export type JsonParseResult =
	| { ok: true; value: unknown }
	| { ok: false; reason: 'invalid' | 'tooDeep' };

/** Whether a parsed value nests objects or arrays deeper than `maxDepth` (no recursion). */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
	const stack: Array<[unknown, number]> = [[value, 1]];
	while (stack.length > 0) {
		const [current, depth] = stack.pop() as [unknown, number];
		if (current === null || typeof current !== 'object') continue;
		if (depth > maxDepth) return true;
		for (const child of Array.isArray(current) ? current : Object.values(current)) {
			if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
		}
	}
	return false;
}

/**
 * Parses first (V8's parser copes with any depth), then measures the depth of what it built. A
 * leading UTF-8 byte order mark is no part of the JSON: n8n's own request helper drops it too.
 */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): JsonParseResult {
	let value: unknown;
	try {
		value = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
	} catch {
		return { ok: false, reason: 'invalid' };
	}
	return nestsDeeperThan(value, maxDepth) ? { ok: false, reason: 'tooDeep' } : { ok: true, value };
}

/** Where a payload departs from the documented shape, as `path: problem` lines. */
export function describeShapeIssues(error: ZodError): string[] {
	return error.issues
		.slice(0, 20)
		.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}

/**
 * The fields every emitted item carries besides the provider's own: when we received it and, for a
 * payload that does not match its documented `schema`, a flag and what differs (the event is still
 * emitted: a changed schema must not lose events).
 */
export function checkedReceipt(
	schema: ZodTypeAny,
	payload: unknown,
	receivedAt: Date,
): IDataObject {
	const check = schema.safeParse(payload);
	if (check.success) return { receivedAt: receivedAt.toISOString() };
	const shapeIssues = describeShapeIssues(check.error);
	return { receivedAt: receivedAt.toISOString(), unexpectedShape: true, shapeIssues };
}
