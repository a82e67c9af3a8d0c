// Dev tooling is written as .cts and imported as './x.cjs' (TypeScript's convention). Jest does not
// know that mapping, and a plain moduleNameMapper would also rewrite real .cjs files inside
// node_modules (zod, n8n-workflow), so fall back to .cts only where the .cjs file does not exist.
module.exports = (request, options) => {
	try {
		return options.defaultResolver(request, options);
	} catch (error) {
		if (!request.endsWith('.cjs')) throw error;
		return options.defaultResolver(request.replace(/\.cjs$/, '.cts'), options);
	}
};
