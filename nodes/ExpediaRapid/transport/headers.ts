/**
 * The headers of every Rapid call besides the signature, shared by the nodes and the credential
 * test. Rapid's spec asks for gzip (`Accept-Encoding` "must be gzip") and a User-Agent naming the
 * application.
 */
export const RAPID_REQUEST_HEADERS: Readonly<Record<string, string>> = Object.freeze({
	Accept: 'application/json',
	'Accept-Encoding': 'gzip',
	'User-Agent': 'n8n-nodes-travel-ops',
});
