import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CommandHandler } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import { GroupCommit } from '../../core/group-commit.ts';
import { rejects } from '../support/assert.ts';
import { openWalletStore, tempDir } from '../support/store.ts';
import { type WalletCommand, walletDecider } from '../support/wallet/decider.ts';

// Group commit (doc/event-store.md): commands that arrive together share one transaction; each
// runs in its own savepoint; every promise settles only after the shared COMMIT.
const dir = tempDir();
/** A wallet command without the fields `setup` fills in (distributes over the union). */
type WithoutIds<C> = C extends unknown ? Omit<C, 'walletId' | 'at'> : never;

function setup(name: string, options = { maxBatch: 16, maxWaitMs: 50 }) {
  const path = dir.file(`${name}.db`);
  const { store } = openWalletStore(path, { synchronous: 'FULL' });
  const handler = new CommandHandler(store, walletDecider);
  const commits = new GroupCommit(store.db, options, store);
  const at = 0;
  const command = (walletId: string, c: WithoutIds<WalletCommand>) =>
    commits.run(() => handler.handle({ streamId: `wallet-${walletId}`, command: { ...c, walletId, at } as WalletCommand }));
  /** Events in the file, read by another connection: what is durable. */
  const committed = () => {
    const other = new Database(path, { readonly: true });
    const n = other.prepare('SELECT count(*) FROM events').pluck().get() as number;
    other.close();
    return n;
  };
  return { store, handler, commits, command, committed };
}

test('given commands queued together, when one is refused, then the others commit in one group and only it fails', async () => {
  const { store, commits, command, committed } = setup('refusal');
  await command('a', { type: 'OpenWallet', owner: 'o' });
  const results = await Promise.allSettled([
    command('a', { type: 'Deposit', amount: 5n, memo: '' }),
    command('a', { type: 'Withdraw', amount: 99n }),
    command('a', { type: 'Deposit', amount: 7n, memo: '' }),
  ]);
  assert.equal(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.instance((results[1] as PromiseRejectedResult).reason, DomainError);
  assert.is(commits.stats.groups, 2, 'the open, then one group of three');
  assert.is(commits.stats.largestGroup, 3);
  assert.is(committed(), 3);
  assert.equal(
    store.readStream('wallet-a').map((e) => e.streamVersion),
    [1, 2, 3],
    'order within the stream is the order of arrival',
  );
  store.close();
});

test('given a command that wrote and then failed, then only its savepoint rolls back and the state cache forgets it', async () => {
  const { store, handler, commits, command, committed } = setup('savepoint');
  await command('b', { type: 'OpenWallet', owner: 'o' });
  const failing = commits.run(() => {
    handler.handle({ streamId: 'wallet-b', command: { type: 'Deposit', walletId: 'b', amount: 100n, memo: 'rolled back', at: 0 } });
    throw new Error('after the append');
  });
  const other = command('c', { type: 'OpenWallet', owner: 'o' });
  await rejects(() => failing, /after the append/);
  await other;
  assert.is(committed(), 2, 'the two opens; the deposit is gone');
  assert.is(store.rollbacks, 1);
  // The handler cached the rolled-back deposit; the rollback count makes it reload.
  assert.is(handler.load('wallet-b').state.balance, 0n);
  await command('b', { type: 'Deposit', amount: 1n, memo: '' });
  assert.equal(
    store.readStream('wallet-b').map((e) => e.streamVersion),
    [1, 2],
  );
  store.close();
});

test('given a group, then no promise settles before its COMMIT is visible to another connection', async () => {
  const { store, command, committed } = setup('durable');
  const seen: number[] = [];
  await Promise.all(
    ['d', 'e', 'f'].map((id) =>
      command(id, { type: 'OpenWallet', owner: 'o' }).then(() => {
        seen.push(committed());
      }),
    ),
  );
  assert.equal(seen, [3, 3, 3], 'every answer came after all three were durable');
  store.close();
});

test('given the COMMIT fails, then every command of the group is rejected and nothing of it is in the file', async () => {
  const { store, commits, command, committed } = setup('commit-fails');
  store.db.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE child (parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`);
  store.db.pragma('foreign_keys = ON');
  const results = await Promise.allSettled([
    command('g', { type: 'OpenWallet', owner: 'o' }),
    commits.run(() => store.db.prepare('INSERT INTO child VALUES (42)').run()),
  ]);
  assert.equal(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  assert.match(String((results[0] as PromiseRejectedResult).reason), /FOREIGN KEY/);
  assert.is(committed(), 0);
  assert.is(store.rollbacks, 1);
  assert.not.ok(store.db.inTransaction);
  await command('g', { type: 'OpenWallet', owner: 'o' });
  assert.is(committed(), 1, 'the next group commits');
  store.close();
});

test('given a lone announced caller, then its group closes at once, without waiting maxWaitMs', async () => {
  const { store, commits, command } = setup('lone', { maxBatch: 16, maxWaitMs: 60_000 });
  const leave = commits.enter();
  const done = command('h', { type: 'OpenWallet', owner: 'o' }).then(() => 'committed');
  const late = new Promise((resolve) => setTimeout(() => resolve('waited'), 1_000));
  assert.is(await Promise.race([done, late]), 'committed');
  leave();
  store.close();
});

test('given two announced callers, then the first waits for the second (within maxWaitMs) and both share one group', async () => {
  const { store, commits, command } = setup('stragglers', { maxBatch: 16, maxWaitMs: 60_000 });
  const leaves = [commits.enter(), commits.enter()];
  const first = command('i', { type: 'OpenWallet', owner: 'o' });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.is(commits.stats.groups, 0, 'still waiting for the announced second caller');
  const second = command('j', { type: 'OpenWallet', owner: 'o' });
  await Promise.all([first, second]);
  assert.is(commits.stats.groups, 1);
  assert.is(commits.stats.largestGroup, 2);
  for (const leave of leaves) leave();
  store.close();
});

test('given an announced caller that never runs a command, then leaving releases the waiting group; maxWaitMs bounds the wait', async () => {
  const { store, commits, command } = setup('leaver', { maxBatch: 16, maxWaitMs: 60_000 });
  const leave = commits.enter();
  commits.enter(); // a caller that vanished without leaving: only maxWaitMs can help, tested below
  const queued = command('k', { type: 'OpenWallet', owner: 'o' });
  leave();
  const bounded = setup('bounded', { maxBatch: 16, maxWaitMs: 30 });
  bounded.commits.enter();
  await bounded.command('l', { type: 'OpenWallet', owner: 'o' });
  assert.is(bounded.commits.stats.groups, 1, 'the timer closed the group');
  commits.flushNow();
  await queued;
  store.close();
  bounded.store.close();
});

test('given more commands than maxBatch, then they commit in groups of at most maxBatch, in order', async () => {
  const { store, commits, command } = setup('batches', { maxBatch: 10, maxWaitMs: 50 });
  await command('m', { type: 'OpenWallet', owner: 'o' });
  await Promise.all(Array.from({ length: 25 }, (_, i) => command('m', { type: 'Deposit', amount: BigInt(i + 1), memo: `${i}` })));
  assert.is(commits.stats.largestGroup, 10);
  assert.equal(
    store.readStream('wallet-m').map((e) => (e.type === 'FundsDeposited' ? (e.data as { memo: string }).memo : 'open')),
    ['open', ...Array.from({ length: 25 }, (_, i) => `${i}`)],
  );
  store.close();
});

test('given the same idempotency key in two groups, then the second answers the first result and appends nothing', async () => {
  const { store, handler, commits } = setup('idempotent');
  const deposit = () =>
    commits.run(() =>
      handler.handle({
        streamId: 'wallet-n',
        command: { type: 'OpenWallet', walletId: 'n', owner: 'o', at: 0 },
        idempotencyKey: 'open-n',
      }),
    );
  const first = await deposit();
  const second = await deposit();
  assert.not.ok(first.append.duplicate);
  assert.ok(second.append.duplicate);
  assert.is(store.headPosition(), 1);
  store.close();
});

test.after(() => dir.remove());
test.run();
