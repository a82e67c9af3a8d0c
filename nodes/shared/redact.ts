/**
 * Removes credential values from anything a provider sends back before it reaches an error or an
 * output item: servers echo keys in bodies of any shape (a field, a message, a plain-text page, a
 * copy of the request headers) and in any encoding a library on their side chose (JSON, URL, HTML,
 * base64), so each secret is matched in all of them, and at the end of a text cut off inside it.
 */
export const REDACTED = '[redacted]';

/** Shorter values would match ordinary text; they are no secret worth the name either. */
const MIN_SECRET_LENGTH = 4;

/** A SHA-512 hex digest: the signature of an Authorization header, valid for minutes. */
const SIGNATURE_DIGEST = /\b[0-9a-fA-F]{128}\b/g;

/**
 * The secret values worth redacting, longest first (so that one inside another goes whole). Each
 * also without the spaces pasted around it: HTTP drops them from a header, so that is what a
 * server receives and echoes.
 */
export function secretValues(values: readonly unknown[]): string[] {
	const texts = values.flatMap((v) => (typeof v === 'string' ? [v, v.trim()] : []));
	return [...new Set(texts.filter((v) => v.length >= MIN_SECRET_LENGTH))].sort(
		(a, b) => b.length - a.length,
	);
}

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
const hexPattern = (value: number, width = 1) =>
	value
		.toString(16)
		.padStart(width, '0')
		.replace(/[a-f]/g, (d) => `[${d}${d.toUpperCase()}]`);

const JSON_SHORT_ESCAPES: Record<string, string> = {
	'"': '"',
	'\\': '\\',
	'/': '/',
	'\b': 'b',
	'\f': 'f',
	'\n': 'n',
	'\r': 'r',
	'\t': 't',
};

/** HTML's names for the ASCII characters a secret may hold. */
const HTML_NAMES: Record<string, string> = {
	'&': 'amp',
	'<': 'lt',
	'>': 'gt',
	'"': 'quot',
	"'": 'apos',
	'/': 'sol',
	'\\': 'bsol',
	'+': 'plus',
	'=': 'equals',
	'%': 'percnt',
	'#': 'num',
	'!': 'excl',
	'?': 'quest',
	':': 'colon',
	';': 'semi',
	',': 'comma',
	'.': 'period',
	_: 'lowbar',
	'*': 'ast',
	'@': 'commat',
	$: 'dollar',
	'~': 'tilde',
	'^': 'Hat',
	'`': 'grave',
	'|': 'verbar',
	'(': 'lpar',
	')': 'rpar',
	'[': 'lsqb',
	']': 'rsqb',
	'{': 'lcub',
	'}': 'rcub',
};

// Escapes nested up to three times (a JSON string inside a JSON string, %252F, &amp;#47;); a JSON
// backslash may itself be URL-encoded (%5C%2F: a JSON text put into a URL).
const URL_ESCAPE = '%(?:25){0,2}';
const JSON_ESCAPE = `(?:\\\\|${URL_ESCAPE}5[cC]){1,7}`;
const HTML_ESCAPE = '&(?:amp;){0,2}';

/** What a cut may leave of the next character: the start of an escape, or of a UTF-8 sequence. */
const PARTIAL_ESCAPE = `(?:${JSON_ESCAPE}(?:u[0-9a-fA-F]{0,3})?|(?:${URL_ESCAPE}[0-9a-fA-F]{0,2}){1,4}|${HTML_ESCAPE}(?:#[xX]?[0-9a-fA-F]{0,6}|[A-Za-z]{0,8})|\uFFFD)?`;

/** Upper bound of one character's longest form above, to search a cut only near the end. */
const LONGEST_FORM = 32;

const isAlphanumeric = (char: string) => /^[A-Za-z0-9]$/.test(char);

/** A character percent-encoded (as UTF-8). */
const urlPattern = (char: string) =>
	[...new TextEncoder().encode(char)].map((byte) => URL_ESCAPE + hexPattern(byte, 2)).join('');

/** Every common way to write one character: raw, JSON, URL or form encoding, HTML. */
function characterPattern(char: string): string {
	// No common encoder changes letters or digits.
	if (isAlphanumeric(char)) return char;
	const forms = [escapeRegExp(char)];
	if (char === ' ') forms.push('\\+');
	// A "+" sent unencoded in a query or form arrives as a space.
	if (char === '+') forms.push(' ');
	if (char in JSON_SHORT_ESCAPES) {
		const short = JSON_SHORT_ESCAPES[char];
		const written = isAlphanumeric(short)
			? short
			: `(?:${escapeRegExp(short)}|${urlPattern(short)})`;
		forms.push(JSON_ESCAPE + written);
	}
	const units = Array.from({ length: char.length }, (_, i) => char.charCodeAt(i));
	forms.push(units.map((unit) => `${JSON_ESCAPE}u${hexPattern(unit, 4)}`).join(''));
	forms.push(urlPattern(char));
	const code = char.codePointAt(0) as number;
	const references = [`#0{0,4}${code}`, `#[xX]0{0,4}${hexPattern(code)}`];
	if (char in HTML_NAMES) references.push(HTML_NAMES[char]);
	forms.push(`${HTML_ESCAPE}(?:${references.join('|')});?`);
	return `(?:${forms.join('|')})`;
}

/** One position of a text to find: the characters that may stand there. */
type Position = readonly string[];

const positionPattern = (position: Position) =>
	position.length === 1
		? characterPattern(position[0])
		: `(?:${position.map(characterPattern).join('|')})`;

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64URL_TWIN: Record<string, string> = { '+': '-', '/': '_' };

/**
 * The base64 (or base64url) of the secret wherever it starts in a longer encoded text (after
 * "id:" in HTTP Basic, say): for each of the three byte offsets, the characters it determines.
 * A character shared with the bytes around carries only part of the secret: any character with
 * those bits may stand there.
 */
function base64Positions(secret: string): Position[][] {
	const bytes = new TextEncoder().encode(secret);
	const bits = bytes.length * 8;
	const bitAt = (bit: number) => (bytes[bit >> 3] >> (7 - (bit & 7))) & 1;
	return [0, 1, 2].map((offset) => {
		const positions: Position[] = [];
		for (let start = Math.floor((offset * 8) / 6) * 6; start < offset * 8 + bits; start += 6) {
			let mask = 0;
			let value = 0;
			for (let k = 0; k < 6; k++) {
				const bit = start + k - offset * 8;
				const known = bit >= 0 && bit < bits;
				mask = (mask << 1) | (known ? 1 : 0);
				value = (value << 1) | (known ? bitAt(bit) : 0);
			}
			const chars = [...BASE64].filter((_, index) => (index & mask) === value);
			positions.push(chars.flatMap((char) => [char, ...(BASE64URL_TWIN[char] ?? [])]));
		}
		return positions;
	});
}

/** The positions from the fourth on may be missing: the text ended there. */
function prefixPattern(positions: readonly Position[]): string {
	const patterns = positions.map(positionPattern);
	let rest = '';
	for (let i = patterns.length - 1; i >= MIN_SECRET_LENGTH; i--) {
		rest = `(?:${patterns[i]}${rest})?`;
	}
	return patterns.slice(0, MIN_SECRET_LENGTH).join('') + rest;
}

interface SecretMatcher {
	/** Any form of the whole secret. */
	whole: RegExp;
	/** A form of at least its first characters, at the very end of a text. */
	atEnd: RegExp;
	/** How far from the end `atEnd` can start. */
	reach: number;
}

/** One set of secrets, compiled: pass it instead of the list to redact many texts with it. */
export interface Redactor {
	matchers: SecretMatcher[];
	/** Whether a text holds anything to redact at all: most strings of an answer do not. */
	any: RegExp;
	/** The secrets that are numbers: a JSON echo may write them as numbers, not text. */
	numbers: Set<number>;
}

function compile(secret: string): SecretMatcher {
	const texts = [[...secret].map((char) => [char]), ...base64Positions(secret)];
	return {
		whole: new RegExp(texts.map((t) => t.map(positionPattern).join('')).join('|'), 'g'),
		atEnd: new RegExp(`(?:${texts.map(prefixPattern).join('|')})${PARTIAL_ESCAPE}$`, 'g'),
		reach: Math.max(...texts.map((t) => t.length)) * LONGEST_FORM + LONGEST_FORM,
	};
}

/**
 * The matchers of one set of secrets, compiled for one text or one parsed body (all its strings).
 * Nothing is kept between calls: the secrets of one workflow never stay in memory for the next.
 */
export function redactorFor(secrets: readonly string[]): Redactor {
	const matchers = secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).map(compile);
	const sources = [...matchers.map((m) => m.whole.source), SIGNATURE_DIGEST.source];
	const numbers = new Set(secrets.filter((s) => /^-?\d+(\.\d+)?$/.test(s)).map(Number));
	return { matchers, any: new RegExp(sources.join('|')), numbers };
}

/** Replaces each stretch covered by any match with one mark, overlapping matches merged. */
function redactWith(text: string, { matchers, any }: Redactor, cut: boolean): string {
	if (!cut && !any.test(text)) return text;
	const spans: Array<[number, number]> = [];
	const collect = (pattern: RegExp, from = 0) => {
		pattern.lastIndex = from;
		for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
			spans.push([match.index, match.index + match[0].length]);
		}
	};
	for (const matcher of matchers) {
		collect(matcher.whole);
		if (cut) collect(matcher.atEnd, Math.max(0, text.length - matcher.reach));
	}
	collect(SIGNATURE_DIGEST);
	if (spans.length === 0) return text;
	spans.sort((a, b) => a[0] - b[0]);
	let result = '';
	let at = 0;
	for (const [start, end] of spans) {
		if (start >= at) result += text.slice(at, start) + REDACTED;
		at = Math.max(at, end);
	}
	return result + text.slice(at);
}

export type Secrets = readonly string[] | Redactor;

const compiled = (secrets: Secrets): Redactor =>
	'matchers' in secrets ? secrets : redactorFor(secrets);

export function redactText(text: string, secrets: Secrets): string {
	return redactWith(text, compiled(secrets), false);
}

/** For a text that may have been cut off: also the start of a secret where the text ends. */
export function redactCutText(text: string, secrets: Secrets): string {
	return redactWith(text, compiled(secrets), true);
}

/** A deep copy of a parsed JSON value with every string (keys too) and secret number redacted. */
export function redactValue<T>(value: T, secrets: Secrets): T {
	return copyRedacted(value, compiled(secrets));
}

function copyRedacted<T>(value: T, redactor: Redactor): T {
	if (typeof value === 'string') return redactWith(value, redactor, false) as T;
	if (typeof value === 'number') return (redactor.numbers.has(value) ? REDACTED : value) as T;
	if (Array.isArray(value)) return value.map((v: unknown) => copyRedacted(v, redactor)) as T;
	if (value !== null && typeof value === 'object') {
		const copy: Record<string, unknown> = {};
		for (const [key, v] of Object.entries(value)) {
			// defineProperty: a key such as "__proto__" stays a plain key, as JSON.parse made it.
			Object.defineProperty(copy, redactWith(key, redactor, false), {
				value: copyRedacted(v, redactor),
				enumerable: true,
				writable: true,
				configurable: true,
			});
		}
		return copy as T;
	}
	return value;
}
