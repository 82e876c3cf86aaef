/** clash serve [--db PATH] [--port N] [--host H]: the API server and workers (what `npm start` runs). */
import { z } from 'zod';
import { loadConfig } from '../../server/config.ts';
import { serveUntilSignalled } from '../../server/serve.ts';
import { commonFlags, defineCommand } from './command.ts';

export const serveCommand = defineCommand({
  words: ['serve'],
  usage: 'clash serve [--db PATH] [--port N] [--host HOST]',
  summary: 'run the HTTP API and the workers until SIGTERM/SIGINT',
  options: { port: { type: 'string' }, host: { type: 'string' } },
  schema: z.object({ ...commonFlags, port: z.string().optional(), host: z.string().optional(), positionals: z.array(z.string()).max(0) }),
  run: async (flags, ctx) => {
    const config = loadConfig({
      ...ctx.env,
      ...(flags.db ? { CLASH_DB: flags.db } : {}),
      ...(flags.port ? { PORT: flags.port } : {}),
      ...(flags.host ? { HOST: flags.host } : {}),
    });
    await serveUntilSignalled(config, { composition: ctx.composition });
    return 0;
  },
});
