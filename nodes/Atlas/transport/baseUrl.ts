export const ATLAS_SANDBOX_URL = 'https://sandbox.atriptech.com';

export interface AtlasCredentialData {
	environment?: string;
	baseUrl?: string;
	webhookToken?: unknown;
}

/** The base URL the credential points at, without a trailing slash. */
export function atlasBaseUrl(credentials: AtlasCredentialData): string {
	if (!credentials.environment || credentials.environment === 'sandbox') return ATLAS_SANDBOX_URL;
	return String(credentials.baseUrl ?? '').replace(/\/+$/, '');
}

/** The Webhook Token events must present: spaces pasted around it are no part of it. */
export const atlasWebhookToken = (credentials: AtlasCredentialData): string =>
	String(credentials.webhookToken ?? '').trim();
