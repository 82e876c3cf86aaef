/**
 * A child process for the group-commit crash tests: `PATH MODE COUNT`. It appends COUNT deposits
 * (each its own command, 1 unit each, memo = its number) through group commit, 10 in flight at a
 * time, and prints `acked N` once command N's promise has settled as committed.
 *   MODE hang  → the third group's COMMIT never starts: the child prints `committing` and spins
 *                 until it is killed, so the parent can kill it between a group's start and end;
 *   MODE run   → no interference: the parent kills it whenever it likes.
 */
import type { Db } from '../../core/database.ts';
import { CommandHandler } from '../../core/decider.ts';
import { GroupCommit } from '../../core/group-commit.ts';
import { openWalletStore } from './store.ts';
import { walletDecider } from './wallet/decider.ts';

const [path, mode, countArg] = process.argv.slice(2);
const { store } = openWalletStore(path as string, { synchronous: 'FULL' });
const handler = new CommandHandler(store, walletDecider);
let commits = 0;
/** The connection, except that in `hang` mode the third COMMIT never returns. */
const db = new Proxy(store.db, {
  get(target, property) {
    if (property === 'exec') {
      return (sql: string) => {
        if (sql === 'COMMIT' && mode === 'hang' && ++commits === 3) {
          process.stdout.write('committing\n');
          for (;;) {
            /* the COMMIT is "in progress" until the parent kills this process */
          }
        }
        return target.exec(sql);
      };
    }
    const value = Reflect.get(target, property);
    return typeof value === 'function' ? value.bind(target) : value;
  },
}) as Db;
const group = new GroupCommit(db, { maxBatch: 10, maxWaitMs: 1 }, store);

handler.handle({ streamId: 'wallet-crash', command: { type: 'OpenWallet', walletId: 'crash', owner: 'o', at: 0 } });
const count = Number(countArg);
let next = 1;
async function writer(): Promise<void> {
  while (next <= count) {
    const n = next++;
    await group.run(() =>
      handler.handle({ streamId: 'wallet-crash', command: { type: 'Deposit', walletId: 'crash', amount: 1n, memo: String(n), at: n } }),
    );
    process.stdout.write(`acked ${n}\n`);
  }
}
await Promise.all(Array.from({ length: 10 }, writer));
process.stdout.write('done\n');
