import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrashRun, runCrashTrials } from '../support/crash-trial';
import { killAllServers } from '../support/server-process';
import { tempDir } from '../support/test-app';
import { TINY_ENV, tinyModelsPresent } from '../support/tiny-models';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The short form of `npm run crash`: three trials of concurrent writers, SIGKILL at a random moment
 * and a restart on the same storage; with this seed, trials 1 and 3 also kill the restart while it
 * recovers.
 */
describe('crash safety: SIGKILL while clients write, then restart (e2e, process)', () => {
  let sut: CrashRun;
  let workDir: string;

  beforeAll(async () => {
    tinyModelsPresent();
    if (!fs.existsSync(path.join(ROOT, 'dist/main.js')))
      throw new Error('dist/main.js is missing: run `npm run build` first');
    workDir = tempDir('ragd-crash-');
    sut = await runCrashTrials({
      root: ROOT,
      env: TINY_ENV,
      workDir,
      trials: 3,
      clients: 4,
      seed: 3,
      killAfterMs: [800, 2500],
      recoveryKillChance: 0.5,
      readyTimeoutMs: 40_000, // fails with the server's log rather than by the hook's timeout
    });
  }, 170_000);

  afterAll(() => {
    killAllServers();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('acknowledged writes and deletes, left requests in flight at every kill, and killed a recovery', () => {
    expect(sut.totals.acknowledgedWrites).toBeGreaterThan(0);
    expect(sut.totals.acknowledgedDeletes).toBeGreaterThan(0);
    expect(sut.totals.rejected).toBe(0);
    for (const t of sut.trials) expect(t.inFlight).toBeGreaterThan(0);
    expect(sut.trials.map((t) => t.recoveryKillMs !== undefined)).toEqual([true, false, true]);
  });

  it('loses no acknowledged write, brings back no deleted document and leaves nothing half-written', () => {
    expect(sut.trials.flatMap((t) => t.problems)).toEqual([]);
    expect(sut.totals).toMatchObject({ losses: 0, resurrections: 0, halfPresent: 0 });
    expect(sut.trials.at(-1)!.documentsPresent).toBeGreaterThan(0);
    expect(sut.trials.at(-1)!.searches).toBeGreaterThan(0);
  });

  it('restarts with an index that holds exactly the stored vectors, also after a clean stop', () => {
    for (const t of sut.trials) {
      expect(t.index).toMatchObject({
        state: 'ready',
        consistent: true,
        missing: { count: 0 },
        extra: { count: 0 },
      });
      expect(t.index.size).toBe(t.index.storedVectors);
    }
    expect(sut.totals.indexMismatches).toBe(0);
    expect(sut.cleanRestart.index.consistent).toBe(true);
    expect(sut.cleanRestart.recovery).toMatch(/^snapshot \+ 0 replayed/);
  });
});
