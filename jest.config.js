/** Tests run against one embedded PostgreSQL started in globalSetup; each file clones a migrated template database. */
const tsJest = [
  'ts-jest',
  {
    tsconfig: {
      module: 'commonjs',
      moduleResolution: 'node10',
      target: 'ES2022',
      esModuleInterop: true,
      allowJs: true,
    },
  },
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Test files run as CommonJS; @scure/bip39 and otplib's @noble hashes ship ES modules only, so ts-jest compiles them too.
  transform: { '^.+\\.ts$': tsJest, '/node_modules/@(scure|noble)/.+\\.js$': tsJest },
  transformIgnorePatterns: ['/node_modules/(?!@scure/|@noble/)'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
};
