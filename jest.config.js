// @xmpp/* is ESM-only; Node 20 loads it through require(esm), but jest's module
// runtime does not, so jest compiles it (and ltx's ESM build) to CommonJS with swc.
// See ../shared/research/style.md §7 (setup A).
const transform = {
  '^.+\\.(t|j)s$': ['@swc/jest', {
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  }],
};
// htmlparser2 and its dom* helpers are ESM-only as well.
const transformIgnorePatterns = ['/node_modules/(?!(@xmpp|ltx|htmlparser2|domhandler|domutils|domelementtype|entities|dom-serializer)/)'];

module.exports = {
  // Per-project testTimeout is ignored by jest 30 for hooks; the integration
  // tests set their own timeouts for slow peers (ejabberd takes ~5 s to start).
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/plugin', '<rootDir>/adapters', '<rootDir>/config', '<rootDir>/bin', '<rootDir>/fuzz'],
      testMatch: ['**/*.test.ts'],
      transform,
      transformIgnorePatterns,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/integration-tests'],
      testMatch: ['**/*.itest.ts', '**/*.test.ts'],
      transform,
      transformIgnorePatterns,
    },
  ],
};
