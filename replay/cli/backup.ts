/**
 * clash backup [--out FILE]: a checked, consistent copy of the ledger while the server runs
 * (`core/backup.ts`: `VACUUM INTO` a temporary file, integrity check, rename). Without `--out`
 * the copy goes to the artifact store (`CLASH_ARTIFACTS_URL`) under `backups/`, is recorded in
 * the ledger with its head, and the store is pruned to `CLASH_BACKUP_RETAIN`.
 *
 * clash backup drill [--key KEY]: restores the latest backup (or KEY) into a scratch folder and
 * runs the drill checks (`drill-checks.ts`); exit 0 when all pass, 1 otherwise, with figures.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { existingLedgerPublicKey } from '../../adapters/ledger-key/ledger-key.ts';
import { restoreFile, snapshotInto } from '../../core/backup.ts';
import { openDatabase } from '../../core/database.ts';
import { BackupCatalog, fetchBackup, headOfKey, latestBackupKey } from '../../core/operations/backup-catalog.ts';
import { publicKeyFromHex } from '../../core/signed-checkpoint.ts';
import { loadConfig, openConfiguredArtifactStore } from '../../server/config.ts';
import { openLedger } from '../../server/context.ts';
import { commonFlags, defineCommand, existingDb, UsageError } from './command.ts';
import { type DrillResult, drillChecks } from './drill-checks.ts';
import { publicKeyFlag } from './ledger.ts';

export const backupCommand = defineCommand({
  words: ['backup'],
  usage: 'clash backup [--out FILE] [--db PATH] [--json]',
  summary: 'a checked copy of the ledger (consistent while the server appends): to FILE, or into the artifact store',
  options: { out: { type: 'string' } },
  schema: z.object({ ...commonFlags, out: z.string().min(1).max(4096).optional(), positionals: z.array(z.string()).max(0) }),
  run: async (flags, ctx) => {
    const path = existingDb(flags.db, ctx.env);
    const started = performance.now();
    if (flags.out !== undefined) {
      if (existsSync(flags.out)) throw new UsageError(`--out: ${flags.out} exists; refusing to overwrite a backup`);
      const db = openDatabase(path, { readonly: true });
      try {
        const check = snapshotInto(db, flags.out);
        const summary = { out: flags.out, ...check, ms: Math.round(performance.now() - started) };
        ctx.out.data(summary);
        ctx.out.line(
          `backed up ${check.events} events (${check.bytes} bytes) to ${flags.out} in ${summary.ms} ms: head ${check.head}, integrity ok`,
        );
        return 0;
      } finally {
        db.close();
      }
    }
    const config = loadConfig({ ...ctx.env, CLASH_DB: path });
    const db = openDatabase(path);
    try {
      const catalog = new BackupCatalog(db, openConfiguredArtifactStore(config));
      const record = await catalog.take(Date.now());
      const pruned = await catalog.prune(config.CLASH_BACKUP_RETAIN);
      ctx.out.data({ ...record, store: catalog.store.url, pruned });
      ctx.out.line(
        `backed up ${record.events} events (${record.bytes} bytes) to ${catalog.store.url} ${record.key} in ${record.ms} ms: head ${record.head}`,
      );
      if (pruned.length > 0) ctx.out.line(`pruned ${pruned.length} old backup(s) (keeping ${config.CLASH_BACKUP_RETAIN})`);
      return 0;
    } finally {
      db.close();
    }
  },
});

export const backupDrill = defineCommand({
  words: ['backup', 'drill'],
  usage: 'clash backup drill [--key KEY] [--public-key HEX] [--json]',
  summary:
    'restore the latest backup (or KEY) from the artifact store into scratch and verify it: projections, journals, the Merkle log (ledger verify); exit 1 on any failure',
  options: { key: { type: 'string' }, 'public-key': { type: 'string' } },
  schema: z.object({
    ...commonFlags,
    key: z.string().min(1).max(512).optional(),
    'public-key': publicKeyFlag,
    positionals: z.array(z.string()).max(0),
  }),
  run: async (flags, ctx) => {
    const store = openConfiguredArtifactStore(loadConfig(ctx.env));
    const key = flags.key ?? (await latestBackupKey(store));
    if (key === undefined) throw new UsageError(`--key: no backup in ${store.url}`);
    const scratch = mkdtempSync(join(tmpdir(), 'clash-drill-'));
    const started = performance.now();
    try {
      await fetchBackup(store, key, join(scratch, 'backup.sqlite'));
      const restored = restoreFile(join(scratch, 'backup.sqlite'), join(scratch, 'ledger.sqlite'));
      const expectedHead = headOfKey(key);
      const results: DrillResult[] = [
        {
          check: 'restore',
          ok: restored.integrity === 'ok' && (expectedHead === null || expectedHead === restored.head),
          figures: { head: restored.head, expectedHead: expectedHead ?? '-', events: restored.events, bytes: restored.bytes },
        },
      ];
      const ledger = openLedger({ dbPath: join(scratch, 'ledger.sqlite'), composition: ctx.composition });
      try {
        // The trusted ledger key: --public-key, else the configured key, else the development key beside CLASH_DB (never the copy's own).
        const source = ctx.env.CLASH_DB ?? './data/clash.db';
        const trusted = flags['public-key']
          ? publicKeyFromHex(flags['public-key'])
          : existingLedgerPublicKey(ctx.env.CLASH_LEDGER_SIGNING_KEY, source);
        for (const check of drillChecks(trusted)) {
          const t = performance.now();
          const result = check.run(ledger, ctx.composition.projections);
          results.push({ ...result, figures: { ...result.figures, ms: Math.round(performance.now() - t) } });
        }
      } finally {
        ledger.close();
      }
      const ok = results.every((r) => r.ok);
      const ms = Math.round(performance.now() - started);
      ctx.out.data({ key, store: store.url, ok, ms, results });
      ctx.out.line(`drill of ${store.url} ${key}: ${ok ? 'PASS' : 'FAIL'} in ${ms} ms`);
      for (const r of results) {
        ctx.out.line(
          `  ${r.ok ? 'ok  ' : 'FAIL'} ${r.check}: ${Object.entries(r.figures)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        );
      }
      return ok ? 0 : 1;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
});
