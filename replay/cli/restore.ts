/**
 * clash restore --from FILE|KEY --db PATH: puts a backup (a file, or a key of the artifact store
 * `CLASH_ARTIFACTS_URL`) at PATH, checked first (`PRAGMA integrity_check`, an events table). It
 * refuses when anything exists at PATH or PATH-wal: it never overwrites a live database. The
 * restored head is printed; start the server on PATH, then run `projections verify`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { zArtifactKey } from '../../adapters/artifacts/store.ts';
import { restoreFile } from '../../core/backup.ts';
import { fetchBackup } from '../../core/operations/backup-catalog.ts';
import { loadConfig, openConfiguredArtifactStore } from '../../server/config.ts';
import { defineCommand, UsageError } from './command.ts';

export const restoreCommand = defineCommand({
  words: ['restore'],
  usage: 'clash restore --from FILE|KEY --db PATH [--json]',
  summary: 'restore a backup file or artifact-store key to PATH (refuses to overwrite an existing database)',
  options: { from: { type: 'string' } },
  schema: z.object({
    db: z.string().min(1).max(4096),
    json: z.boolean().default(false),
    from: z.string().min(1).max(4096),
    positionals: z.array(z.string()).max(0),
  }),
  run: async (flags, ctx) => {
    const scratch = mkdtempSync(join(tmpdir(), 'clash-restore-'));
    try {
      let source = flags.from;
      if (!existsSync(source)) {
        if (!zArtifactKey.safeParse(source).success)
          throw new UsageError(`--from: no such file ${source} (nor an artifact key such as backups/….sqlite)`);
        const store = openConfiguredArtifactStore(loadConfig(ctx.env));
        source = join(scratch, 'backup.sqlite');
        await fetchBackup(store, flags.from, source);
      }
      const check = restoreFile(source, flags.db);
      ctx.out.data({ from: flags.from, db: flags.db, ...check });
      ctx.out.line(`restored ${flags.from} to ${flags.db}: head ${check.head}, ${check.events} events, ${check.bytes} bytes, integrity ok`);
      return 0;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
});
