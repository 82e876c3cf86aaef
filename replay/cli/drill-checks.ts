/**
 * The checks `clash backup drill` runs on a restored copy, each pass/fail with figures:
 * `projections verify` (every read model equals a replay of the log) and the journal checks (each
 * prop account's journal balances and agrees with the account). The hook for more: when
 * `clash ledger verify` (the Merkle log, branch `ledger-integrity`) lands, add its check here.
 */
import { verifyProjections } from '../../core/projection-rebuild.ts';
import { PropTradingQueries } from '../../projections/prop-trading/queries.ts';
import type { Ledger } from '../../server/context.ts';

export interface DrillResult {
  readonly check: string;
  readonly ok: boolean;
  readonly figures: Readonly<Record<string, number | string>>;
}

export interface DrillCheck {
  readonly name: string;
  /** Runs on the restored copy opened as a ledger (with `composition`'s projections). */
  run(ledger: Ledger, projections: Parameters<typeof verifyProjections>[1]): DrillResult;
}

const projectionsVerify: DrillCheck = {
  name: 'projections verify',
  run: (ledger, projections) => {
    const results = verifyProjections(ledger.store, projections);
    const differing = results.filter((r) => !r.ok);
    return {
      check: 'projections verify',
      ok: differing.length === 0,
      figures: {
        projections: results.length,
        rows: results.reduce((n, r) => n + r.tables.reduce((m, t) => m + t.rows, 0), 0),
        differing: differing.length,
        ...(differing[0] ? { firstDifference: `${differing[0].name}: ${differing[0].firstDifference?.table ?? ''}` } : {}),
      },
    };
  },
};

const journals: DrillCheck = {
  name: 'journals',
  run: (ledger) => {
    const hasProp = ledger.store.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'prop_journal'").get() !== undefined;
    if (!hasProp) return { check: 'journals', ok: true, figures: { accounts: 0 } };
    const q = new PropTradingQueries(ledger.store.db);
    const failing = q.accountIds().filter((id) => {
      const journal = q.journalCheck(id);
      return !journal.balanced || q.journalMismatches(id, journal).length > 0;
    });
    return {
      check: 'journals',
      ok: failing.length === 0,
      figures: { accounts: q.accountIds().length, failing: failing.length, ...(failing[0] ? { firstFailing: failing[0] } : {}) },
    };
  },
};

export const drillChecks: readonly DrillCheck[] = [projectionsVerify, journals];
