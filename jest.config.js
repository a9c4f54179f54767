// Two projects: fast unit specs beside the code, and end-to-end specs that start the built apps
// as real processes and talk HTTP to them. The e2e project runs with --experimental-vm-modules so
// it can import the ESM-only client libraries (openid-client, oauth4webapi) used for interop.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const moduleNameMapper = {
  // Each library's one entry, and jwt-bearer's testing entry: nothing else resolves.
  '^@nest-identity/shared$': '<rootDir>/libs/shared/src',
  '^@nest-identity/shared/hosting$': '<rootDir>/libs/shared/src/hosting',
  '^@nest-identity/jwt-bearer$': '<rootDir>/libs/jwt-bearer/src',
  '^@nest-identity/jwt-bearer/testing$': '<rootDir>/libs/jwt-bearer/src/testing',
  '^@nest-identity/token-client$': '<rootDir>/libs/token-client/src',
  '^@nest-identity/token-client/testing$': '<rootDir>/libs/token-client/src/testing',
  '^@nest-identity/server$': '<rootDir>/libs/server/src',
  '^@nest-identity/server/standalone$': '<rootDir>/libs/server/src/standalone',
};

module.exports = {
  // End-to-end specs start real processes; generous, but finite.
  testTimeout: 30000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: __dirname,
      roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/scripts', '<rootDir>/test/deployment'],
      testRegex: '\\.spec\\.ts$',
      transform,
      moduleNameMapper,
      setupFiles: ['<rootDir>/jest.unit-setup.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: __dirname,
      roots: ['<rootDir>/test'],
      testRegex: '\\.e2e-spec\\.ts$',
      transform,
      moduleNameMapper,
      globalSetup: '<rootDir>/test/support/e2e-global-setup.js',
      // Once every spec has finished: no secret of the run in any app log (test/support/secrecy.ts).
      globalTeardown: '<rootDir>/test/support/e2e-global-teardown.ts',
    },
  ],
};
