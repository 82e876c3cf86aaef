/**
 * The main job: open the ledger, serve the API, run the workers, and shut down gracefully on
 * SIGTERM/SIGINT: stop accepting connections, let requests in flight finish (a SQLite
 * transaction is synchronous, so one in flight always completes), stop workers, close the file.
 */
import { serve as honoServe, type ServerType } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import type { AlertSink } from '../adapters/alerts/webhook.ts';
import type { ArtifactStore } from '../adapters/artifacts/store.ts';
import { configuredLedgerKey, type LedgerKey, ledgerKey } from '../adapters/ledger-key/ledger-key.ts';
import { ARENA_CATEGORY } from '../commands/competition/arena-decider.ts';
import type { CompetitionEconomy } from '../commands/competition/ports.ts';
import type { Clock, IdSource } from '../core/clock.ts';
import { ConfigError } from '../core/config.ts';
import { DomainError } from '../core/errors.ts';
import { createApp, productRoutes } from './app.ts';
import { anyOf, serviceTokenAuthenticator } from './auth.ts';
import { answerClientErrors } from './client-errors.ts';
import { competitionEconomyOf, competitionTicketPorts } from './competition-economy.ts';
import { type Composition, productComposition } from './composition.ts';
import { type Config, openConfiguredArtifactStore, servingConfig } from './config.ts';
import { type Ledger, openLedger } from './context.ts';
import { withKeptSecrets } from './dev-state.ts';
import { type Economy, type EconomyPorts, startEconomy } from './economy.ts';
import { createIdentity } from './identity.ts';
import { type Operations, openOperations } from './operations.ts';
import type { RouteModule } from './route-module.ts';
import { type RunningWorker, startWorkers, type WorkerContext } from './workers.ts';

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

/** What a process over the ledger (the API server, `clash worker`) may be given instead of its defaults. */
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

/** The configuration with development secrets kept beside the database, and the ledger it names. */
function openConfiguredLedger(configured: Config, log: Logger, options: ProcessOptions): { config: Config; ledger: Ledger } {
  const { config, kept } = withKeptSecrets(configured);
  for (const k of kept)
    log.info({ variable: k.variable, file: k.file }, k.created ? 'development secret generated and kept' : 'development secret read');
  const key = ledgerKey(config.CLASH_LEDGER_SIGNING_KEY, config.CLASH_DB);
  if (key.source !== 'configured') {
    log.warn(
      { keyId: key.keyId, source: key.source },
      'CLASH_LEDGER_SIGNING_KEY is not set: checkpoints are signed with the development key',
    );
  }
  const ledger = openLedger({
    dbPath: config.CLASH_DB,
    ledgerKey: () => key,
    synchronous: config.CLASH_SYNCHRONOUS,
    groupCommit: { maxBatch: config.CLASH_GROUP_COMMIT_MAX_BATCH, maxWaitMs: config.CLASH_GROUP_COMMIT_WAIT_MS },
    ...(options.composition ? { composition: options.composition } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.ids ? { ids: options.ids } : {}),
  });
  adoptConfiguredKey(ledger, key, config, log);
  return { config, ledger };
}

/**
 * Makes the configured ledger key the log's signing key before anything signs: a rotation from
 * CLASH_LEDGER_PREVIOUS_SIGNING_KEY when the log is still signed by it. When the log is signed
 * by a key neither of them is: a ConfigError naming both variables for a configured key; for a
 * development key (e.g. a copied file, whose state folder holds another key) an error in the log,
 * and checkpoints are refused until `clash ledger rotate-key` or the right key file.
 */
function adoptConfiguredKey(ledger: Ledger, key: LedgerKey, config: Config, log: Logger): void {
  const previous = config.CLASH_LEDGER_PREVIOUS_SIGNING_KEY;
  try {
    const rotation = ledger.checkpoints.adopt(key, previous === undefined ? undefined : configuredLedgerKey(previous));
    if (rotation) log.warn({ from: rotation.previousKeyId, to: rotation.keyId }, 'ledger key rotated: the rotation is recorded in the log');
  } catch (error) {
    if (error instanceof DomainError && key.source !== 'configured') {
      log.error({ err: error }, 'the development ledger key is not the log’s key: checkpoints will be refused');
      return;
    }
    ledger.close();
    if (!(error instanceof DomainError)) throw error;
    throw new ConfigError([`CLASH_LEDGER_SIGNING_KEY: ${error.message} (CLASH_LEDGER_PREVIOUS_SIGNING_KEY)`]);
  }
}

/** The economy, the competition's view of it and the operations tables over an open ledger: what workers run on. */
async function wireProcess(ledger: Ledger, config: Config, log: Logger, options: ProcessOptions): Promise<WorkerContext> {
  let economy: Economy | null = null;
  const competitionEconomy = options.competitionEconomy ?? competitionEconomyOf(ledger, () => economy);
  economy = await startEconomy(ledger, config, log, options.economyPorts ?? ((l) => competitionTicketPorts(l, competitionEconomy)));
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
  configured: Config,
  options: ProcessOptions & { routes?: readonly RouteModule[] } = {},
): Promise<RunningServer> {
  const log = options.log ?? pino({ level: configured.LOG_LEVEL });
  const { config, ledger } = openConfiguredLedger(configured, log, options);
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
  answerClientErrors(server);
  const address = server.address();
  const url = listeningUrl(config.HOST, typeof address === 'object' && address ? address.port : config.PORT);
  const serving = servingConfig(config, url);
  const workers: RunningWorker[] = [];
  let economy: Economy | null = null;
  const stopWorkers = async () => {
    for (const worker of workers.splice(0)) await worker.stop();
  };
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    });
  let wired: WorkerContext;
  try {
    const identity = createIdentity(ledger, serving);
    if (identity.generatedKey) log.warn('CLASH_JWT_PRIVATE_KEY is not set: access tokens are signed with a key generated at start-up');
    if (config.CLASH_DEV_IDENTITY) log.warn('CLASH_DEV_IDENTITY is on: `Authorization: Dev <address>` signs in without a signature');
    const auth = anyOf([serviceTokenAuthenticator(config.CLASH_SERVICE_TOKENS), ...identity.authenticators]);
    wired = await wireProcess(ledger, serving, log, options);
    economy = wired.economy;
    const { competitionEconomy, ops } = wired;
    const app = createApp(
      { ledger, log, auth, config: serving, identity, economy, competitionEconomy, ops },
      options.routes ?? productRoutes,
    );
    workers.push(...startWorkers(config.CLASH_SERVE_WORKERS, wired, ledger.clock));
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
  return { url, ledger, economy, competitionEconomy: wired.competitionEconomy, ops: wired.ops, close };
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
export async function runWorkerUntilSignalled(configured: Config, name: string, options: ProcessOptions = {}): Promise<void> {
  const log = options.log ?? pino({ level: configured.LOG_LEVEL });
  const { config, ledger } = openConfiguredLedger(configured, log, options);
  let economy: Economy | null = null;
  try {
    const wired = await wireProcess(ledger, config, log, options);
    economy = wired.economy;
    const [worker] = startWorkers([name], wired, ledger.clock);
    log.info({ worker: name, db: config.CLASH_DB, pid: process.pid }, 'worker started');
    const keepAlive = setInterval(() => {}, 2 ** 30); // worker timers are unref'd: this holds the process until a signal
    await untilSignalled();
    clearInterval(keepAlive);
    await worker?.stop();
  } finally {
    await economy?.stop();
    ledger.close();
  }
}
