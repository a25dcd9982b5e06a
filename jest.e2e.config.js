/** Browser journeys (Debian's Chromium driven by playwright-core): `npm run test:e2e`. */
const base = require('./jest.config.js');
// Journeys walk one browser through steps in order: not randomized (the unit and HTTP suite is).
module.exports = { ...base, roots: ['<rootDir>/test/e2e'], testMatch: ['**/*.e2e.ts'], testTimeout: 120000, maxWorkers: 1, randomize: false };
