/**
 * A repeating poll: runs `run` now, then every `everyMs`; after a failure the next try comes
 * sooner or later by exponential backoff with jitter — min(everyMs, baseMs · 2^failures) scaled
 * by [0.5, 1) — so an offline machine retries without hammering. `stop` waits for a run in flight.
 */

export interface Poller {
  stop(): Promise<void>;
}

export interface PollOptions {
  readonly everyMs: number;
  readonly run: () => Promise<void>;
  readonly onError: (error: unknown, failures: number) => void;
  readonly baseBackoffMs?: number;
  readonly random?: () => number;
}

/** The delay (ms) after `failures` consecutive failures: min(everyMs, base · 2^(failures−1)) · [0.5, 1). */
export function retryDelayMs(failures: number, everyMs: number, baseMs: number, random: () => number): number {
  return Math.min(everyMs, baseMs * 2 ** Math.min(failures - 1, 20)) * (0.5 + random() / 2);
}

export function startPoller(options: PollOptions): Poller {
  let stopped = false;
  let failures = 0;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    current = options.run().then(
      () => {
        failures = 0;
        schedule(options.everyMs);
      },
      (err: unknown) => {
        failures += 1;
        options.onError(err, failures);
        schedule(retryDelayMs(failures, options.everyMs, options.baseBackoffMs ?? 1000, options.random ?? Math.random));
      },
    );
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(tick, ms);
    timer.unref();
  };
  tick();
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
