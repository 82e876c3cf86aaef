/**
 * A real server on 127.0.0.1 (port 0) over a fresh SQLite file, with a manual clock, no
 * background competition worker and no rate limits. Every answer to `call` is checked against
 * the served OpenAPI document (`contract.ts`).
 */
import pino from 'pino';
import { ManualClock } from '../../core/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { type RunningServer, startServer } from '../../server/serve.ts';
import { type Contract, contractOf } from './contract.ts';
import { tempDir } from './store.ts';

/** fetch against a server, JSON in and out, with an optional Authorization header; the answer must match the document. */
export type Call = (
  method: string,
  path: string,
  options?: { body?: unknown; auth?: string },
) => Promise<{ status: number; body: unknown }>;

/** A client of the server at `url` (an in-process test server or a real server process). */
export function httpCall(url: string): Call {
  let contract: Promise<Contract> | undefined;
  return async (method, path, options = {}) => {
    const res = await fetch(url + path, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.auth === undefined ? {} : { authorization: options.auth }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('json');
    const body = text ? (json ? (JSON.parse(text) as unknown) : text) : null;
    contract ??= contractOf(url);
    (await contract).check(method, path, res.status, body);
    return { status: res.status, body };
  };
}

export interface TestServer extends RunningServer {
  readonly clock: ManualClock;
  readonly call: Call;
  stop(): Promise<void>;
}

export const T0 = Date.UTC(2026, 0, 1);

export async function startTestServer(
  env: Record<string, string> = {},
  now = T0,
  options: Pick<
    NonNullable<Parameters<typeof startServer>[1]>,
    'economyPorts' | 'competitionEconomy' | 'composition' | 'routes' | 'log'
  > = {},
): Promise<TestServer> {
  const dir = tempDir('clash-http-');
  const clock = new ManualClock(now);
  // No background competition, decision or checkpoint worker unless a test asks for one: they would append to the log.
  const config = loadConfig({
    NODE_ENV: 'test',
    CLASH_DB: dir.file('clash.db'),
    PORT: '0',
    CLASH_SYNCHRONOUS: 'NORMAL',
    CLASH_COMPETITION_TICK_MS: '0',
    DECISION_TICK_MS: '0',
    // Every simulated client and user calls from 127.0.0.1 as fast as it can: rate limits are
    // off unless a test sets them (test/server/limits.test.ts does).
    CLASH_RATE_LIMIT_ANONYMOUS: '0',
    CLASH_RATE_LIMIT_USER_WRITES: '0',
    CLASH_CHECKPOINT_INTERVAL_SECONDS: '0',
    // requested backtests stay queued for the route tests to read; the worker is tested on its own
    BACKTEST_WORKER_INTERVAL_MS: '0',
    ...env,
  });
  const running = await startServer(config, { clock, log: pino({ level: 'silent' }), ...options });
  return {
    ...running,
    clock,
    call: httpCall(running.url),
    stop: async () => {
      await running.close();
      dir.remove();
    },
  };
}

/** The error code of an error body. */
export const codeOf = (body: unknown) => (body as { error?: { code?: string } } | null)?.error?.code;
