/** clash backup --out FILE: an online, consistent copy of the ledger while the server runs. */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { commonFlags, defineCommand, existingDb, UsageError } from './command.ts';

export const backupCommand = defineCommand({
  words: ['backup'],
  usage: 'clash backup --out FILE [--db PATH] [--json]',
  summary: "copy the ledger with SQLite's online backup (consistent even while the server appends)",
  options: { out: { type: 'string' } },
  schema: z.object({ ...commonFlags, out: z.string().min(1), positionals: z.array(z.string()).max(0) }),
  run: async (flags, ctx) => {
    if (existsSync(flags.out)) throw new UsageError(`--out: ${flags.out} exists; refusing to overwrite a backup`);
    const db = new Database(existingDb(flags.db, ctx.env), { readonly: true });
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
      const summary = { out: flags.out, pages: result.totalPages, head, integrity: check, ms: Math.round(performance.now() - started) };
      ctx.out.data(summary);
      ctx.out.line(`backed up ${summary.pages} pages to ${flags.out} in ${summary.ms} ms: head ${head}, integrity ${check}`);
      return check === 'ok' ? 0 : 1;
    } finally {
      db.close();
    }
  },
});
