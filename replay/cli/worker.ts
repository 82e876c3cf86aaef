/** clash worker NAME [--db PATH]: one worker of `workerCatalog` (server/workers.ts) alone until SIGTERM/SIGINT. */
import { z } from 'zod';
import { loadConfig } from '../../server/config.ts';
import { runWorkerUntilSignalled } from '../../server/serve.ts';
import { workerCatalog } from '../../server/workers.ts';
import { commonFlags, defineCommand, existingDb } from './command.ts';

export const workerCommand = defineCommand({
  words: ['worker'],
  usage: `clash worker ${Object.keys(workerCatalog).join('|')} [--db PATH]`,
  summary: 'run one worker alone against the ledger (any number of processes: exclusive workers hold a lease)',
  schema: z.object({
    ...commonFlags,
    positionals: z.tuple([z.enum(Object.keys(workerCatalog) as [string, ...string[]])]),
  }),
  run: async (flags, ctx) => {
    const config = loadConfig({ ...ctx.env, CLASH_DB: existingDb(flags.db, ctx.env) });
    await runWorkerUntilSignalled(config, flags.positionals[0], { composition: ctx.composition });
    return 0;
  },
});
