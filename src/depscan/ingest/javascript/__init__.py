"""JavaScript: npm, Yarn and pnpm lockfiles, package.json, and the registries configured for them."""
