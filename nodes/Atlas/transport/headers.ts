/**
 * The headers of every Atlas call besides the keys, shared by the nodes and the credential test.
 * Atlas' current standard headers omit `Accept`, an older contract requires one: this value
 * prefers JSON and refuses nothing.
 */
export const ATLAS_REQUEST_HEADERS: Readonly<Record<string, string>> = Object.freeze({
	'Content-Type': 'application/json',
	Accept: 'application/json, */*;q=0.1',
	'Accept-Encoding': 'gzip',
});
