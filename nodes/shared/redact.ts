/**
 * Removes credential values from anything a provider sends back before it reaches an error or an
 * output item: servers echo keys in bodies of any shape (a field, a message, a plain-text page, a
 * copy of the request headers), so we replace the literal values wherever they stand.
 */
export const REDACTED = '[redacted]';

/** Shorter values would match ordinary text; they are no secret worth the name either. */
const MIN_SECRET_LENGTH = 4;

/** A SHA-512 hex digest: the signature of an Authorization header, valid for minutes. */
const SIGNATURE_DIGEST = /\b[0-9a-fA-F]{128}\b/g;

/** The secret values worth redacting, longest first (so that one inside another goes whole). */
export function secretValues(values: readonly unknown[]): string[] {
	return [
		...new Set(
			values.filter((v): v is string => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH),
		),
	].sort((a, b) => b.length - a.length);
}

export function redactText(text: string, secrets: readonly string[]): string {
	let result = text;
	for (const secret of secrets) {
		if (result.includes(secret)) result = result.split(secret).join(REDACTED);
	}
	return result.replace(SIGNATURE_DIGEST, REDACTED);
}

/** A deep copy of a parsed JSON value with every string (keys too) redacted. */
export function redactValue<T>(value: T, secrets: readonly string[]): T {
	if (typeof value === 'string') return redactText(value, secrets) as T;
	if (Array.isArray(value)) return value.map((v: unknown) => redactValue(v, secrets)) as T;
	if (value !== null && typeof value === 'object') {
		const copy: Record<string, unknown> = {};
		for (const [key, v] of Object.entries(value)) {
			// defineProperty: a key such as "__proto__" stays a plain key, as JSON.parse made it.
			Object.defineProperty(copy, redactText(key, secrets), {
				value: redactValue(v, secrets),
				enumerable: true,
				writable: true,
				configurable: true,
			});
		}
		return copy as T;
	}
	return value;
}
