/**
 * The package's entry (index.ts → dist/index.js, package.json "main") exports exactly the node and
 * credential classes that package.json's n8n section tells n8n to load.
 */
import * as entry from '../../index';
import packageJson from '../../package.json';

const className = (path: string) =>
	(path.split('/').pop() as string).replace(/\.(node|credentials)\.js$/, '');

it('exports every node and credential n8n loads, and nothing else', () => {
	const { nodes, credentials } = packageJson.n8n;
	const listed = [...nodes, ...credentials].map(className).sort();
	expect(Object.keys(entry).sort()).toEqual(listed);
	for (const name of listed) {
		const Exported = (entry as Record<string, new () => object>)[name];
		const instance = new Exported();
		expect(instance).toHaveProperty(
			nodes.some((n) => className(n) === name) ? 'description' : 'properties',
		);
	}
});

it('is the package main, and ships', () => {
	expect(packageJson.main).toBe('dist/index.js');
	expect(packageJson.files).toContain('dist/index.js');
});
