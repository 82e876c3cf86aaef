/**
 * The peer's side of the peer comparison, run as a child process of the benchmark:
 * `peer-emmett.ts WORKLOAD COUNT FILE` prints `{"rate": N}` (operations per second of WORKLOAD
 * against Emmett's SQLite event store on FILE). In a child because Emmett's sqlite3 connection
 * can fail under load in a way that takes its process down (`SQLITE_BUSY: cannot commit
 * transaction - SQL statements in progress`, then an unhandled error closing the connection):
 * the benchmark retries a crashed run and says so, instead of dying with it.
 *   append1 N   → N events appended one per call over 50 streams
 *   append100 N → N events appended 100 per call
 *   read N      → N reads of a 100-event stream (rate in events/s)
 *   command N   → N command round trips through Emmett's CommandHandler over 100 streams
 */
import { CommandHandler } from '@event-driven-io/emmett';
import { getSQLiteEventStore } from '@event-driven-io/emmett-sqlite';
import { PEER_STREAMS, type PeerDeposit, peerDeposit } from './peer-workload.ts';

const [workload, countArg, file] = process.argv.slice(2);
const count = Number(countArg);
const peer = getSQLiteEventStore({ fileName: file as string, schema: { autoMigration: 'CreateOrUpdate' } });

async function timed(operations: number, run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  return operations / ((performance.now() - started) / 1000);
}

async function measure(): Promise<number> {
  switch (workload) {
    case 'append1':
    case 'append100': {
      const perCall = workload === 'append1' ? 1 : 100;
      let i = 0;
      return timed(count, async () => {
        for (let c = 0; c < count / perCall; c++) {
          await peer.appendToStream(
            `wallet-${c % PEER_STREAMS}`,
            Array.from({ length: perCall }, () => peerDeposit(i++)),
          );
        }
      });
    }
    case 'read': {
      for (let s = 0; s < PEER_STREAMS; s++) {
        await peer.appendToStream(
          `wallet-${s}`,
          Array.from({ length: 100 }, (_, k) => peerDeposit(s + k * PEER_STREAMS)),
        );
      }
      return timed(count * 100, async () => {
        for (let n = 0; n < count; n++) await peer.readStream(`wallet-${n % PEER_STREAMS}`);
      });
    }
    case 'command': {
      const handle = CommandHandler<{ balance: bigint }, PeerDeposit>({
        evolve: (state, event) => ({ balance: state.balance + BigInt(event.data.amount) }),
        initialState: () => ({ balance: 0n }),
      });
      return timed(count, async () => {
        for (let i = 0; i < count; i++) await handle(peer, `wallet-${i % 100}`, () => peerDeposit(i));
      });
    }
    default:
      throw new Error(`unknown workload ${workload}`);
  }
}

process.stdout.write(`${JSON.stringify({ rate: await measure() })}\n`);
