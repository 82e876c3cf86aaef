/**
 * Wiring of the ledger's integrity: the checkpoint worker, which signs and records a checkpoint
 * whenever the schedule says one is due (`CLASH_CHECKPOINT_EVERY_EVENTS` new events, or
 * `CLASH_CHECKPOINT_INTERVAL_SECONDS` after the last one when anything was appended). It checks
 * once a second (or at the interval, when shorter), so "every N events" means at the first
 * check after the N-th event.
 */
import type { Logger } from 'pino';
import type { CheckpointSchedule } from '../commands/ledger/handlers.ts';
import type { RunningWorker } from '../core/operations/worker-loop.ts';
import type { Config } from './config.ts';
import type { Ledger } from './context.ts';

export function checkpointSchedule(
  config: Pick<Config, 'CLASH_CHECKPOINT_EVERY_EVENTS' | 'CLASH_CHECKPOINT_INTERVAL_SECONDS'>,
): CheckpointSchedule {
  return { everyEvents: config.CLASH_CHECKPOINT_EVERY_EVENTS, intervalMs: config.CLASH_CHECKPOINT_INTERVAL_SECONDS * 1000 };
}

export function startCheckpointWorker(ledger: Ledger, schedule: CheckpointSchedule, log: Logger): RunningWorker {
  let failures = 0;
  const tick = () => {
    try {
      if (!ledger.checkpoints.due(ledger.clock.now(), schedule)) return;
      const c = ledger.checkpoints.record();
      log.debug({ treeSize: c.treeSize, rootHash: c.rootHash }, 'ledger checkpoint signed');
      failures = 0;
    } catch (err) {
      failures += 1;
      log.error({ err, failures }, 'ledger checkpoint failed; retrying');
    }
  };
  const timer = setInterval(tick, Math.min(1000, schedule.intervalMs));
  timer.unref();
  return {
    name: 'checkpoints',
    tickNow: async () => tick(),
    stop: async () => {
      clearInterval(timer);
    },
  };
}
