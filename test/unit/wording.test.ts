/**
 * What an ops user reads in the editor: every label, description, notice and option of every node
 * and credential. No internal notes (where a fact came from), no endpoint names in labels, no
 * shouting in capitals.
 */
import { AtlasApi } from '../../credentials/AtlasApi.credentials';
import { ExpediaRapidApi } from '../../credentials/ExpediaRapidApi.credentials';
import { Atlas } from '../../nodes/Atlas/Atlas.node';
import { AtlasIncidentTrigger } from '../../nodes/Atlas/AtlasIncidentTrigger.node';
import { AtlasTrigger } from '../../nodes/Atlas/AtlasTrigger.node';
import { ExpediaRapid } from '../../nodes/ExpediaRapid/ExpediaRapid.node';
import { ExpediaRapidTrigger } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node';

interface Text {
	where: string;
	label: boolean;
	text: string;
}

/** Every string a user can read, with whether it is a label (name) or prose. */
function texts(value: unknown, where: string, out: Text[] = []): Text[] {
	if (Array.isArray(value)) value.forEach((v, i) => texts(v, `${where}[${i}]`, out));
	else if (value && typeof value === 'object') {
		for (const [key, v] of Object.entries(value)) {
			if (
				typeof v === 'string' &&
				[
					'displayName',
					'name',
					'description',
					'placeholder',
					'action',
					'subtitle',
					'activationMessage',
					'eventTriggerDescription',
					'inactive',
					'active',
					'activationHint',
				].includes(key)
			) {
				out.push({
					where: `${where}.${key}`,
					label: key === 'displayName' || key === 'name',
					text: v,
				});
			} else texts(v, `${where}.${key}`, out);
		}
	}
	return out;
}

const ACRONYMS = new Set([
	'URL',
	'URLs',
	'API',
	'IP',
	'HTTP',
	'HTTPS',
	'TLS',
	'JSON',
	'PNR',
	'IATA',
	'CIDR',
	'ID',
	'IDs',
	'UTC',
	'ISO',
	// Atlas' customer portal, by its name.
	'ATRIP',
	'APIs',
]);
const everything = [
	...texts(new Atlas().description, 'Atlas'),
	...texts(new AtlasTrigger().description, 'AtlasTrigger'),
	...texts(new AtlasIncidentTrigger().description, 'AtlasIncidentTrigger'),
	...texts(new ExpediaRapid().description, 'ExpediaRapid'),
	...texts(new ExpediaRapidTrigger().description, 'ExpediaRapidTrigger'),
	...texts(new AtlasApi().properties, 'AtlasApi'),
	...texts(new ExpediaRapidApi().properties, 'ExpediaRapidApi'),
].filter((t) => !t.text.startsWith('='));

it('carries no internal notes', () => {
	const notes = everything.filter((t) =>
		/\bseed\b|older docs|public material|api-notes|\bTODO\b/i.test(t.text),
	);
	expect(notes).toEqual([]);
});

it('shows event names, not provider codes, in option lists', () => {
	const codes = everything.filter((t) =>
		/(?<![@\w])(itinerary|order|email|airline|abnormal)\.[a-z_.]+/.test(t.text),
	);
	expect(codes.map((t) => `${t.where}: ${t.text}`)).toEqual([]);
});

it('names no endpoints in labels', () => {
	expect(everything.filter((t) => t.label && /\.do\b|\/v3\//.test(t.text))).toEqual([]);
});

it('does not shout: no words in capitals but acronyms', () => {
	const shouting = everything.filter((t) =>
		(t.text.replace(/<[^>]+>/g, '').match(/\b[A-Z]{3,}s?\b/g) ?? []).some((w) => !ACRONYMS.has(w)),
	);
	expect(shouting.map((t) => `${t.where}: ${t.text}`)).toEqual([]);
});
