/**
 * The one mechanism every worker plugs into (projections, competition, reconciliation, backups,
 * alerts; ingestion, decisions and backtests as they arrive): `startWorker` ticks a
 * `WorkerDefinition` on an interval, never overlapping itself, and writes a heartbeat at start and
 * after every tick — last success or last error, units in flight, signals for the alert rules. An
 * `exclusive` worker holds a lease (`leases.ts`), so several processes may run it and one works.
 * Issue 15, "Heartbeats and health" and "Process layout".
 */
import { hostname } from 'node:os';
import type { Clock } from '../clock.ts';
import type { Heartbeats } from './heartbeats.ts';
import type { Leases } from './leases.ts';

/** What a tick reports: units still in flight (parked, queued) and named figures for alert rules. */
export interface TickResult {
  readonly unitsInFlight?: number;
  readonly signals?: Readonly<Record<string, number>>;
}

export interface WorkerDefinition {
  /** `[a-z][a-z0-9-]*`, ≤ 40 characters: the name `clash worker <name>` and the health route use. */
  readonly name: string;
  /** Time between ticks, in ms; a heartbeat is written after each. */
  readonly intervalMs: number;
  /** One tick at `now` (epoch ms). Throwing marks the worker `failing` until a tick succeeds. */
  tick(now: number): Promise<TickResult | undefined> | TickResult | undefined;
  /** Only one process at a time may run it (a lease of `leaseMs`, renewed before and after each tick). */
  readonly exclusive?: boolean;
  /** Tick once at start, not only after the first interval. */
  readonly tickAtStart?: boolean;
  /** Called once after the last tick, before the heartbeat is removed. */
  close?(): Promise<void> | void;
}

/** Minimal logging a worker needs (pino's `Logger` fits). */
export interface WorkerLog {
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface WorkerDeps {
  readonly heartbeats: Heartbeats;
  readonly leases: Leases;
  readonly clock: Clock;
  readonly log: WorkerLog;
  /** Told after every tick: its duration in ms and whether it failed (the metrics hook). */
  readonly onTick?: (worker: string, ms: number, ok: boolean) => void;
}

export interface RunningWorker {
  readonly name: string;
  /** Runs one tick now (after the one in flight, if any); what the interval does. */
  tickNow(): Promise<void>;
  /** Stops the interval, waits for the tick in flight, gives up the lease and removes the heartbeat. */
  stop(): Promise<void>;
}

export const zWorkerName = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * How long an exclusive worker's lease lasts: three intervals, and at least a minute, so a slow
 * tick on a loaded machine does not let a standby in while it runs; a standby takes over at most
 * this long after its holder died.
 */
export const leaseMs = (intervalMs: number) => Math.max(3 * intervalMs, 60_000);

/** Whether a process with this pid runs on this host (signal 0 checks without signalling; EPERM: it runs as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function startWorker(def: WorkerDefinition, deps: WorkerDeps, options: { autoStart?: boolean } = {}): RunningWorker {
  if (!zWorkerName.test(def.name)) throw new Error(`worker name ${JSON.stringify(def.name)} must match ${zWorkerName}`);
  const host = hostname();
  const { pid } = process;
  const holder = `${host}:${pid}`;
  const startedAt = deps.clock.now();
  let lastSuccessAt: number | null = null;
  let lastError: string | null = null;
  let lastErrorAt: number | null = null;
  deps.heartbeats.starting(def.name, host, (other) => other === pid || running(other));

  let busy = false;
  const once = async () => {
    busy = true;
    try {
      beatAfter(await runTick());
    } catch (error) {
      deps.log.error({ err: error, worker: def.name }, 'worker heartbeat failed');
    } finally {
      busy = false;
    }
  };

  const runTick = async (): Promise<{ result: TickResult | undefined; standby: boolean }> => {
    const now = deps.clock.now();
    const started = performance.now();
    let result: TickResult | undefined;
    let ok = true;
    const standby = def.exclusive === true && !deps.leases.acquire(def.name, holder, now, leaseMs(def.intervalMs));
    if (!standby) {
      try {
        result = (await def.tick(now)) ?? undefined;
        lastSuccessAt = now;
      } catch (error) {
        ok = false;
        lastError = error instanceof Error ? error.message : String(error);
        lastErrorAt = now;
        deps.log.error({ err: error, worker: def.name }, 'worker tick failed; retrying at the next tick');
      }
    }
    if (def.exclusive === true && !standby) deps.leases.acquire(def.name, holder, deps.clock.now(), leaseMs(def.intervalMs));
    deps.onTick?.(def.name, performance.now() - started, ok);
    return { result, standby };
  };

  const beatAfter = ({ result, standby }: { result: TickResult | undefined; standby: boolean }) => {
    deps.heartbeats.beat({
      worker: def.name,
      host,
      pid,
      startedAt,
      lastBeatAt: deps.clock.now(),
      lastSuccessAt,
      lastError,
      lastErrorAt,
      unitsInFlight: result?.unitsInFlight ?? 0,
      intervalMs: def.intervalMs,
      signals: { ...(result?.signals ?? {}), ...(standby ? { standby: 1 } : {}) },
    });
  };

  beatAfter({ result: undefined, standby: false }); // visible from the start, before its first tick
  let current: Promise<void> = Promise.resolve();
  let stopped = false;
  const tickNow = () => {
    current = current.then(once, once);
    return current;
  };
  const timer = options.autoStart === false ? undefined : setInterval(() => void (stopped || busy || tickNow()), def.intervalMs);
  timer?.unref();
  if (timer && def.tickAtStart) void tickNow();
  return {
    name: def.name,
    tickNow,
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await current;
      await def.close?.();
      if (def.exclusive) deps.leases.release(def.name, holder);
      deps.heartbeats.stopped(def.name, host, pid);
    },
  };
}
