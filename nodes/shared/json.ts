/** JSON from outside: parsed only when it is nested no deeper than any real payload. */

/**
 * Deeper than any booking or incident payload. n8n deep-copies items recursively, so a body
 * nested thousands of levels deep would overflow its stack after we accepted it.
 */
export const MAX_JSON_DEPTH = 64;

export type JsonParseResult =
	| { ok: true; value: unknown }
	| { ok: false; reason: 'invalid' | 'tooDeep' };

/** Whether brackets outside strings nest deeper than `maxDepth` (one pass, no recursion). */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
	let depth = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 0x5c)
				i++; // backslash: skip the escaped character
			else if (c === 0x22) inString = false;
		} else if (c === 0x22) inString = true;
		else if (c === 0x7b || c === 0x5b) {
			if (++depth > maxDepth) return true;
		} else if (c === 0x7d || c === 0x5d) depth--;
	}
	return false;
}

export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): JsonParseResult {
	if (nestsDeeperThan(text, maxDepth)) return { ok: false, reason: 'tooDeep' };
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return { ok: false, reason: 'invalid' };
	}
}
