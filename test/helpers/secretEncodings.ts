/**
 * The ways a server may echo a secret it was sent: as a JSON, URL, HTML or base64 encoder of some
 * common library would write it. Each takes the secret and returns the text that reaches us.
 */
const hex = (code: number) => code.toString(16);
const nonAlnum = (encode: (char: string) => string) => (secret: string) =>
	[...secret].map((char) => (/[A-Za-z0-9]/.test(char) ? char : encode(char))).join('');
const code = (char: string) => char.codePointAt(0) as number;
const jsonInner = (text: string) => JSON.stringify(text).slice(1, -1);

export const SECRET_ENCODINGS: Record<string, (secret: string) => string> = {
	raw: (s) => s,
	'JSON (JSON.stringify)': jsonInner,
	'JSON with escaped slashes (PHP json_encode)': (s) => jsonInner(s).replace(/\//g, '\\/'),
	'JSON with \\u escapes (upper-case hex)': nonAlnum(
		(c) => `\\u${hex(code(c)).padStart(4, '0').toUpperCase()}`,
	),
	'JSON inside a JSON string': (s) => jsonInner(jsonInner(s).replace(/\//g, '\\/')),
	'JSON with escaped slashes, then URL-encoded (a JSON text in a URL)': (s) =>
		encodeURIComponent(jsonInner(s).replace(/\//g, '\\/')),
	'URL (encodeURIComponent)': encodeURIComponent,
	'URL with lower-case hex': (s) =>
		encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
	'URL, every special character encoded': nonAlnum((c) =>
		code(c) > 0x7f ? encodeURIComponent(c) : `%${hex(code(c)).padStart(2, '0').toUpperCase()}`,
	),
	'form encoding (URLSearchParams)': (s) => new URLSearchParams({ k: s }).toString().slice(2),
	'URL encoded twice': (s) => encodeURIComponent(encodeURIComponent(s)),
	'HTML, hex references': nonAlnum((c) => `&#x${hex(code(c)).toUpperCase()};`),
	'HTML, decimal references': nonAlnum((c) => `&#${code(c)};`),
	'HTML, named references (OWASP style)': (s) =>
		s
			.replace(/&/g, '&amp;')
			.replace(/</g, '&lt;')
			.replace(/>/g, '&gt;')
			.replace(/"/g, '&quot;')
			.replace(/'/g, '&#39;')
			.replace(/\//g, '&#x2F;'),
	'HTML escaped twice': (s) => s.replace(/&/g, '&amp;amp;').replace(/\//g, '&amp;#47;'),
	base64: (s) => Buffer.from(s, 'utf8').toString('base64'),
	base64url: (s) => Buffer.from(s, 'utf8').toString('base64url'),
	'base64, URL-encoded': (s) => encodeURIComponent(Buffer.from(s, 'utf8').toString('base64')),
	'base64 of id:secret (HTTP Basic)': (s) =>
		Buffer.from(`client-id:${s}`, 'utf8').toString('base64'),
	'base64 of x:secret': (s) => Buffer.from(`x:${s}`, 'utf8').toString('base64'),
};

/** Every string inside a value (keys, errors' own fields and causes too). */
export function allStrings(value: unknown, seen = new Set<unknown>()): string[] {
	if (typeof value === 'string') return [value];
	if (value === null || typeof value !== 'object' || seen.has(value)) return [];
	seen.add(value);
	const strings: string[] = [];
	if (value instanceof Error) {
		strings.push(value.message, String(value.stack));
		strings.push(...allStrings((value as Error & { description?: unknown }).description, seen));
		strings.push(...allStrings(value.cause, seen));
	}
	for (const [key, child] of Object.entries(value)) {
		strings.push(key, ...allStrings(child, seen));
	}
	return strings;
}

/** The encodings of `secret` (and their JSON-escaped forms) found in any of `strings`. */
export function leakedEncodings(strings: string[], secret: string): string[] {
	const text = strings.join('\n');
	return Object.entries(SECRET_ENCODINGS)
		.filter(([, encode]) => {
			const encoded = encode(secret);
			return text.includes(encoded) || text.includes(jsonInner(encoded));
		})
		.map(([name]) => name);
}
