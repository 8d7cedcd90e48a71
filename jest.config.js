// Three levels (see ../shared/STYLE.md): unit next to the code, integration and e2e under test/.
const base = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testEnvironment: 'node',
};
module.exports = {
  // Integration and e2e tests load real models and embed real batches on 2 cores.
  testTimeout: 180000,
  projects: [
    { ...base, displayName: 'unit', rootDir: 'src', testRegex: '.*\\.spec\\.ts$' },
    {
      ...base,
      displayName: 'contract',
      rootDir: 'test/contract',
      testRegex: '.*\\.contract-spec\\.ts$',
    },
    {
      ...base,
      displayName: 'integration',
      rootDir: 'test/integration',
      testRegex: '.*\\.int-spec\\.ts$',
    },
    { ...base, displayName: 'e2e', rootDir: 'test/e2e', testRegex: '.*\\.e2e-spec\\.ts$' },
  ],
};
