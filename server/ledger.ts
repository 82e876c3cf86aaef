/**
 * Wiring of the ledger's integrity, two workers of the catalog (`workers.ts`): `checkpoints`,
 * which signs and records a checkpoint whenever the schedule says one is due, and `anchors`,
 * which anchors every Kth checkpoint on chain.
 */
import type { Logger } from 'pino';
import { type AnchorChain, LedgerAnchors } from '../commands/ledger/anchors.ts';
import type { CheckpointSchedule } from '../commands/ledger/handlers.ts';
import type { WorkerDefinition } from '../core/operations/worker-loop.ts';
import type { Config } from './config.ts';
import type { Ledger } from './context.ts';

/** The schedule of `CLASH_CHECKPOINT_EVERY_EVENTS` and `CLASH_CHECKPOINT_INTERVAL_SECONDS` (interval in ms). */
export function checkpointSchedule(
  config: Pick<Config, 'CLASH_CHECKPOINT_EVERY_EVENTS' | 'CLASH_CHECKPOINT_INTERVAL_SECONDS'>,
): CheckpointSchedule {
  return { everyEvents: config.CLASH_CHECKPOINT_EVERY_EVENTS, intervalMs: config.CLASH_CHECKPOINT_INTERVAL_SECONDS * 1000 };
}

/**
 * The `checkpoints` worker (doc/ledger-integrity.md, "Checkpoints"): exclusive (one process
 * signs); every `intervalMs` (`CLASH_CHECKPOINT_POLL_MS`) it signs and records a checkpoint when
 * `schedule` says one is due at the tick's `now` (`schedule.everyEvents` events since the last one,
 * or `schedule.intervalMs` after it when anything was appended), so "every N events" means at the
 * first tick after the N-th. A checkpoint that cannot be signed (a key that is not the log's) makes
 * the tick fail: the worker turns `failing` and the next tick tries again. Signals: `signed` (0 or
 * 1), `treeSize` of the latest checkpoint (0 before the first).
 */
export function checkpointWorker(ledger: Ledger, schedule: CheckpointSchedule, intervalMs: number, log: Logger): WorkerDefinition {
  return {
    name: 'checkpoints',
    intervalMs,
    exclusive: true,
    tick: (now) => {
      if (!ledger.checkpoints.due(now, schedule)) return { signals: { signed: 0, treeSize: ledger.checkpoints.latest()?.treeSize ?? 0 } };
      const c = ledger.checkpoints.record();
      log.debug({ treeSize: c.treeSize, rootHash: c.rootHash }, 'ledger checkpoint signed');
      return { signals: { signed: 1, treeSize: c.treeSize } };
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
