/** The crash trials' results as markdown tables, for bench/crash.ts. */
import type { CrashTotals, TrialResult } from '../../test/support/crash-trial';
import { fmt, table } from './markdown';

/** One row per trial (markdown). */
export function trialTable(trials: readonly TrialResult[]): string {
  return table(
    [
      'trial',
      'kill at (ms)',
      'killed again in recovery (ms)',
      'requests',
      'acked writes',
      'acked deletes',
      'in flight (applied)',
      'refused',
      'documents (present)',
      'searches',
      'losses',
      'resurrections',
      'half-present',
      'index: size / stored / deleted slots',
      'index consistent',
      'index opened from',
      'recovered in (ms)',
    ],
    trials.map((t) => [
      String(t.trial),
      fmt(t.killAfterMs, 0),
      t.recoveryKillMs === undefined ? '-' : fmt(t.recoveryKillMs, 0),
      String(t.requests),
      String(t.acknowledgedWrites),
      String(t.acknowledgedDeletes),
      `${t.inFlight} (${t.inFlightApplied})`,
      String(t.rejected),
      `${t.documentsChecked} (${t.documentsPresent})`,
      String(t.searches),
      String(t.losses),
      String(t.resurrections),
      String(t.halfPresent),
      `${t.index.size} / ${t.index.storedVectors} / ${t.index.deletedSlots}`,
      t.index.consistent ? 'yes' : '**no**',
      t.recovery,
      fmt(t.recoveryMs, 0),
    ]),
  );
}

/** The totals over all trials (markdown). */
export function totalsTable(totals: CrashTotals): string {
  return table(
    [
      'trials',
      'requests',
      'acked writes',
      'acked deletes',
      'in flight (applied)',
      'refused',
      'losses',
      'resurrections',
      'half-present',
      'index mismatches',
      'killed again in recovery',
    ],
    [
      [
        String(totals.trials),
        String(totals.requests),
        String(totals.acknowledgedWrites),
        String(totals.acknowledgedDeletes),
        `${totals.inFlight} (${totals.inFlightApplied})`,
        String(totals.rejected),
        String(totals.losses),
        String(totals.resurrections),
        String(totals.halfPresent),
        String(totals.indexMismatches),
        String(totals.recoveryKills),
      ],
    ],
  );
}
