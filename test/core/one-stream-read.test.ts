/**
 * One stream read per command (issue 17): inside a reported transaction (a group commit's) the
 * append takes the version its handler just read; wherever a race is possible the check stays —
 * a writer in another process between the load and the append is still caught.
 */
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CommandHandler } from '../../core/decider.ts';
import { GroupCommit } from '../../core/group-commit.ts';
import { tempDir, tracedWalletStore } from '../support/store.ts';
import { type WalletCommand, walletDecider } from '../support/wallet/decider.ts';

const dir = tempDir();
const STREAM = 'wallet-w';

/** A store over `name` whose connection records every statement it runs. */
function traced(name: string) {
  const path = dir.file(`${name}.db`);
  const { db, store, statements } = tracedWalletStore(path);
  const handler = new CommandHandler(store, walletDecider);
  const commits = new GroupCommit(db, { maxBatch: 16, maxWaitMs: 0 }, store);
  const handle = (command: WalletCommand, prepare?: () => void) =>
    handler.handle({
      streamId: STREAM,
      command,
      idempotencyKey: `${command.type}-${command.at}`,
      ...(prepare
        ? {
            prepare: (c: WalletCommand) => {
              prepare();
              return c;
            },
          }
        : {}),
    });
  const versionReads = () => statements.filter((s) => s.includes('max(stream_version)')).length;
  const keyReads = () => statements.filter((s) => s.includes('FROM idempotency_keys')).length;
  return { path, store, handler, commits, handle, statements, versionReads, keyReads };
}

const deposit = (amount: bigint, at: number): WalletCommand => ({ type: 'Deposit', walletId: 'w', amount, memo: '', at });

/** Another process (test/support/child-append.ts) in `mode` on the file; what it printed. */
const otherProcess = (...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', 'test/support/child-append.ts', ...args], { encoding: 'utf8' }).trim();

test('Given a group commit, When commands run in it, Then each append trusts the version and key its handler read', async () => {
  const { store, commits, handle, versionReads, keyReads } = traced('grouped');
  await commits.run(() => handle({ type: 'OpenWallet', walletId: 'w', owner: 'o', at: 0 }));
  const [versions, keys] = [versionReads(), keyReads()];
  const results = await Promise.all([1, 2, 3].map((at) => commits.run(() => handle(deposit(BigInt(at), at)))));
  assert.is(versionReads() - versions, 0, 'no second read of the stream version');
  assert.is(keyReads() - keys, 3, 'one idempotency lookup per command (the handler’s)');
  assert.equal(
    results.map((r) => r.append.nextExpectedVersion),
    [2, 3, 4],
  );
  assert.equal(
    store.readStream(STREAM).map((e) => e.streamVersion),
    [1, 2, 3, 4],
  );
  assert.is(results[2]?.state.balance, 6n);
  // The same command again is still answered from its idempotency record.
  const again = await commits.run(() => handle(deposit(2n, 2)));
  assert.ok(again.append.duplicate);
  assert.is(store.streamVersion(STREAM), 4);
  store.db.close();
});

test('Given no transaction, When another process appends between the load and the append, Then the append is refused and the command re-decided', () => {
  const { path, store, handle, versionReads } = traced('raced');
  handle({ type: 'OpenWallet', walletId: 'w', owner: 'o', at: 0 });
  let loads = 0;
  const before = versionReads();
  const result = handle(deposit(5n, 1), () => {
    loads += 1;
    if (loads === 1) assert.is(otherProcess('deposit', path, STREAM, '100'), 'appended');
  });
  assert.is(loads, 2, 'decided again after the other process’s append');
  assert.ok(versionReads() - before >= 2, 'each attempt’s append checked the version');
  assert.is(result.state.balance, 105n);
  assert.equal(
    store.readStream(STREAM).map((e) => [e.streamVersion, e.type]),
    [
      [1, 'WalletOpened'],
      [2, 'FundsDeposited'],
      [3, 'FundsDeposited'],
    ],
  );
  store.db.close();
});

test('Given a group commit, When another process tries to write during a command, Then it cannot: the group holds the write lock', async () => {
  const { path, store, commits, handle } = traced('locked');
  await commits.run(() => handle({ type: 'OpenWallet', walletId: 'w', owner: 'o', at: 0 }));
  assert.is(otherProcess('lock', path), 'locked', 'between groups the file is free');
  let other = '';
  const result = await commits.run(() => handle(deposit(5n, 1), () => (other ||= otherProcess('lock', path))));
  assert.is(other, 'busy');
  assert.is(result.state.balance, 5n);
  assert.is(store.streamVersion(STREAM), 2);
  store.db.close();
});

test('Given a cached state an unreported rollback undid, When the next command runs in a group, Then its append checks and the stream stays contiguous', async () => {
  const { store, commits, handle, versionReads } = traced('unreported');
  handle({ type: 'OpenWallet', walletId: 'w', owner: 'o', at: 0 });
  // A plain transaction of the connection's own, rolled back: the store never hears of it.
  assert.throws(
    () =>
      store.db.transaction(() => {
        handle(deposit(5n, 1));
        throw new Error('undone');
      })(),
    /undone/,
  );
  assert.is(store.rollbacks, 0);
  assert.is(store.streamVersion(STREAM), 1);
  const before = versionReads();
  const result = await commits.run(() => handle(deposit(7n, 2)));
  assert.ok(versionReads() > before, 'the unvouched cache made the append check');
  assert.is(result.state.balance, 7n);
  assert.equal(
    store.readStream(STREAM).map((e) => e.streamVersion),
    [1, 2],
  );
  store.db.close();
});

test('Given the store’s own transaction, When written work in it throws, Then the rollback is noted and caches are dropped', () => {
  const { store, handler, handle } = traced('reported');
  handle({ type: 'OpenWallet', walletId: 'w', owner: 'o', at: 0 });
  assert.throws(
    () =>
      store.transaction(() => {
        assert.ok(store.inReportedTransaction);
        handle(deposit(5n, 1));
        throw new Error('undone');
      }),
    /undone/,
  );
  assert.is(store.rollbacks, 1);
  assert.not.ok(store.inReportedTransaction);
  assert.is(handler.load(STREAM).version, 1);
  assert.is(store.transaction(() => handle(deposit(3n, 2))).state.balance, 3n);
  assert.equal(
    store.readStream(STREAM).map((e) => e.streamVersion),
    [1, 2],
  );
  store.db.close();
});

test.run();
