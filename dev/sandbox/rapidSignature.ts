/**
 * The fake Rapid's own signature scheme, written from Rapid's documentation, not from the node:
 * a fake that shared the product's signer would agree with it even when both are wrong.
 *
 *   Authorization: EAN APIKey={key},Signature={sig},timestamp={ts}
 *   sig = lowercase hex SHA-512 of (key + sharedSecret + ts), ts = Unix seconds; a plain hash,
 *   not an HMAC; accepted within 5 minutes either way.
 *
 * Sources: ExpediaGroup/rapid-java-sdk, RapidAuthenticationStrategy.kt (`apiKey + secret +
 * timestamp`, SHA-512, hex); seed 001 (header format, "compare the SHA512 hash"); the 5-minute
 * window as in ../shared/api-notes.md. Only the tests cross-check it against the node's signer.
 */
import { createHash } from 'crypto';

import { constantTimeEqual } from './util';

/** Rapid accepts timestamps five minutes either way of its clock (inclusive here). */
export const RAPID_TOLERANCE_SECONDS = 5 * 60;

export type RapidAuthFailure =
	| 'missing_header'
	| 'malformed_header'
	| 'wrong_api_key'
	| 'bad_signature'
	| 'timestamp_out_of_tolerance';

export interface RapidAuthParts {
	apiKey: string;
	signature: string;
	timestamp: number;
}

export const rapidSignature = (apiKey: string, sharedSecret: string, timestamp: number): string =>
	createHash('sha512').update(`${apiKey}${sharedSecret}${timestamp}`, 'utf8').digest('hex');

export const rapidAuthorization = (apiKey: string, sharedSecret: string, timestamp: number) =>
	`EAN APIKey=${apiKey},Signature=${rapidSignature(apiKey, sharedSecret, timestamp)},timestamp=${timestamp}`;

/**
 * Reads `EAN APIKey=…,Signature=…,timestamp=…`. Lenient where nothing is documented: the scheme and
 * the parameter names in any case, spaces around separators, parameters in any order.
 */
export function readRapidAuthorization(header: unknown): RapidAuthParts | RapidAuthFailure {
	if (typeof header !== 'string' || header.trim() === '') return 'missing_header';
	const match = /^\s*EAN\s+(.*)$/is.exec(header);
	if (!match) return 'malformed_header';
	const params: Record<string, string> = {};
	for (const part of match[1].split(',')) {
		const eq = part.indexOf('=');
		if (eq <= 0) return 'malformed_header';
		params[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
	}
	const { apikey, signature, timestamp } = params;
	if (!apikey || !signature || !/^\d+$/.test(timestamp ?? '')) return 'malformed_header';
	return { apiKey: apikey, signature, timestamp: Number(timestamp) };
}

export interface RapidAuthCheck {
	apiKey: string;
	sharedSecret: string;
	toleranceSeconds: number;
	/** The server's clock, Unix seconds. */
	now: number;
}

/** What Rapid checks on every request: the key, the signature, then the timestamp window. */
export function checkRapidAuthorization(
	header: unknown,
	check: RapidAuthCheck,
): { ok: true } | { ok: false; reason: RapidAuthFailure } {
	const parts = readRapidAuthorization(header);
	if (typeof parts === 'string') return { ok: false, reason: parts };
	const keyOk = constantTimeEqual(parts.apiKey, check.apiKey);
	const expected = rapidSignature(check.apiKey, check.sharedSecret, parts.timestamp);
	const signatureOk = constantTimeEqual(parts.signature.toLowerCase(), expected);
	if (!keyOk) return { ok: false, reason: 'wrong_api_key' };
	if (!signatureOk) return { ok: false, reason: 'bad_signature' };
	if (Math.abs(check.now - parts.timestamp) > check.toleranceSeconds) {
		return { ok: false, reason: 'timestamp_out_of_tolerance' };
	}
	return { ok: true };
}
