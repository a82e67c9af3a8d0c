/**
 * Rapid's signature scheme, in one place: the credential signs outgoing requests with it and the
 * trigger verifies incoming notifications with it.
 *
 *   Authorization: EAN APIKey={key},Signature={sha512hex(key + secret + ts)},timestamp={ts}
 *
 * It is a plain SHA-512 (not an HMAC) over the key, the secret and a Unix timestamp in seconds; the
 * body is not covered, so TLS is what protects the body (see README, "Security").
 */
import { hash, timingSafeEqual } from 'crypto';

import { constantTimeEqual } from '../shared/constantTime';

export const RAPID_AUTH_SCHEME = 'EAN';
/** Rapid accepts timestamps up to five minutes away from its clock, in both directions. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SIGNATURE_HEX_LENGTH = 128;
const MAX_HEADER_LENGTH = 1024;

export interface RapidHeaderParts {
	apiKey: string;
	signature: string;
	timestamp: number;
}

export type RapidVerifyFailure =
	| 'missing_header'
	| 'malformed_header'
	| 'wrong_api_key'
	| 'bad_signature'
	| 'timestamp_out_of_tolerance'
	| 'not_configured';

export type ParseResult =
	| { ok: true; parts: RapidHeaderParts }
	| { ok: false; reason: 'missing_header' | 'malformed_header'; message: string };

export type VerifyResult =
	| { ok: true; parts: RapidHeaderParts; skewSeconds: number }
	| { ok: false; reason: RapidVerifyFailure; message: string };

export interface VerifyOptions {
	apiKey: string;
	sharedSecret: string;
	toleranceSeconds?: number;
	/** Unix time in seconds; defaults to the clock. */
	now?: number;
}

export const nowInSeconds = (): number => Math.floor(Date.now() / 1000);

export function computeSignature(apiKey: string, sharedSecret: string, timestamp: number): string {
	return hash('sha512', `${apiKey}${sharedSecret}${timestamp}`, 'hex');
}

export function buildAuthorizationHeader(
	apiKey: string,
	sharedSecret: string,
	timestamp: number = nowInSeconds(),
): string {
	const signature = computeSignature(apiKey, sharedSecret, timestamp);
	return `${RAPID_AUTH_SCHEME} APIKey=${apiKey},Signature=${signature},timestamp=${timestamp}`;
}

const malformed = (message: string): ParseResult => ({
	ok: false,
	reason: 'malformed_header',
	message,
});

/** `EAN APIKey=…,Signature=…,timestamp=…` as Rapid writes it; any other spelling takes the long way. */
const CANONICAL_HEADER =
	/^EAN APIKey=([^\s,=]{1,512}),Signature=([0-9a-f]{128}),timestamp=(\d{1,12})$/;

/**
 * Parses `EAN APIKey=…,Signature=…,timestamp=…`. The scheme and parameter names match
 * case-insensitively (RFC 9110 auth-params), whitespace around separators is tolerated, unknown
 * parameters are ignored (forward compatibility), and a repeated parameter is an error (ambiguous).
 */
export function parseAuthorizationHeader(header: unknown): ParseResult {
	// The form Rapid sends, exactly: read in one step.
	const canonical = typeof header === 'string' ? CANONICAL_HEADER.exec(header) : null;
	if (canonical) {
		const [, apiKey, signature, timestamp] = canonical;
		return { ok: true, parts: { apiKey, signature, timestamp: Number(timestamp) } };
	}
	const value = Array.isArray(header) ? (header.length === 1 ? header[0] : undefined) : header;
	if (Array.isArray(header) && header.length > 1) {
		return malformed('More than one Authorization header');
	}
	if (typeof value !== 'string' || value.trim() === '') {
		return { ok: false, reason: 'missing_header', message: 'Missing Authorization header' };
	}
	if (value.length > MAX_HEADER_LENGTH) return malformed('Authorization header is too long');

	const match = /^\s*(\S+)\s+(.*)$/s.exec(value);
	if (!match || match[1].toUpperCase() !== RAPID_AUTH_SCHEME) {
		return malformed(`Authorization scheme must be "${RAPID_AUTH_SCHEME}"`);
	}

	const params = new Map<string, string>();
	for (const rawPart of match[2].split(',')) {
		const part = rawPart.trim();
		const eq = part.indexOf('=');
		if (eq <= 0) return malformed('Authorization parameters must look like name=value');
		const name = part.slice(0, eq).trim().toLowerCase();
		if (params.has(name)) return malformed(`Parameter "${name}" appears more than once`);
		params.set(name, part.slice(eq + 1).trim());
	}

	const apiKey = params.get('apikey');
	const signature = params.get('signature');
	const timestamp = params.get('timestamp');
	if (!apiKey) return malformed('APIKey is missing');
	if (!signature) return malformed('Signature is missing');
	if (!timestamp) return malformed('timestamp is missing');
	if (!/^[0-9a-f]+$/i.test(signature) || signature.length !== SIGNATURE_HEX_LENGTH) {
		return malformed(`Signature must be ${SIGNATURE_HEX_LENGTH} hexadecimal characters`);
	}
	if (!/^\d{1,12}$/.test(timestamp)) return malformed('timestamp must be Unix seconds');

	return {
		ok: true,
		parts: { apiKey, signature: signature.toLowerCase(), timestamp: Number(timestamp) },
	};
}

/** What a caller is told when the key or the signature is wrong: the same words for both. */
export const SIGNATURE_MISMATCH = 'Signature does not match';

/** Verifies an incoming `Authorization` header exactly as Rapid's own servers check ours. */
export function verifyAuthorizationHeader(header: unknown, options: VerifyOptions): VerifyResult {
	if (!options.apiKey || !options.sharedSecret) {
		return {
			ok: false,
			reason: 'not_configured',
			message: 'The credential has no API key or shared secret',
		};
	}
	const parsed = parseAuthorizationHeader(header);
	if (!parsed.ok) return parsed;
	const { parts } = parsed;

	// Both checks always run and both failures read the same, so a caller guessing keys learns
	// nothing about which part was wrong.
	const keyMatches = constantTimeEqual(parts.apiKey, options.apiKey);
	// Both are 128 lower-case hex characters (the parser checked): compare the bytes directly.
	const signatureMatches = timingSafeEqual(
		Buffer.from(parts.signature, 'latin1'),
		Buffer.from(computeSignature(options.apiKey, options.sharedSecret, parts.timestamp), 'latin1'),
	);
	if (!keyMatches || !signatureMatches) {
		return {
			ok: false,
			reason: keyMatches ? 'bad_signature' : 'wrong_api_key',
			message: SIGNATURE_MISMATCH,
		};
	}

	const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	const skewSeconds = (options.now ?? nowInSeconds()) - parts.timestamp;
	if (Math.abs(skewSeconds) > tolerance) {
		return {
			ok: false,
			reason: 'timestamp_out_of_tolerance',
			message: `timestamp is ${skewSeconds} s away from this server's clock (tolerance ${tolerance} s)`,
		};
	}
	return { ok: true, parts, skewSeconds };
}
