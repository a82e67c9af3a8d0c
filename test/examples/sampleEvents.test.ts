/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test tooling: never shipped, runs under Node.js in jest */
/**
 * docs/sample-events.md shows, for every event type, the item the trigger emits: each block is
 * posted through the real trigger and must come out unchanged (but for the moment it arrived).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';

import { ATLAS_EVENT_TYPES } from '../../nodes/Atlas/events';
import { RAPID_EVENT_TYPES } from '../../nodes/ExpediaRapid/events';
import { emittedItem, MOMENT_FIELDS, payloadOf, type Provider, SAMPLES_PAGE } from './sampleEvents';

const page = readFileSync(join(__dirname, '..', '..', SAMPLES_PAGE), 'utf8');

/** Every sample on the page: its trigger, the code in its heading, and the pasted items. */
function samples(): Array<[Provider, string, IDataObject[]]> {
	const found: Array<[Provider, string, IDataObject[]]> = [];
	let provider: Provider | undefined;
	for (const section of page.split(/^(?=#{2,3} )/m)) {
		if (section.startsWith('## ')) provider = section.includes('Atlas') ? 'atlas' : 'rapid';
		const code = /^### .*\(`([^`]+)`\)/.exec(section)?.[1];
		const block = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
		if (provider && code && block) found.push([provider, code, JSON.parse(block) as IDataObject[]]);
	}
	return found;
}

const withoutMoment = (item: IDataObject) =>
	Object.fromEntries(Object.entries(item).filter(([key]) => !MOMENT_FIELDS.includes(key)));

it('has one sample for every event type the triggers offer', () => {
	const codes = (provider: Provider) =>
		samples()
			.filter(([p]) => p === provider)
			.map(([, code]) => code);
	expect(codes('atlas').sort()).toEqual([...ATLAS_EVENT_TYPES].sort());
	expect(codes('rapid').sort()).toEqual([...RAPID_EVENT_TYPES].sort());
});

it.each(samples())(
	'%s %s: pasted as mock data, it is what the trigger emits',
	async (provider, code, items) => {
		expect(items).toHaveLength(1);
		const [item] = items;
		expect(item[provider === 'atlas' ? 'eventType' : 'event_type']).toBe(code);
		const emitted = await emittedItem(provider, payloadOf(provider, item));
		expect(withoutMoment(emitted)).toEqual(withoutMoment(item));
		expect(Object.keys(emitted).sort()).toEqual(Object.keys(item).sort());
		expect(emitted).not.toHaveProperty('unexpectedShape');
	},
);
