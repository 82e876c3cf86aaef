/** A child process running the real server with the wallet domain, until SIGTERM. Prints its URL. */
import pino from 'pino';
import { loadConfig } from '../../server/config.ts';
import { healthRoutes } from '../../server/routes/health.ts';
import { startServer } from '../../server/serve.ts';
import { walletComposition } from './wallet/composition.ts';
import { walletRoutes } from './wallet/routes.ts';

const config = loadConfig({ NODE_ENV: 'test', CLASH_DB: process.argv[2], PORT: '0', LOG_LEVEL: 'silent' });
const server = await startServer(config, {
  composition: walletComposition,
  routes: [healthRoutes, walletRoutes],
  log: pino({ level: 'silent' }),
});
process.stdout.write(`${server.url}\n`);
process.once('SIGTERM', () => {
  server.close().then(() => {
    process.stdout.write('stopped\n');
    process.exit(0);
  });
});
