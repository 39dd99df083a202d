// Tests run as native ESM (node --experimental-vm-modules), TypeScript transpiled by SWC.
// Workspace packages resolve to their TypeScript sources so tests never need a build;
// tests that talk to the running product start the BUILT stack (see packages/testing).
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@flowforge/(auth|runtime|db|cache|testing|stack|time|events|schedule|sdk)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/{gateway,subgraphs/*,packages/*}/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/packages/testing/global-setup.mjs',
  globalTeardown: '<rootDir>/packages/testing/global-teardown.mjs',
  testTimeout: 30000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/packages/testing/summary-reporter.mjs'],
};
