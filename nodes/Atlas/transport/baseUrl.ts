export const ATLAS_SANDBOX_URL = 'https://sandbox.atriptech.com';

export interface AtlasCredentialData {
	environment?: string;
	baseUrl?: string;
}

/** The base URL the credential points at, without a trailing slash. */
export function atlasBaseUrl(credentials: AtlasCredentialData): string {
	if (!credentials.environment || credentials.environment === 'sandbox') return ATLAS_SANDBOX_URL;
	return String(credentials.baseUrl ?? '').replace(/\/+$/, '');
}
