// Three levels (see ../shared/STYLE.md): unit next to the code, integration and e2e under test/.
const fs = require('node:fs');

// The web app's browser tests drive a real Chromium (Debian's package; .ci/run installs it). Without
// one they do not run, and say so once.
const BROWSER_SUITES = ['web-app\\.e2e-spec\\.ts$'];
const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']
  .filter(Boolean)
  .find((p) => fs.existsSync(p));
if (chromium) process.env.CHROMIUM_PATH = chromium;
else if (
  !process.env.RAGD_NO_BROWSER_NOTED &&
  (!process.argv.includes('--selectProjects') || process.argv.includes('e2e'))
) {
  process.env.RAGD_NO_BROWSER_NOTED = '1';
  console.warn(
    'SKIPPED: the web app browser tests (test/e2e/web-app.e2e-spec.ts) did not run: no Chromium found (set CHROMIUM_PATH or `apt-get install chromium`)',
  );
}

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
      // Pure logic of the web app (web/src), compiled for node.
      ...base,
      displayName: 'web',
      rootDir: 'web/src',
      testRegex: '.*\\.spec\\.ts$',
      transform: {
        '^.+\\.ts$': [
          'ts-jest',
          { tsconfig: { module: 'commonjs', target: 'es2022', strict: true, types: ['jest'] } },
        ],
      },
    },
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
    {
      ...base,
      displayName: 'e2e',
      rootDir: 'test/e2e',
      testRegex: '.*\\.e2e-spec\\.ts$',
      testPathIgnorePatterns: ['/node_modules/', ...(chromium ? [] : BROWSER_SUITES)],
    },
  ],
};
