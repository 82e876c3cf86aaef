/**
 * The peer comparison: the same workloads against our engine and against Emmett's SQLite event
 * store (`@event-driven-io/emmett-sqlite`, the newest version that installs here: 0.38.5), side
 * by side in the same run, as ours / peer. Both stores write to a file in WAL mode with SQLite's
 * default `synchronous=FULL` (Emmett opens a connection per operation and offers no way to set
 * the pragma, so FULL is the setting both can share). Same domain on both sides: the engine's
 * reference wallet (`test/support/wallet`), the same events, the same streams. The peer runs in
 * a child process (`peer-emmett.ts`), ours in this one; each is timed inside its own process.
 */
import { spawnSync } from 'node:child_process';
import { CommandHandler } from '../../core/decider.ts';
import { EventRegistry } from '../../core/event-registry.ts';
import { EventStore } from '../../core/event-store.ts';
import { ProjectionRunner } from '../../core/projection-runner.ts';
import { walletDecider } from '../../test/support/wallet/decider.ts';
import { walletEvents } from '../../test/support/wallet/events.ts';
import { type Figure, figure, rate, type Scratch } from './measure.ts';
import { ourDeposit, PEER_STREAMS } from './peer-workload.ts';

const PEER = 'Emmett SQLite 0.38.5';
type Workload = 'append1' | 'append100' | 'read' | 'command';

function openOurs(path: string): EventStore {
  const store = EventStore.open(path, { registry: new EventRegistry(walletEvents), synchronous: 'FULL' });
  new ProjectionRunner(store, []).start();
  return store;
}

/** The peer's rate for a workload on a fresh file, with how many of its runs crashed and were retried (at most 3). */
function peerRate(scratch: Scratch, workload: Workload, count: number): { rate: number; crashes: number } {
  for (let crashes = 0; ; crashes++) {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'replay/bench/peer-emmett.ts', workload, String(count), scratch.file(`peer-${workload}`)],
      { encoding: 'utf8' },
    );
    if (run.status === 0) return { rate: (JSON.parse(run.stdout) as { rate: number }).rate, crashes };
    if (crashes >= 3) throw new Error(`the peer's ${workload} run failed 4 times: ${run.stderr.slice(-500)}`);
  }
}

/** Our rate for the same workload on a fresh file. */
function ourRate(scratch: Scratch, workload: Workload, count: number): number {
  const store = openOurs(scratch.file(`ours-${workload}`));
  try {
    switch (workload) {
      case 'append1':
      case 'append100': {
        const perCall = workload === 'append1' ? 1 : 100;
        let i = 0;
        return rate(count, () => {
          for (let c = 0; c < count / perCall; c++) {
            store.append(
              `wallet-${c % PEER_STREAMS}`,
              Array.from({ length: perCall }, () => ourDeposit(i++)),
            );
          }
        });
      }
      case 'read': {
        for (let s = 0; s < PEER_STREAMS; s++) {
          store.append(
            `wallet-${s}`,
            Array.from({ length: 100 }, (_, k) => ourDeposit(s + k * PEER_STREAMS)),
          );
        }
        return rate(count * 100, () => {
          for (let n = 0; n < count; n++) store.readStream(`wallet-${n % PEER_STREAMS}`);
        });
      }
      case 'command': {
        // The state cache off: each command reads its stream, as Emmett's handler does.
        const { snapshot: _snapshot, ...decider } = walletDecider;
        const handler = new CommandHandler(store, decider, { cacheSize: 0 });
        for (let w = 0; w < 100; w++) {
          store.append(`wallet-${w}`, [{ type: 'WalletOpened', data: { walletId: `${w}`, owner: 'o', openedAt: 0 } }]);
        }
        return rate(count, () => {
          for (let i = 0; i < count; i++) {
            const w = `${i % 100}`;
            handler.handle({
              streamId: `wallet-${w}`,
              command: { type: 'Deposit', walletId: w, amount: 1n, memo: 'bench deposit', at: i },
            });
          }
        });
      }
    }
  } finally {
    store.close();
  }
}

/** Best of `rounds` on both sides, interleaved (peer, ours, peer, ours…) like `compare` in measure.ts. */
function peerFigure(scratch: Scratch, name: string, unit: string, workload: Workload, count: number, rounds: number): Figure {
  let peer = 0;
  let ours = 0;
  let crashes = 0;
  for (let i = 0; i < rounds; i++) {
    const p = peerRate(scratch, workload, count);
    peer = Math.max(peer, p.rate);
    crashes += p.crashes;
    ours = Math.max(ours, ourRate(scratch, workload, count));
  }
  const note = crashes > 0 ? `the peer's process crashed and was rerun ${crashes} time(s) (SQLITE_BUSY inside its connection)` : undefined;
  return { ...figure(name, unit, ours, peer, 1, note), baselineName: PEER };
}

/**
 * Every peer figure; `scale` sizes the workloads (1 = 2,000 single appends, 20,000 events in
 * 100-event calls, 1,000 stream reads, 1,000 commands). The baseline column is the peer.
 */
export function runPeerBench(options: { scratch: Scratch; scale: number; rounds: number; onFigure: (f: Figure) => void }): Figure[] {
  const { scratch, scale, rounds, onFigure } = options;
  const n = (x: number, multiple = 1) => Math.max(multiple, Math.round((x * scale) / multiple) * multiple);
  const figures: Figure[] = [];
  for (const [name, unit, workload, count] of [
    ['peer: append 1 event per call (FULL)', 'events/s', 'append1', n(2_000, PEER_STREAMS)],
    ['peer: append 100 events per call (FULL)', 'events/s', 'append100', n(20_000, 100 * PEER_STREAMS)],
    ['peer: read a 100-event stream, decoded', 'events/s', 'read', n(1_000)],
    ['peer: decider command round trip, state cache off (load, fold, decide, append)', 'commands/s', 'command', n(1_000)],
  ] as const) {
    const f = peerFigure(scratch, name, unit, workload, count, rounds);
    onFigure(f);
    figures.push(f);
  }
  return figures;
}
