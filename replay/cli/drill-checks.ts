/**
 * The checks `clash backup drill` runs on a restored copy, each pass/fail with figures:
 * `projections verify` (every read model equals a replay of the log), the journal checks (each
 * prop account's journal balances and agrees with the account) and `ledger verify` (every event
 * re-hashed, every signed checkpoint's root, signature and consistency, doc/ledger-integrity.md)
 * against the trusted ledger key — skipped, saying so, when none is known.
 */
import type { KeyObject } from 'node:crypto';
import { verifyLedger } from '../../commands/ledger/verify.ts';
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

/** `clash ledger verify` of the restored copy against `trusted` (the ledger's public key), when known. */
function ledgerVerify(trusted: KeyObject | undefined): DrillCheck {
  return {
    name: 'ledger verify',
    run: (ledger) => {
      if (!trusted)
        return {
          check: 'ledger verify',
          ok: true,
          figures: { skipped: 'no trusted ledger key (--public-key or CLASH_LEDGER_SIGNING_KEY)' },
        };
      const r = verifyLedger(ledger.store, trusted);
      return {
        check: 'ledger verify',
        ok: r.ok,
        figures: {
          events: r.events,
          checkpoints: r.checkpoints,
          ...(r.firstProblem ? { firstPosition: r.firstProblem.position, problem: r.firstProblem.problem } : {}),
        },
      };
    },
  };
}

/** The drill's checks; `trusted` is the ledger's public key for `ledger verify`. */
export const drillChecks = (trusted: KeyObject | undefined): readonly DrillCheck[] => [projectionsVerify, journals, ledgerVerify(trusted)];
