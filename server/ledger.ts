/**
 * Wiring of the ledger's integrity: the checkpoint worker, which signs and records a checkpoint
 * whenever the schedule says one is due (`CLASH_CHECKPOINT_EVERY_EVENTS` new events, or
 * `CLASH_CHECKPOINT_INTERVAL_SECONDS` after the last one when anything was appended). It checks
 * once a second (or at the interval, when shorter), so "every N events" means at the first
 * check after the N-th event. And the `anchors` worker, which anchors every Kth checkpoint on chain.
 */
import type { Logger } from 'pino';
import { type AnchorChain, LedgerAnchors } from '../commands/ledger/anchors.ts';
import type { CheckpointSchedule } from '../commands/ledger/handlers.ts';
import type { RunningWorker, WorkerDefinition } from '../core/operations/worker-loop.ts';
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

/** The most checkpoints one tick of the anchors worker anchors (it catches up over ticks after an outage). */
const ANCHORS_PER_TICK = 10;

/**
 * The `anchors` worker (`workers.ts`; doc/ledger-integrity.md, "Anchoring on chain"): exclusive;
 * each tick anchors the checkpoints due (number K, 2K, … of the log's checkpoints, K =
 * `CLASH_ANCHOR_EVERY_CHECKPOINTS`), oldest first, at most `ANCHORS_PER_TICK`, each through the
 * vault and recorded as `LedgerCheckpointAnchored`. A chain that refuses or is unreachable makes
 * the tick fail (the worker turns `failing`) and the next tick tries again.
 */
export function anchorWorker(ledger: Ledger, chain: AnchorChain, every: number, intervalMs: number, log: Logger): WorkerDefinition {
  const anchors = new LedgerAnchors({ store: ledger.store, chain });
  return {
    name: 'anchors',
    intervalMs,
    exclusive: true,
    tick: async () => {
      let anchored = 0;
      while (anchored < ANCHORS_PER_TICK) {
        const a = await anchors.anchorDue(every);
        if (!a) break;
        anchored += 1;
        log.info(
          { sequence: a.sequence, treeSize: a.treeSize, txHash: a.txHash, blockNumber: a.blockNumber },
          'ledger checkpoint anchored',
        );
      }
      return { signals: { anchored, lastAnchoredSequence: anchors.latest()?.sequence ?? 0 } };
    },
  };
}
