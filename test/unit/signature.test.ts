import {
	buildAuthorizationHeader,
	computeSignature,
	DEFAULT_TOLERANCE_SECONDS,
	parseAuthorizationHeader,
	verifyAuthorizationHeader,
} from '../../nodes/ExpediaRapid/signature';
import { constantTimeEqual } from '../../nodes/shared/constantTime';

const KEY = 'sandbox-api-key';
const SECRET = 'sandbox-shared-secret';
const TS = 1700000000;
// printf '%s' 'sandbox-api-keysandbox-shared-secret1700000000' | sha512sum
const SIG =
	'0ad1c9b9162aca980a91f74d0006df30a62f455cea07430937c678e9170cafbb0934fc2e53ddf3060157201df51453a172a4e8e12ce6b2755751ebb305978746';
const GOOD = `EAN APIKey=${KEY},Signature=${SIG},timestamp=${TS}`;

const verify = (
	header: unknown,
	now = TS,
	extra: Partial<{ apiKey: string; sharedSecret: string; toleranceSeconds: number }> = {},
) => verifyAuthorizationHeader(header, { apiKey: KEY, sharedSecret: SECRET, now, ...extra });

describe('computeSignature (vectors from sha512sum)', () => {
	it.each([
		// printf '%s' 'keysecret1234567890' | sha512sum
		[
			'key',
			'secret',
			1234567890,
			'1357f7b4ab3015bb196dae94268ce5262730b3a6433e34a72ce55ebb5aeff43bafff08495135fe6f2a8d502d67bcd6eed344b2d88f119b0178953ef9731ce58c',
		],
		// printf '%s' 'sandbox-api-keysandbox-shared-secret1700000000' | sha512sum
		[KEY, SECRET, TS, SIG],
		// printf '%s' 'clé秘密1700000000' | sha512sum  (UTF-8 bytes)
		[
			'clé',
			'秘密',
			TS,
			'd00a217346de00c1ea571eeb5a08dd386fe07e1e8289501e0df2dcb3cd01919631a037fd77fe5730f94f3028f7f0a7e428c1e7b170d5958c516c1410038564d7',
		],
	])('sha512(%s + %s + %d)', (key, secret, ts, expected) => {
		expect(computeSignature(key, secret, ts)).toBe(expected);
	});

	it('builds the header Rapid expects', () => {
		expect(buildAuthorizationHeader(KEY, SECRET, TS)).toBe(GOOD);
	});

	it('signs with the current time by default', () => {
		const before = Math.floor(Date.now() / 1000);
		const parsed = parseAuthorizationHeader(buildAuthorizationHeader(KEY, SECRET));
		expect(parsed.ok && parsed.parts.timestamp).toBeGreaterThanOrEqual(before);
	});
});

describe('verifyAuthorizationHeader', () => {
	it('accepts a genuine header', () => {
		const result = verify(GOOD);
		expect(result).toMatchObject({
			ok: true,
			parts: { apiKey: KEY, timestamp: TS },
			skewSeconds: 0,
		});
	});

	it.each([
		['missing header', undefined, 'missing_header'],
		['empty header', '', 'missing_header'],
		['blank header', '   ', 'missing_header'],
		['wrong scheme', GOOD.replace('EAN', 'Bearer'), 'malformed_header'],
		['no scheme', `APIKey=${KEY},Signature=${SIG},timestamp=${TS}`, 'malformed_header'],
		['scheme only', 'EAN', 'malformed_header'],
		['missing APIKey', `EAN Signature=${SIG},timestamp=${TS}`, 'malformed_header'],
		['missing Signature', `EAN APIKey=${KEY},timestamp=${TS}`, 'malformed_header'],
		['missing timestamp', `EAN APIKey=${KEY},Signature=${SIG}`, 'malformed_header'],
		['empty APIKey', `EAN APIKey=,Signature=${SIG},timestamp=${TS}`, 'malformed_header'],
		[
			'duplicated APIKey',
			`EAN APIKey=${KEY},APIKey=${KEY},Signature=${SIG},timestamp=${TS}`,
			'malformed_header',
		],
		['duplicated Signature', `${GOOD},Signature=${SIG}`, 'malformed_header'],
		['duplicated timestamp', `${GOOD},timestamp=${TS}`, 'malformed_header'],
		['part without =', `EAN APIKey=${KEY},Signature,timestamp=${TS}`, 'malformed_header'],
		['trailing comma', `${GOOD},`, 'malformed_header'],
		['wrong key', GOOD.replace(KEY, 'other-key'), 'wrong_api_key'],
		['key differs in case', GOOD.replace(KEY, KEY.toUpperCase()), 'wrong_api_key'],
		[
			'wrong signature',
			GOOD.replace(SIG, computeSignature(KEY, 'other-secret', TS)),
			'bad_signature',
		],
		[
			'signature of another timestamp',
			GOOD.replace(SIG, computeSignature(KEY, SECRET, TS + 1)),
			'bad_signature',
		],
		['truncated signature', GOOD.replace(SIG, SIG.slice(0, 127)), 'malformed_header'],
		['half signature', GOOD.replace(SIG, SIG.slice(0, 64)), 'malformed_header'],
		['over-long signature', GOOD.replace(SIG, `${SIG}0`), 'malformed_header'],
		['non-hex signature', GOOD.replace(SIG, `${SIG.slice(0, 127)}g`), 'malformed_header'],
		[
			'non-numeric timestamp',
			GOOD.replace(`timestamp=${TS}`, 'timestamp=17e8'),
			'malformed_header',
		],
		['negative timestamp', GOOD.replace(`timestamp=${TS}`, `timestamp=-${TS}`), 'malformed_header'],
		[
			'fractional timestamp',
			GOOD.replace(`timestamp=${TS}`, `timestamp=${TS}.5`),
			'malformed_header',
		],
		[
			'millisecond timestamp',
			GOOD.replace(`timestamp=${TS}`, `timestamp=${TS}000`),
			'malformed_header',
		],
		['huge header', `${GOOD},x=${'a'.repeat(2000)}`, 'malformed_header'],
		['two headers', [GOOD, GOOD], 'malformed_header'],
		['not a string', 42, 'missing_header'],
	])('rejects %s', (_name, header, reason) => {
		const result = verify(header);
		expect(result.ok).toBe(false);
		expect(!result.ok && result.reason).toBe(reason);
	});

	it.each([
		['upper-case hex', GOOD.replace(SIG, SIG.toUpperCase())],
		['lower-case scheme', GOOD.replace('EAN', 'ean')],
		['parameter names in other case', `EAN apikey=${KEY},SIGNATURE=${SIG},Timestamp=${TS}`],
		['parameters in another order', `EAN timestamp=${TS},APIKey=${KEY},Signature=${SIG}`],
		['extra whitespace', `  EAN   APIKey = ${KEY} , Signature=${SIG} ,  timestamp=${TS}  `],
		['an unknown extra parameter', `${GOOD},version=2`],
		['a single-element header array', [GOOD]],
	])('accepts %s', (_name, header) => {
		expect(verify(header).ok).toBe(true);
		// Read to the same parts as the exact form Rapid sends (which takes a shorter path).
		expect(parseAuthorizationHeader(header)).toEqual(parseAuthorizationHeader(GOOD));
	});

	it('checks each call against its own key, secret and timestamp, even within one second', () => {
		// The expected signature is kept for the last timestamp: a change of credential must not reuse it.
		expect(verify(GOOD).ok).toBe(true);
		expect(verify(GOOD, TS, { sharedSecret: 'rotated-secret' })).toMatchObject({
			ok: false,
			reason: 'bad_signature',
		});
		expect(verify(GOOD, TS, { apiKey: 'other-key' })).toMatchObject({ ok: false });
		const next = `EAN APIKey=${KEY},Signature=${SIG},timestamp=${TS + 1}`;
		expect(verify(next, TS + 1)).toMatchObject({ ok: false, reason: 'bad_signature' });
		expect(verify(GOOD).ok).toBe(true);
	});

	describe('timestamp tolerance', () => {
		const tol = DEFAULT_TOLERANCE_SECONDS;
		it.each([
			['tolerance - 1 s in the past', TS + tol - 1, true],
			['exactly the tolerance in the past', TS + tol, true],
			['tolerance + 1 s in the past', TS + tol + 1, false],
			['tolerance - 1 s in the future', TS - tol + 1, true],
			['exactly the tolerance in the future', TS - tol, true],
			['tolerance + 1 s in the future', TS - tol - 1, false],
		])('%s', (_name, now, ok) => {
			const result = verify(GOOD, now);
			expect(result.ok).toBe(ok);
			if (!result.ok) expect(result.reason).toBe('timestamp_out_of_tolerance');
		});

		it('honours a configured tolerance', () => {
			expect(verify(GOOD, TS + 61, { toleranceSeconds: 60 }).ok).toBe(false);
			expect(verify(GOOD, TS + 60, { toleranceSeconds: 60 }).ok).toBe(true);
		});

		it('reports the skew', () => {
			const result = verify(GOOD, TS + 42);
			expect(result.ok && result.skewSeconds).toBe(42);
		});
	});

	it('refuses to verify with an empty secret or key', () => {
		expect(verify(GOOD, TS, { sharedSecret: '' })).toMatchObject({
			ok: false,
			reason: 'not_configured',
		});
		expect(verify(GOOD, TS, { apiKey: '' })).toMatchObject({ ok: false, reason: 'not_configured' });
	});

	it('never verifies a header signed with an empty secret', () => {
		const forged = buildAuthorizationHeader(KEY, '', TS);
		expect(verify(forged).ok).toBe(false);
	});

	it('never echoes the secret in a failure message', () => {
		for (const header of [GOOD.replace(SIG, SIG.slice(2)), GOOD.replace(KEY, 'x'), 'EAN x']) {
			const result = verify(header, TS + 1000);
			expect(JSON.stringify(result)).not.toContain(SECRET);
		}
	});
});

describe('constantTimeEqual', () => {
	it.each([
		['a', 'a', true],
		['a', 'b', false],
		['a', 'aa', false],
		['', '', true],
		['', 'a', false],
	])('%j vs %j', (a, b, expected) => {
		expect(constantTimeEqual(a, b)).toBe(expected);
	});
});
