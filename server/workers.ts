/**
 * Background work of the server process. For now: catching async projections up. Each round
 * is a few short transactions, so it interleaves with request handling on the one thread.
 */
import type { Logger } from 'pino';
import type { Ledger } from './context.ts';

export interface Worker {
  stop(): Promise<void>;
}

export function startProjectionWorker(ledger: Ledger, log: Logger, pollMs: number): Worker {
  let running = false;
  let failures = 0;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    try {
      const applied = ledger.projections.catchUpAll();
      if (applied > 0) log.debug({ applied }, 'projections caught up');
      failures = 0;
    } catch (err) {
      failures += 1;
      log.error({ err, failures }, 'projection catch-up failed; retrying');
    } finally {
      running = false;
    }
  }, pollMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
    },
  };
}
