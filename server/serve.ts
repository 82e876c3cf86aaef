/**
 * The main job: open the ledger, serve the API, run the workers, and shut down gracefully on
 * SIGTERM/SIGINT: stop accepting connections, let requests in flight finish (a SQLite
 * transaction is synchronous, so one in flight always completes), stop workers, close the file.
 */
import { serve as honoServe, type ServerType } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import type { AlertSink } from '../adapters/alerts/webhook.ts';
import type { ArtifactStore } from '../adapters/artifacts/store.ts';
import { ARENA_CATEGORY } from '../commands/competition/arena-decider.ts';
import type { CompetitionEconomy } from '../commands/competition/ports.ts';
import type { Clock, IdSource } from '../core/clock.ts';
import { createApp, productRoutes } from './app.ts';
import { anyOf, serviceTokenAuthenticator } from './auth.ts';
import { competitionEconomyOf, competitionTicketPorts } from './competition-economy.ts';
import { type Composition, productComposition } from './composition.ts';
import { type Config, openConfiguredArtifactStore } from './config.ts';
import { type Ledger, openLedger } from './context.ts';
import { type Economy, type EconomyPorts, startEconomy } from './economy.ts';
import { createIdentity } from './identity.ts';
import { type Operations, openOperations } from './operations.ts';
import type { RouteModule } from './route-module.ts';
import { startWorkers, type WorkerContext } from './workers.ts';

export interface RunningServer {
  readonly url: string;
  readonly ledger: Ledger;
  /** The economy's commands (null without a chain), for the modules that call them. */
  readonly economy: Economy | null;
  /** The competition's view of the economy (the ports its worker and routes use). */
  readonly competitionEconomy: CompetitionEconomy;
  /** Heartbeats, dead letters, alerts, backups and metrics of this ledger. */
  readonly ops: Operations;
  close(): Promise<void>;
}

export interface ProcessOptions {
  composition?: Composition;
  log?: Logger;
  clock?: Clock;
  ids?: IdSource;
  /** What other modules provide to the economy (default: the competition's ticket ports). */
  economyPorts?: (ledger: Ledger) => EconomyPorts;
  /** The competition's view of the economy (default: the Economy module, `server/competition-economy.ts`); tests pass a double. */
  competitionEconomy?: CompetitionEconomy;
  /** Where backups go (default: the store `CLASH_ARTIFACTS_URL` names). */
  artifacts?: ArtifactStore;
  /** Where alert notices go (default: `CLASH_ALERT_WEBHOOK_URL`'s webhook). */
  alertSink?: AlertSink;
}

/** What every process over the ledger opens (the API server and `clash worker`): ledger, economy, operations. */
export async function openProcess(config: Config, options: ProcessOptions = {}): Promise<WorkerContext> {
  const log = options.log ?? pino({ level: config.LOG_LEVEL });
  const ledger = openLedger({
    dbPath: config.CLASH_DB,
    synchronous: config.CLASH_SYNCHRONOUS,
    groupCommit: { maxBatch: config.CLASH_GROUP_COMMIT_MAX_BATCH, maxWaitMs: config.CLASH_GROUP_COMMIT_WAIT_MS },
    ...(options.composition ? { composition: options.composition } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.ids ? { ids: options.ids } : {}),
  });
  let economy: Economy | null = null;
  const competitionEconomy = options.competitionEconomy ?? competitionEconomyOf(ledger, () => economy);
  try {
    economy = await startEconomy(ledger, config, log, options.economyPorts ?? ((l) => competitionTicketPorts(l, competitionEconomy)));
  } catch (error) {
    ledger.close();
    throw error;
  }
  const ops = openOperations(ledger, config, options.artifacts ?? openConfiguredArtifactStore(config));
  const competing = (options.composition ?? productComposition).streams.some((k) => k.category === ARENA_CATEGORY);
  return {
    ledger,
    config,
    log,
    ops,
    economy,
    competitionEconomy,
    competing,
    ...(options.alertSink ? { alertSink: options.alertSink } : {}),
  };
}

export async function startServer(
  config: Config,
  options: ProcessOptions & { routes?: readonly RouteModule[] } = {},
): Promise<RunningServer> {
  const proc = await openProcess(config, options);
  const { ledger, log, economy, competitionEconomy, ops } = proc;
  const identity = createIdentity(ledger, config);
  if (identity.generatedKey) log.warn('CLASH_JWT_PRIVATE_KEY is not set: access tokens are signed with a key generated at start-up');
  if (config.CLASH_DEV_IDENTITY) log.warn('CLASH_DEV_IDENTITY is on: `Authorization: Dev <address>` signs in without a signature');
  const auth = anyOf([serviceTokenAuthenticator(config.CLASH_SERVICE_TOKENS), ...identity.authenticators]);
  const app = createApp({ ledger, log, auth, config, identity, economy, competitionEconomy, ops }, options.routes ?? productRoutes);
  let workers: ReturnType<typeof startWorkers>;
  try {
    workers = startWorkers(config.CLASH_SERVE_WORKERS, proc, ledger.clock);
  } catch (error) {
    await economy?.stop();
    ledger.close();
    throw error;
  }
  const stopWorkers = async () => {
    for (const worker of workers) await worker.stop();
  };
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = honoServe({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, () => resolve(s));
    s.once('error', reject);
  }).catch(async (error: unknown) => {
    await stopWorkers();
    await economy?.stop();
    ledger.close();
    throw error;
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST}:${port}`;
  log.info({ url, db: config.CLASH_DB, head: ledger.store.headPosition() }, 'clash ledger listening');
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      });
      await stopWorkers();
      await economy?.stop();
      ledger.close();
      log.info('clash ledger stopped');
    })();
    return closing;
  };
  return { url, ledger, economy, competitionEconomy, ops, close };
}

/** Resolves at the first SIGTERM or SIGINT. */
export function untilSignalled(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/** Runs until SIGTERM or SIGINT, then closes gracefully. */
export async function serveUntilSignalled(config: Config, options: Parameters<typeof startServer>[1] = {}): Promise<void> {
  const running = await startServer(config, options);
  await untilSignalled();
  await running.close().catch(() => undefined);
}

/**
 * `clash worker NAME`: one worker alone over the ledger, until SIGTERM or SIGINT (then it
 * finishes its tick, gives up its lease and removes its heartbeat). Throws when the worker
 * cannot run with this configuration.
 */
export async function runWorkerUntilSignalled(config: Config, name: string, options: ProcessOptions = {}): Promise<void> {
  const proc = await openProcess(config, options);
  try {
    const [worker] = startWorkers([name], proc, proc.ledger.clock);
    proc.log.info({ worker: name, db: config.CLASH_DB, pid: process.pid }, 'worker started');
    const keepAlive = setInterval(() => {}, 2 ** 30); // worker timers are unref'd: this holds the process until a signal
    await untilSignalled();
    clearInterval(keepAlive);
    await worker?.stop();
  } finally {
    await proc.economy?.stop();
    proc.ledger.close();
  }
}
