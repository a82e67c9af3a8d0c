/**
 * Sandbox defaults. The credentials are sandbox-only values, not secrets: they are printed by the
 * CLI and used by tests so that nothing needs configuring to talk to the sandbox.
 */
import { HOUR_MS, MINUTE_MS } from './util';

export const DEFAULT_ATLAS_CLIENT_ID = 'sandbox-client-id';
export const DEFAULT_ATLAS_CLIENT_SECRET = 'sandbox-client-secret';
export const DEFAULT_RAPID_API_KEY = 'sandbox-api-key';
export const DEFAULT_RAPID_SHARED_SECRET = 'sandbox-shared-secret';

/** Loopback only: the admin API has no authentication. */
export const HOST = '127.0.0.1';
/** The port `npm run sandbox` serves on and the client commands talk to. */
export const DEFAULT_CLI_PORT = 4010;

export const DEFAULT_INCIDENT_COUNT = 300;
export const DEFAULT_SEED = 20240501;

/** How far back generated incidents reach from the anchor date. */
export const INCIDENT_HISTORY_DAYS = 60;
/**
 * Atlas documents no page-size limit; 100 is the largest size our node asks for, and a server-side
 * bound lets tests check that out-of-range sizes are refused.
 */
export const ATLAS_MAX_PAGE_SIZE = 100;

/** Rapid returns at most 25 undeliverable notifications per call. */
export const RAPID_UNDELIVERABLE_PAGE_SIZE = 25;

/**
 * Rapid's retry schedule after a failed push: 5 minutes, then 1 hour, then every
 * 12 hours for 7 days (14 more tries). With the first try that is 17 attempts in all.
 */
export const RAPID_RETRY_DELAYS_MS: readonly number[] = [
	5 * MINUTE_MS,
	HOUR_MS,
	...Array.from({ length: 14 }, () => 12 * HOUR_MS),
];

/** A push that gets no answer within this time counts as a failed attempt. */
export const PUSH_TIMEOUT_MS = 10_000;
