/**
 * Numeric settings read from node parameters. An expression can hand over anything ("abc", NaN,
 * Infinity, -5), and a check that compares against such a value silently becomes "no limit":
 * an invalid setting is an error that starts nothing instead.
 */
export interface NumberRule {
	/** The label users see, e.g. "Timestamp Tolerance (Seconds)". */
	label: string;
	min: number;
	max: number;
	/** Whole numbers only. */
	integer?: boolean;
}

export type NumberSetting = { ok: true; value: number } | { ok: false; problem: string };

export function readNumberSetting(raw: unknown, fallback: number, rule: NumberRule): NumberSetting {
	const given = raw === undefined || raw === null || raw === '' ? fallback : raw;
	const value = typeof given === 'number' ? given : Number(String(given).trim());
	const ok =
		typeof given !== 'boolean' &&
		Number.isFinite(value) &&
		value >= rule.min &&
		value <= rule.max &&
		(!rule.integer || Number.isInteger(value));
	if (ok) return { ok: true, value };
	const kind = rule.integer ? 'a whole number' : 'a number';
	return {
		ok: false,
		problem: `${rule.label} must be ${kind} from ${rule.min} to ${rule.max} (it is ${JSON.stringify(given) ?? String(given)})`,
	};
}
