// Shared jest settings: swc transpiles TypeScript (type checking is `pnpm typecheck`),
// and workspace packages resolve to their sources so tests never need a build.
const path = require('node:path');

/** @param {string} packageDir @returns {import('jest').Config} */
module.exports = function herald(packageDir, overrides = {}) {
  return {
    rootDir: packageDir,
    testEnvironment: 'node',
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
          module: { type: 'commonjs' },
        },
      ],
    },
    moduleNameMapper: {
      '^@herald/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    },
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    testTimeout: 30000,
    ...overrides,
  };
};
