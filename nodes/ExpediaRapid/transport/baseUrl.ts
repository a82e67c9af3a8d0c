export const RAPID_PRODUCTION_URL = 'https://api.ean.com';
export const RAPID_TEST_URL = 'https://test.ean.com';

export interface RapidCredentialData {
	environment?: string;
	baseUrl?: string;
}

/** The base URL the credential points at, without a trailing slash. */
export function rapidBaseUrl(credentials: RapidCredentialData): string {
	if (credentials.environment === 'custom')
		return String(credentials.baseUrl ?? '').replace(/\/+$/, '');
	return credentials.environment === 'test' ? RAPID_TEST_URL : RAPID_PRODUCTION_URL;
}

/**
 * Test notifications can only be requested on the test host; a Custom credential (a local or
 * staging server) is trusted to serve both.
 */
export function rapidTestNotificationBaseUrl(credentials: RapidCredentialData): string {
	return credentials.environment === 'custom' ? rapidBaseUrl(credentials) : RAPID_TEST_URL;
}

/** Whether the credential leads to Rapid's test host (chosen, or typed in as a custom base URL). */
export function isRapidTestHost(credentials: RapidCredentialData): boolean {
	try {
		return (
			new URL(rapidBaseUrl(credentials)).hostname.toLowerCase() === new URL(RAPID_TEST_URL).hostname
		);
	} catch {
		return false;
	}
}

/** Why the undeliverable queue must not be read on the test host, in the words the user reads. */
export const TEST_HOST_DRAIN_WARNING =
	'Rapid does not support reading undeliverable notifications on its test host: it may return production notifications there and delete them. Use a Production credential for this.';
