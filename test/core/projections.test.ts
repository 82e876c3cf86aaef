import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CommandHandler } from '../../core/decider.ts';
import { EventRegistry } from '../../core/event-registry.ts';
import { EventStore } from '../../core/event-store.ts';
import { defineProjection, tableDigest } from '../../core/projection.ts';
import { rebuildProjection, rebuildProjections, replayTo, verifyProjection, verifyProjections } from '../../core/projection-rebuild.ts';
import { ProjectionRunner } from '../../core/projection-runner.ts';
import { fcRuns, fcSeed, openWalletStore, tempDir } from '../support/store.ts';
import { walletDecider } from '../support/wallet/decider.ts';
import { walletEvents } from '../support/wallet/events.ts';
import { walletActivity, walletBalances, walletProjections } from '../support/wallet/projections.ts';

const dir = tempDir();
let n = 0;
const freshPath = () => dir.file(`p-${++n}.db`);

function seed(store: EventStore, wallets = 5, deposits = 20): void {
  const h = new CommandHandler(store, walletDecider);
  for (let w = 0; w < wallets; w++) {
    h.handle({ streamId: `wallet-${w}`, command: { type: 'OpenWallet', walletId: `${w}`, owner: `o${w % 2}`, at: 0 } });
    for (let i = 0; i < deposits; i++) {
      h.handle({ streamId: `wallet-${w}`, command: { type: 'Deposit', walletId: `${w}`, amount: BigInt(i + w), memo: '', at: i } });
    }
    h.handle({ streamId: `wallet-${w}`, command: { type: 'Withdraw', walletId: `${w}`, amount: 1n, at: 99 } });
  }
}

const digest = (store: EventStore) => walletProjections.flatMap((p) => p.tables.map((t) => tableDigest(store.db, t, t.name)));

test('inline projection rows are there as soon as the append returns', () => {
  const { store } = openWalletStore(freshPath());
  seed(store, 1, 3); // deposits 0 + 1 + 2, withdrawal 1
  assert.equal(store.db.prepare('SELECT balance, movements FROM wallet_balances').get(), { balance: '2', movements: 4 });
  store.close();
});

test('inline atomicity: when a projection throws, neither the event nor any row is written', () => {
  const exploding = defineProjection({
    ...walletBalances,
    name: 'exploding',
    tables: [{ name: 'exploding', columns: { k: 'TEXT NOT NULL' }, primaryKey: ['k'] }],
    bind: (db, t) => {
      const ins = db.prepare(`INSERT INTO "${t.exploding}" (k) VALUES (?)`);
      return (e) => {
        ins.run(e.eventId);
        if (e.type === 'FundsWithdrawn') throw new Error('projection failed');
      };
    },
  });
  const { store } = openWalletStore(freshPath(), { projections: [walletBalances, exploding] });
  const h = new CommandHandler(store, walletDecider);
  h.handle({ streamId: 'wallet-w', command: { type: 'OpenWallet', walletId: 'w', owner: 'o', at: 0 } });
  h.handle({ streamId: 'wallet-w', command: { type: 'Deposit', walletId: 'w', amount: 5n, memo: '', at: 0 } });
  assert.throws(
    () => h.handle({ streamId: 'wallet-w', command: { type: 'Withdraw', walletId: 'w', amount: 5n, at: 0 } }),
    /projection failed/,
  );
  assert.is(store.headPosition(), 2);
  assert.equal(store.db.prepare('SELECT balance, movements FROM wallet_balances').get(), { balance: '5', movements: 1 });
  assert.is((store.db.prepare('SELECT count(*) AS n FROM exploding').get() as { n: number }).n, 2);
  store.close();
});

test('rebuild equals live, swaps atomically, and keeps indexes usable across generations', () => {
  const { store, runner } = openWalletStore(freshPath());
  seed(store);
  runner.catchUpAll();
  const before = digest(store);
  for (let i = 0; i < 2; i++) {
    for (const p of walletProjections) {
      const r = rebuildProjection(store, p, { batchSize: 7 });
      assert.is(r.position, store.headPosition());
    }
  }
  assert.equal(digest(store), before);
  const indexes = store.db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'wallet_balances' AND name LIKE '%__ix%'`)
    .all();
  assert.equal(indexes, [{ name: 'wallet_balances__ix0_g3' }]);
  assert.is(store.db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name LIKE '%__shadow'`).pluck().get(), 0);
  // the runner's prepared statements still write to the swapped-in table
  new CommandHandler(store, walletDecider).handle({
    streamId: 'wallet-0',
    command: { type: 'Deposit', walletId: '0', amount: 1000n, memo: '', at: 1 },
  });
  assert.ok(verifyProjection(store, walletBalances).ok);
  assert.is(runner.status().find((s) => s.name === 'wallet_balances')?.lag, 0);
  store.close();
});

test('rebuilding several projections reads the log once and equals rebuilding each alone', () => {
  const { store, runner } = openWalletStore(freshPath());
  seed(store);
  runner.catchUpAll();
  const before = digest(store);
  let batches = 0;
  const results = rebuildProjections(store, walletProjections, { batchSize: 10, onProgress: () => batches++ });
  assert.equal(
    results.map((r) => r.name),
    ['wallet_balances', 'wallet_activity'],
  );
  assert.is(batches, Math.ceil(store.headPosition() / 10)); // one pass: every event read once
  assert.equal(digest(store), before);
  assert.ok(verifyProjections(store, walletProjections).every((v) => v.ok));
  store.close();
});

test('rebuild from another connection while the first keeps appending: nothing lost, nothing doubled', () => {
  const path = freshPath();
  const { store } = openWalletStore(path);
  seed(store, 3, 10);
  const operator = EventStore.open(path, { registry: new EventRegistry(walletEvents) });
  // interleave: the operator's rebuild reads its batches while the server appends between them
  let appended = 0;
  const h = new CommandHandler(store, walletDecider);
  rebuildProjection(operator, walletBalances, {
    batchSize: 5,
    onProgress: () => {
      h.handle({ streamId: 'wallet-1', command: { type: 'Deposit', walletId: '1', amount: 1n, memo: '', at: 1 } });
      appended += 1;
    },
  });
  assert.ok(appended > 3);
  const v = verifyProjection(store, walletBalances);
  assert.ok(v.ok, JSON.stringify(v.firstDifference));
  operator.close();
  store.close();
});

test('verify catches a tampered row and names it; an extra row and a missing row too', () => {
  const { store, runner } = openWalletStore(freshPath());
  seed(store);
  runner.catchUpAll();
  for (const p of walletProjections) assert.ok(verifyProjection(store, p).ok, p.name);
  store.db.prepare(`UPDATE wallet_balances SET balance = '1000000' WHERE wallet_id = '3'`).run();
  let v = verifyProjection(store, walletBalances);
  assert.is(v.ok, false);
  assert.equal(v.firstDifference?.key, { wallet_id: '3' });
  assert.equal(v.firstDifference?.live?.[2], '1000000');
  assert.not.equal(v.tables[0]?.liveHash, v.tables[0]?.replayHash);
  rebuildProjection(store, walletBalances);
  store.db.prepare(`DELETE FROM wallet_activity WHERE wallet_id = '0'`).run();
  v = verifyProjection(store, walletActivity);
  assert.equal(v.firstDifference?.key, { wallet_id: '0' });
  assert.is(v.firstDifference?.live, null);
  store.db.prepare(`INSERT INTO wallet_activity VALUES ('zz', 1, 1, 1)`).run();
  rebuildProjection(store, walletActivity);
  store.db.prepare(`INSERT INTO wallet_activity VALUES ('zz', 1, 1, 1)`).run();
  v = verifyProjection(store, walletActivity);
  assert.equal(v.firstDifference?.replayed, null);
  store.close();
});

test('verify compares an async projection at its own checkpoint, not at the head', () => {
  const { store, runner } = openWalletStore(freshPath());
  seed(store, 2, 5);
  runner.catchUp('wallet_activity', { batchSize: 3 });
  new CommandHandler(store, walletDecider).handle({
    streamId: 'wallet-0',
    command: { type: 'Deposit', walletId: '0', amount: 1n, memo: '', at: 1 },
  });
  const status = runner.status().find((s) => s.name === 'wallet_activity');
  assert.is(status?.lag, 1);
  assert.ok(verifyProjection(store, walletActivity).ok);
  store.close();
});

test('an append by a process without the projection loaded is caught up inside the next append', () => {
  const path = freshPath();
  const { store } = openWalletStore(path);
  seed(store, 1, 2);
  const bare = EventStore.open(path, { registry: new EventRegistry(walletEvents) });
  new CommandHandler(bare, walletDecider).handle({
    streamId: 'wallet-0',
    command: { type: 'Deposit', walletId: '0', amount: 50n, memo: '', at: 1 },
  });
  bare.close();
  new CommandHandler(store, walletDecider).handle({
    streamId: 'wallet-0',
    command: { type: 'Deposit', walletId: '0', amount: 7n, memo: '', at: 1 },
  });
  assert.equal(store.db.prepare('SELECT balance FROM wallet_balances').get(), { balance: String(0n + 1n - 1n + 50n + 7n) });
  assert.ok(verifyProjection(store, walletBalances).ok);
  store.close();
});

test('a projection whose version changes is rebuilt at start', () => {
  const path = freshPath();
  const { store } = openWalletStore(path);
  seed(store, 2, 3);
  store.db.prepare(`UPDATE wallet_balances SET balance = 'stale'`).run();
  store.close();
  const bumped = defineProjection({ ...walletBalances, version: 2 });
  const { store: again, runner } = openWalletStore(path, { projections: [bumped, walletActivity] });
  assert.is(again.db.prepare(`SELECT count(*) FROM wallet_balances WHERE balance = 'stale'`).pluck().get(), 0);
  assert.is(runner.status()[0]?.storedVersion, 2);
  again.close();
});

test('state as of a position equals a fresh store holding only that prefix of the log', () => {
  const { store, runner } = openWalletStore(freshPath());
  seed(store, 4, 6);
  runner.catchUpAll();
  for (const cut of [0, 1, 9, 17, store.headPosition()]) {
    const asOf = replayTo(store, walletProjections, cut);
    const prefix = openWalletStore(freshPath());
    for (const e of store.readAll({ to: cut })) prefix.store.append(e.streamId, [{ type: e.type, data: e.data, id: e.eventId }]);
    prefix.runner.catchUpAll();
    assert.equal(
      asOf.map((t) => t.hash),
      digest(prefix.store).map((d) => d.hash),
      `cut ${cut}`,
    );
    prefix.store.close();
  }
  store.close();
});

test('property: for any command sequence, a replay reproduces every read model exactly', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom('Deposit', 'Withdraw', 'OpenWallet'), fc.bigInt({ min: 0n, max: 500n })),
        { maxLength: 40 },
      ),
      fc.integer({ min: 1, max: 9 }),
      (ops, catchUpEvery) => {
        const { store, runner } = openWalletStore(freshPath());
        const h = new CommandHandler(store, walletDecider);
        ops.forEach(([w, type, amount], i) => {
          const base = { walletId: `${w}`, at: i };
          const command =
            type === 'OpenWallet'
              ? { type, ...base, owner: `o${w}` }
              : type === 'Deposit'
                ? { type, ...base, amount, memo: '' }
                : { type, ...base, amount };
          try {
            h.handle({ streamId: `wallet-${w}`, command });
          } catch {
            /* refused commands append nothing */
          }
          if (i % catchUpEvery === 0) runner.catchUpAll();
        });
        runner.catchUpAll();
        const ok = walletProjections.every((p) => verifyProjection(store, p).ok);
        store.close();
        return ok;
      },
    ),
    { seed: fcSeed, numRuns: Math.min(fcRuns, 25) },
  );
});

test('runner refuses the same projection twice', () => {
  const store = EventStore.open(freshPath(), { registry: new EventRegistry(walletEvents) });
  assert.throws(() => new ProjectionRunner(store, [walletBalances, walletBalances]), /twice/);
  store.close();
});

test.after(() => dir.remove());
test.run();
