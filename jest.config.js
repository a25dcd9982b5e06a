/** Jest runs the TypeScript sources through @swc/jest; `npm run typecheck` does the type checking. */
const swc = { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } };
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', swc] },
  transformIgnorePatterns: [
    '/node_modules/(?!(kysely|file-type|strtok3|token-types|peek-readable|@tokenizer|uint8array-extras|ical-generator|ical\\.js|jose|csv-parse|csv-stringify|@borewit)/)',
  ],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^file-type$': '<rootDir>/node_modules/file-type/index.js' },
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  // Generous: a busy 2-core machine (CI beside other work) can take tens of seconds to clone a database
  // in a beforeAll hook; no test asserts on time, so a long limit only delays a real hang's report.
  testTimeout: 180_000,
  maxWorkers: 2,
  // Tests run in random order within each file (no test depends on another); the seed is printed
  // so a failing order can be replayed with `npx jest --seed=N <file>` (README, Tests and CI).
  randomize: true,
  showSeed: true,
};
