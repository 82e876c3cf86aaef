/**
 * The main job: open the ledger, serve the API, run the workers, and shut down gracefully on
 * SIGTERM/SIGINT: stop accepting connections, let requests in flight finish (a SQLite
 * transaction is synchronous, so one in flight always completes), stop workers, close the file.
 */
import { serve as honoServe, type ServerType } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import { ARENA_CATEGORY } from '../commands/competition/arena-decider.ts';
import type { CompetitionEconomy } from '../commands/competition/ports.ts';
import type { Clock, IdSource } from '../core/clock.ts';
import { createApp, productRoutes } from './app.ts';
import { anyOf, serviceTokenAuthenticator } from './auth.ts';
import { startCompetitionWorker } from './competition.ts';
import { competitionRules } from './competition-config.ts';
import { competitionEconomyOf, competitionTicketPorts } from './competition-economy.ts';
import { type Composition, productComposition } from './composition.ts';
import { type Config, servingConfig } from './config.ts';
import { type Ledger, openLedger } from './context.ts';
import { withKeptSecrets } from './dev-state.ts';
import { type Economy, type EconomyPorts, startEconomy } from './economy.ts';
import { createIdentity } from './identity.ts';
import { startIngestionWorker } from './ingestion.ts';
import type { RouteModule } from './route-module.ts';
import { startProjectionWorker, type Worker } from './workers.ts';

export interface RunningServer {
  readonly url: string;
  readonly ledger: Ledger;
  /** The economy's commands (null without a chain), for the modules that call them. */
  readonly economy: Economy | null;
  /** The competition's view of the economy (the ports its worker and routes use). */
  readonly competitionEconomy: CompetitionEconomy;
  close(): Promise<void>;
}

export async function startServer(
  configured: Config,
  options: {
    composition?: Composition;
    routes?: readonly RouteModule[];
    log?: Logger;
    clock?: Clock;
    ids?: IdSource;
    /** What other modules provide to the economy (default: the competition's ticket ports). */
    economyPorts?: (ledger: Ledger) => EconomyPorts;
    /** The competition's view of the economy (default: the Economy module, `server/competition-economy.ts`); tests pass a double. */
    competitionEconomy?: CompetitionEconomy;
  } = {},
): Promise<RunningServer> {
  const log = options.log ?? pino({ level: configured.LOG_LEVEL });
  const { config, kept } = withKeptSecrets(configured);
  for (const k of kept)
    log.info({ variable: k.variable, file: k.file }, k.created ? 'development secret generated and kept' : 'development secret read');
  const ledger = openLedger({
    dbPath: config.CLASH_DB,
    synchronous: config.CLASH_SYNCHRONOUS,
    groupCommit: { maxBatch: config.CLASH_GROUP_COMMIT_MAX_BATCH, maxWaitMs: config.CLASH_GROUP_COMMIT_WAIT_MS },
    ...(options.composition ? { composition: options.composition } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.ids ? { ids: options.ids } : {}),
  });
  // Listen first: the default sign-in origin is the address the server really listens on (the
  // real port when PORT=0). Until the modules are wired, requests answer 503 `starting`.
  let handler: (request: Request, env: unknown) => Response | Promise<Response> = starting;
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = honoServe({ fetch: (request, env) => handler(request, env), hostname: config.HOST, port: config.PORT }, () => resolve(s));
    s.once('error', reject);
  }).catch((error: unknown) => {
    ledger.close();
    throw error;
  });
  const address = server.address();
  const url = listeningUrl(config.HOST, typeof address === 'object' && address ? address.port : config.PORT);
  const serving = servingConfig(config, url);
  const workers: Worker[] = [];
  let economy: Economy | null = null;
  const stopWorkers = async () => {
    for (const worker of workers.splice(0)) await worker.stop();
  };
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    });
  let competitionEconomy: CompetitionEconomy;
  try {
    const identity = createIdentity(ledger, serving);
    if (identity.generatedKey) log.warn('CLASH_JWT_PRIVATE_KEY is not set: access tokens are signed with a key generated at start-up');
    if (config.CLASH_DEV_IDENTITY) log.warn('CLASH_DEV_IDENTITY is on: `Authorization: Dev <address>` signs in without a signature');
    const auth = anyOf([serviceTokenAuthenticator(config.CLASH_SERVICE_TOKENS), ...identity.authenticators]);
    const competition = options.competitionEconomy ?? competitionEconomyOf(ledger, () => economy);
    competitionEconomy = competition;
    economy = await startEconomy(ledger, config, log, options.economyPorts ?? ((l) => competitionTicketPorts(l, competition)));
    const app = createApp({ ledger, log, auth, config: serving, identity, economy, competitionEconomy }, options.routes ?? productRoutes);
    workers.push(startProjectionWorker(ledger, log, config.CLASH_PROJECTION_POLL_MS));
    const competing = (options.composition ?? productComposition).streams.some((k) => k.category === ARENA_CATEGORY);
    if (competing && config.CLASH_COMPETITION_TICK_MS > 0) {
      workers.push(startCompetitionWorker(ledger, competitionEconomy, competitionRules(config), log, config.CLASH_COMPETITION_TICK_MS));
    }
    if ((config.CLASH_INGESTION ?? (config.NODE_ENV === 'test' ? 'off' : 'on')) === 'on')
      workers.push(startIngestionWorker(ledger, config, log));
    handler = (request, env) => app.fetch(request, env);
  } catch (error) {
    await closeServer();
    await stopWorkers();
    await economy?.stop();
    ledger.close();
    throw error;
  }
  log.info(
    {
      url,
      origin: serving.CLASH_PUBLIC_ORIGIN,
      siweChainId: serving.CLASH_SIWE_CHAIN_ID,
      db: config.CLASH_DB,
      head: ledger.store.headPosition(),
    },
    'clash ledger listening',
  );
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await closeServer();
      await stopWorkers();
      await economy?.stop();
      ledger.close();
      log.info('clash ledger stopped');
    })();
    return closing;
  };
  return { url, ledger, economy, competitionEconomy, close };
}

/** The answer to a request that arrives while the server is still wiring its modules (the embedded chain may take a second). */
function starting(): Response {
  return Response.json(
    { error: { code: 'starting', message: 'the server is starting; retry in a moment', details: {} } },
    { status: 503, headers: { 'retry-after': '1' } },
  );
}

/**
 * The URL a client on this machine reaches the server at: a wildcard host (`0.0.0.0`, `::`)
 * becomes the loopback address, an IPv6 literal is bracketed.
 */
export function listeningUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Runs until SIGTERM or SIGINT, then closes gracefully. */
export async function serveUntilSignalled(config: Config, options: Parameters<typeof startServer>[1] = {}): Promise<void> {
  const running = await startServer(config, options);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      running.close().then(resolve, resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
