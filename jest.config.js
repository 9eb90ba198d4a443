/** ts-jest in ESM mode, as actions/typescript-action runs it (needs --experimental-vm-modules). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.cjs'],
  testTimeout: 60000,
  // Two cores: suites that start shells, moto and HTTP servers are heavy; keep it to the cores.
  maxWorkers: 2,
  // Concurrent tests (runtimeTest, the emulator's) at a time per worker: they mostly wait on shells
  // and timers; more than 5 measured no faster on two cores and stretched the timing-bound ones.
  maxConcurrency: 5,
};
