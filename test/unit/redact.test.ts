import {
	REDACTED,
	redactCutText,
	redactText,
	redactValue,
	secretValues,
} from '../../nodes/shared/redact';
import { SECRET_ENCODINGS } from '../helpers/secretEncodings';

// Every character an encoder treats specially, and one outside ASCII.
const SECRET = `Sk/9+ab=c&d<e>"f'g h%i\\j#k;l:€x`;
const SECRETS = secretValues([SECRET]);
const ENCODINGS = Object.entries(SECRET_ENCODINGS);

describe('redactText: every common encoding of a secret', () => {
	it.each(ENCODINGS)('%s, alone and inside other text', (_name, encode) => {
		const encoded = encode(SECRET);
		expect(redactText(encoded, SECRETS)).not.toContain(encoded);
		const quoted = redactText(`{"detail":"bad key ${encoded}, try again"}`, SECRETS);
		expect(quoted).toMatch(/^\{"detail":"bad key .*\[redacted\].*, try again"\}$/);
		expect(quoted).not.toContain(encoded);
	});

	it('the exact encoded text, no more (plain encodings)', () => {
		for (const name of ['raw', 'URL (encodeURIComponent)', 'HTML, hex references']) {
			const encoded = SECRET_ENCODINGS[name](SECRET);
			expect(redactText(`a ${encoded} b`, SECRETS)).toBe(`a ${REDACTED} b`);
		}
	});

	it('base64 of the secret at any offset inside a longer base64 text, with padding left', () => {
		for (const before of ['', 'a', 'ab', 'abc:']) {
			const encoded = Buffer.from(`${before}${SECRET}tail`).toString('base64');
			const redacted = redactText(encoded, SECRETS);
			expect(redacted).toContain(REDACTED);
			// What is left around the mark is the base64 of the other bytes and at most a character
			// that carries a few bits of the secret's first or last byte together with them.
			const kept = redacted.split(REDACTED).join('');
			expect(kept.length).toBeLessThanOrEqual(Math.ceil(((before.length + 4) * 4) / 3) + 4);
		}
	});

	it('a "+" that a form decoder turned into a space', () => {
		expect(redactText(`token=${SECRET.replace(/\+/g, ' ')}`, SECRETS)).toBe(`token=${REDACTED}`);
	});

	it('leaves ordinary text and near misses alone', () => {
		const texts = [
			'{"status":900,"msg":"invalid client secret"}',
			'<html><body>502 Bad Gateway</body></html>',
			`prefix ${SECRET.slice(0, -1)}?`,
			Buffer.from(`${SECRET.slice(0, 5)}, and then something else`).toString('base64'),
		];
		for (const text of texts) expect(redactText(text, SECRETS)).toBe(text);
	});

	it('secrets that overlap go together, with nothing of either left', () => {
		const secrets = secretValues(['abcd1234', '1234wxyz']);
		expect(redactText('<abcd1234wxyz>', secrets)).toBe(`<${REDACTED}>`);
	});

	it('still redacts Rapid signatures and values too short to be secrets are ignored', () => {
		expect(redactText(`Signature=${'ab'.repeat(64)}`, [])).toBe(`Signature=${REDACTED}`);
		expect(secretValues(['abc', '', undefined, 'abcd', 'abcd'])).toEqual(['abcd']);
	});

	it('a secret pasted with spaces around it is looked for without them too', () => {
		expect(secretValues([' abcd1234\n'])).toEqual([' abcd1234\n', 'abcd1234']);
		expect(redactText('key abcd1234 refused', secretValues([' abcd1234\n']))).toBe(
			`key ${REDACTED} refused`,
		);
	});

	it('redactValue redacts a secret of digits that JSON wrote as a number, and no other number', () => {
		const secrets = secretValues(['8675309123456']);
		expect(redactValue({ a: 8675309123456, b: [8675309, 1] }, secrets)).toEqual({
			a: REDACTED,
			b: [8675309, 1],
		});
	});

	it('redactValue redacts encoded secrets in keys and values of parsed JSON', () => {
		const encoded = encodeURIComponent(SECRET);
		expect(redactValue({ [encoded]: [`x ${encoded}`, 1, null] }, SECRETS)).toEqual({
			[REDACTED]: [`x ${REDACTED}`, 1, null],
		});
	});
});

describe('redactCutText: a text cut off inside a secret', () => {
	const LEAD = 'note: ';

	it.each(ENCODINGS.filter(([name]) => !/base64/.test(name)))(
		'%s: from the 4th character of the secret on, whatever the cut, the start goes too',
		(_name, encode) => {
			const encoded = encode(SECRET);
			const shortest = encode(SECRET.slice(0, 4)).length;
			for (let cut = 1; cut < encoded.length; cut++) {
				const text = LEAD + encoded.slice(0, cut);
				const redacted = redactCutText(text, SECRETS);
				if (cut >= shortest) expect(redacted).toBe(LEAD + REDACTED);
				else expect(redacted).toBe(text);
			}
		},
	);

	it('base64 of the secret cut after 4 or more characters', () => {
		const encoded = Buffer.from(SECRET).toString('base64');
		for (let cut = 4; cut < encoded.length; cut++) {
			expect(redactCutText(LEAD + encoded.slice(0, cut), SECRETS)).toBe(LEAD + REDACTED);
		}
	});

	it('a whole secret earlier in the text goes as well; a prefix not at the end stays', () => {
		const text = `${SECRET} and ${SECRET.slice(0, 5)} then ${SECRET.slice(0, 6)}`;
		expect(redactCutText(text, SECRETS)).toBe(
			`${REDACTED} and ${SECRET.slice(0, 5)} then ${REDACTED}`,
		);
	});

	it('a cut inside a character outside ASCII', () => {
		const bytes = Buffer.from(SECRET);
		const cutInsideEuro = bytes.subarray(0, bytes.indexOf(Buffer.from('€')) + 1);
		expect(redactCutText(`${LEAD}${cutInsideEuro.toString('utf8')}`, SECRETS)).toBe(
			LEAD + REDACTED,
		);
	});
});
