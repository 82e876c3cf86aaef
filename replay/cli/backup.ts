/**
 * clash backup --out FILE: an online, consistent copy of the ledger while the server runs,
 * checked with `PRAGMA integrity_check` and then `ledger verify` on the copy (every event
 * re-hashed, every signed checkpoint checked) against the trusted ledger key of the source
 * (CLASH_LEDGER_SIGNING_KEY, else the development key beside it; skipped, saying so, without one).
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { existingLedgerPublicKey } from '../../adapters/ledger-key/ledger-key.ts';
import { verifyLedger } from '../../commands/ledger/verify.ts';
import { commonFlags, defineCommand, existingDb, UsageError } from './command.ts';
import { readOnlyStore } from './ledger.ts';

export const backupCommand = defineCommand({
  words: ['backup'],
  usage: 'clash backup --out FILE [--db PATH] [--json]',
  summary: "copy the ledger with SQLite's online backup (consistent even while the server appends)",
  options: { out: { type: 'string' } },
  schema: z.object({ ...commonFlags, out: z.string().min(1), positionals: z.array(z.string()).max(0) }),
  run: async (flags, ctx) => {
    if (existsSync(flags.out)) throw new UsageError(`--out: ${flags.out} exists; refusing to overwrite a backup`);
    const source = existingDb(flags.db, ctx.env);
    const db = new Database(source, { readonly: true });
    try {
      const progress = ctx.out.progress('backup');
      const started = performance.now();
      const result = await db.backup(flags.out, {
        progress: ({ totalPages, remainingPages }) => {
          progress.update(totalPages - remainingPages, totalPages);
          return 2000;
        },
      });
      progress.stop();
      const copy = new Database(flags.out, { readonly: true });
      const check = copy.pragma('integrity_check', { simple: true });
      const head = copy.prepare('SELECT coalesce(max(position), 0) FROM events').pluck().get() as number;
      copy.close();
      const ledger = ledgerCheck(source, flags.out, ctx);
      const summary = {
        out: flags.out,
        pages: result.totalPages,
        head,
        integrity: check,
        ledger,
        ms: Math.round(performance.now() - started),
      };
      ctx.out.data(summary);
      ctx.out.line(`backed up ${summary.pages} pages to ${flags.out} in ${summary.ms} ms: head ${head}, integrity ${check}`);
      ctx.out.line(`ledger verify of the copy: ${ledger}`);
      return check === 'ok' && (ledger === 'ok' || ledger.startsWith('skipped')) ? 0 : 1;
    } finally {
      db.close();
    }
  },
});

/** `ledger verify` of the copy: 'ok', the first problem, or why it was skipped. */
function ledgerCheck(source: string, copy: string, ctx: Parameters<typeof backupCommand.run>[1]): string {
  const trusted = existingLedgerPublicKey(ctx.env.CLASH_LEDGER_SIGNING_KEY, source);
  if (!trusted) return 'skipped: no trusted ledger key (CLASH_LEDGER_SIGNING_KEY or ledger-key.pem beside the source)';
  const store = readOnlyStore(copy, ctx);
  try {
    const result = verifyLedger(store, trusted);
    return result.ok ? 'ok' : `position ${result.firstProblem?.position}: ${result.firstProblem?.problem}`;
  } finally {
    store.close();
  }
}
