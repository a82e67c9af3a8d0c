/**
 * A small seeded PRNG (mulberry32), so generated data is the same on every run for a given seed.
 * Not for anything secret.
 */

export interface Random {
	/** A float in [0, 1). */
	next(): number;
	/** An integer in [min, max]. */
	int(min: number, max: number): number;
	chance(probability: number): boolean;
	pick<T>(items: readonly T[]): T;
	/** `length` characters from `alphabet`. */
	chars(length: number, alphabet: string): string;
	digits(length: number): string;
}

export function createRandom(seed: number): Random {
	let state = seed >>> 0;
	const next = (): number => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
	const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
	const chars = (length: number, alphabet: string) =>
		Array.from({ length }, () => alphabet[int(0, alphabet.length - 1)]).join('');
	return {
		next,
		int,
		chance: (probability) => next() < probability,
		pick,
		chars,
		digits: (length) => chars(length, '0123456789'),
	};
}

/** A PRNG seeded from the clock, for samples that need variety rather than repeatability. */
export const unseededRandom = (): Random => createRandom(Math.floor(Math.random() * 2 ** 32));
