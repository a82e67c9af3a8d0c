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
