/**
 * A child process for the race and crash tests.
 *   race PATH STREAM START_AT_MS   → waits for START_AT_MS, appends with no_stream, prints won|lost
 *   crash PATH COUNT               → appends COUNT deposits, prints "appended", then catches the
 *                                     async projection up slowly, one event per batch, printing "at N"
 *   steady PATH MS                 → appends a deposit (one transaction each) about every millisecond
 *                                     for MS milliseconds, printing "writing" first and the count last
 *   ids PATH STREAM COUNT START_AT_MS → waits for START_AT_MS, appends COUNT deposits to STREAM one
 *                                     per transaction with the store's default ids, prints "done"
 *   deposit PATH STREAM AMOUNT     → appends one deposit of AMOUNT to STREAM (expected version
 *                                     "any"), prints "appended"
 *   lock PATH                      → a plain connection tries to take the write lock (BEGIN
 *                                     IMMEDIATE) for at most 200 ms; prints "locked" or "busy"
 */
import Database from 'better-sqlite3';
import { ConcurrencyError } from '../../core/errors.ts';
import { openWalletStore } from './store.ts';

const [mode, path, a, b] = process.argv.slice(2);

if (mode === 'lock') {
  // Before anything opens the store: opening it writes (the schema), which would wait for the lock.
  const db = new Database(path as string, { timeout: 200 });
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    process.stdout.write('locked\n');
  } catch (error) {
    process.stdout.write((error as { code?: string }).code === 'SQLITE_BUSY' ? 'busy\n' : `error ${String(error)}\n`);
  }
  process.exit(0);
}

const { store, runner } = openWalletStore(path as string, { synchronous: mode === 'steady' ? 'NORMAL' : 'FULL' });

if (mode === 'deposit') {
  store.append(a as string, [{ type: 'FundsDeposited', data: { walletId: 'w', amount: BigInt(b as string), memo: 'other', at: 0 } }]);
  process.stdout.write('appended\n');
} else if (mode === 'race') {
  const startAt = Number(b);
  while (Date.now() < startAt) {
    /* spin: all racers leave the line together */
  }
  try {
    store.append(a as string, [{ type: 'WalletOpened', data: { walletId: a, owner: String(process.pid), openedAt: 0 } }], {
      expectedVersion: 'no_stream',
    });
    process.stdout.write('won\n');
  } catch (error) {
    process.stdout.write(error instanceof ConcurrencyError ? 'lost\n' : `error ${String(error)}\n`);
  }
} else if (mode === 'crash') {
  store.append('wallet-c', [{ type: 'WalletOpened', data: { walletId: 'c', owner: 'o', openedAt: 0 } }]);
  for (let i = 0; i < Number(a); i++) {
    store.append('wallet-c', [{ type: 'FundsDeposited', data: { walletId: 'c', amount: BigInt(i + 1), memo: '', at: i } }]);
  }
  process.stdout.write('appended\n');
  runner.catchUp('wallet_activity', {
    batchSize: 1,
    onProgress: (position) => {
      process.stdout.write(`at ${position}\n`);
      const until = Date.now() + 5;
      while (Date.now() < until) {
        /* slow the catch-up down so the parent can kill it midway */
      }
    },
  });
  process.stdout.write('caught up\n');
} else if (mode === 'steady') {
  store.append('wallet-s', [{ type: 'WalletOpened', data: { walletId: 's', owner: 'o', openedAt: 0 } }]);
  process.stdout.write('writing\n');
  const until = Date.now() + Number(a);
  let n = 0;
  while (Date.now() < until) {
    store.append('wallet-s', [{ type: 'FundsDeposited', data: { walletId: 's', amount: 1n, memo: '', at: n } }]);
    n += 1;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0.2);
  }
  process.stdout.write(`${n}\n`);
} else if (mode === 'ids') {
  const [count, startAt] = [Number(b), Number(process.argv[6])];
  store.append(a as string, [{ type: 'WalletOpened', data: { walletId: a, owner: String(process.pid), openedAt: 0 } }]);
  while (Date.now() < startAt) {
    /* spin: both writers start together */
  }
  for (let i = 0; i < count; i++) {
    store.append(a as string, [{ type: 'FundsDeposited', data: { walletId: a, amount: 1n, memo: '', at: i } }]);
  }
  process.stdout.write('done\n');
}
store.close();
