import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CommandHandler } from '../../core/decider.ts';
import { IdempotencyConflict } from '../../core/errors.ts';
import { fold, specFor } from '../support/decider-spec.ts';
import { fcRuns, fcSeed, openWalletStore, tempDir } from '../support/store.ts';
import { type WalletCommand, walletDecider } from '../support/wallet/decider.ts';
import type { WalletEvent } from '../support/wallet/events.ts';

const dir = tempDir();
const spec = specFor(walletDecider);
const opened: WalletEvent = { type: 'WalletOpened', data: { walletId: 'w', owner: 'alice', openedAt: 1 } };
const deposited = (amount: bigint): WalletEvent => ({ type: 'FundsDeposited', data: { walletId: 'w', amount, memo: '', at: 2 } });

test('given/when/then: a withdrawal within the balance is decided; over it is refused', () => {
  spec
    .given([opened, deposited(10n)])
    .when({ type: 'Withdraw', walletId: 'w', amount: 10n, at: 3 })
    .thenEmits([{ type: 'FundsWithdrawn', data: { walletId: 'w', amount: 10n, at: 3 } }]);
  spec
    .given([opened, deposited(10n)])
    .when({ type: 'Withdraw', walletId: 'w', amount: 11n, at: 3 })
    .thenThrows('insufficient_funds');
  spec.given([]).when({ type: 'Deposit', walletId: 'w', amount: 1n, memo: '', at: 1 }).thenThrows('wallet_not_open');
  spec.given([opened]).when({ type: 'OpenWallet', walletId: 'w', owner: 'bob', at: 1 }).thenThrows('wallet_exists');
});

test('deciders are pure: decide and evolve never read the clock or randomness', () => {
  const saved = { now: Date.now, random: Math.random };
  Date.now = () => {
    throw new Error('decider read the clock');
  };
  Math.random = () => {
    throw new Error('decider read randomness');
  };
  const OriginalDate = globalThis.Date;
  globalThis.Date = class extends OriginalDate {
    constructor(...args: []) {
      if (args.length === 0) throw new Error('decider read the clock');
      super(...args);
    }
  } as DateConstructor;
  try {
    const state = fold(walletDecider, [opened, deposited(5n)]);
    const a = walletDecider.decide({ type: 'Withdraw', walletId: 'w', amount: 5n, at: 9 }, state);
    const b = walletDecider.decide({ type: 'Withdraw', walletId: 'w', amount: 5n, at: 9 }, state);
    assert.equal(a, b);
  } finally {
    globalThis.Date = OriginalDate;
    Date.now = saved.now;
    Math.random = saved.random;
  }
});

test('handle: loads, decides, appends; the result carries the new events and state', () => {
  const { store } = openWalletStore(dir.file('handle.db'));
  const wallets = new CommandHandler(store, walletDecider);
  wallets.handle({ streamId: 'wallet-w', command: { type: 'OpenWallet', walletId: 'w', owner: 'alice', at: 1 } });
  const r = wallets.handle({ streamId: 'wallet-w', command: { type: 'Deposit', walletId: 'w', amount: 42n, memo: 'hi', at: 2 } });
  assert.is(r.state.balance, 42n);
  assert.equal(
    r.events.map((e) => e.type),
    ['FundsDeposited'],
  );
  assert.is(r.events[0]?.metadata.commandName, 'Deposit');
  assert.throws(
    () => wallets.handle({ streamId: 'wallet-w', command: { type: 'Withdraw', walletId: 'w', amount: 43n, at: 3 } }),
    /insufficient/,
  );
  assert.is(store.headPosition(), 2);
  store.close();
});

test('handle retries on a concurrency conflict and re-decides on the fresh state', () => {
  const { store } = openWalletStore(dir.file('retry.db'));
  const wallets = new CommandHandler(store, walletDecider);
  wallets.handle({ streamId: 'wallet-w', command: { type: 'OpenWallet', walletId: 'w', owner: 'alice', at: 1 } });
  wallets.handle({ streamId: 'wallet-w', command: { type: 'Deposit', walletId: 'w', amount: 10n, memo: '', at: 1 } });
  // A competing writer slips in between this handler's load and its append, once.
  let interfered = false;
  const racing = {
    ...walletDecider,
    decide(c: WalletCommand, s: ReturnType<typeof walletDecider.initialState>) {
      if (!interfered) {
        interfered = true;
        store.append('wallet-w', [{ type: 'FundsWithdrawn', data: { walletId: 'w', amount: 6n, at: 2 } }]);
      }
      return walletDecider.decide(c, s);
    },
  };
  const handler = new CommandHandler(store, racing);
  // Withdrawing 5 fits the stale state (10) but not the fresh one (4): the retry must re-decide and refuse.
  assert.throws(
    () => handler.handle({ streamId: 'wallet-w', command: { type: 'Withdraw', walletId: 'w', amount: 5n, at: 3 } }),
    /insufficient/,
  );
  assert.is(new CommandHandler(store, walletDecider).load('wallet-w').state.balance, 4n);
  // with no retries left the conflict surfaces
  interfered = false;
  const impatient = new CommandHandler(store, racing, { maxRetries: 0 });
  assert.throws(
    () => impatient.handle({ streamId: 'wallet-w', command: { type: 'Withdraw', walletId: 'w', amount: 1n, at: 3 } }),
    /at version 4, expected 3/,
  );
  store.close();
});

test('idempotency key: a repeated command returns the first result; another payload under the key is refused', () => {
  const { store } = openWalletStore(dir.file('idem.db'));
  const wallets = new CommandHandler(store, walletDecider);
  wallets.handle({ streamId: 'wallet-w', command: { type: 'OpenWallet', walletId: 'w', owner: 'alice', at: 1 } });
  wallets.handle({ streamId: 'wallet-w', command: { type: 'Deposit', walletId: 'w', amount: 10n, memo: '', at: 1 } });
  const cmd = { type: 'Withdraw', walletId: 'w', amount: 10n, at: 2 } as const;
  const first = wallets.handle({ streamId: 'wallet-w', command: cmd, idempotencyKey: 'pay-1' });
  // Deciding again would fail (balance is 0 now); the key returns the first result instead.
  const again = wallets.handle({ streamId: 'wallet-w', command: cmd, idempotencyKey: 'pay-1' });
  assert.is(again.append.duplicate, true);
  assert.equal(
    again.events.map((e) => e.position),
    first.events.map((e) => e.position),
  );
  assert.is(store.headPosition(), 3);
  assert.throws(
    () => wallets.handle({ streamId: 'wallet-w', command: { ...cmd, amount: 1n }, idempotencyKey: 'pay-1' }),
    (e: unknown) => e instanceof IdempotencyConflict,
  );
  store.close();
});

test('snapshots: a long stream loads from its snapshot; a new snapshot version ignores the old one', () => {
  const { store } = openWalletStore(dir.file('snap.db'));
  const wallets = new CommandHandler(store, walletDecider);
  wallets.handle({ streamId: 'wallet-w', command: { type: 'OpenWallet', walletId: 'w', owner: 'alice', at: 1 } });
  for (let i = 0; i < 120; i++)
    wallets.handle({ streamId: 'wallet-w', command: { type: 'Deposit', walletId: 'w', amount: 1n, memo: '', at: i } });
  const snap = store.db.prepare('SELECT stream_version, snapshot_version FROM snapshots').get();
  assert.equal(snap, { stream_version: 100, snapshot_version: 1 });
  assert.equal(wallets.load('wallet-w'), { state: { open: true, balance: 120n, events: 121 }, version: 121 });
  // A snapshot is only a cache: poison it and bump the version, and the poison is ignored.
  store.db.prepare(`UPDATE snapshots SET state = '{"open":true,"balance":{"$bigint":"999"},"events":100}'`).run();
  const uncached = new CommandHandler(store, walletDecider, { cacheSize: 0 });
  assert.is(uncached.load('wallet-w').state.balance, 999n + 21n); // proves the snapshot is read
  const v2 = new CommandHandler(store, { ...walletDecider, snapshot: { version: 2, every: 50 } });
  assert.is(v2.load('wallet-w').state.balance, 120n);
  // state as of a position folds only the prefix
  assert.is(wallets.load('wallet-w', 11).state.balance, 10n);
  store.close();
});

test('the state cache sees appends made by another connection, and a stale cache only costs a retry', () => {
  const path = dir.file('cache.db');
  const { store } = openWalletStore(path);
  const wallets = new CommandHandler(store, walletDecider);
  wallets.handle({ streamId: 'wallet-w', command: { type: 'OpenWallet', walletId: 'w', owner: 'alice', at: 1 } });
  wallets.handle({ streamId: 'wallet-w', command: { type: 'Deposit', walletId: 'w', amount: 10n, memo: '', at: 1 } });
  const other = openWalletStore(path);
  new CommandHandler(other.store, walletDecider).handle({
    streamId: 'wallet-w',
    command: { type: 'Withdraw', walletId: 'w', amount: 7n, at: 2 },
  });
  other.store.close();
  assert.equal(wallets.load('wallet-w'), { state: { open: true, balance: 3n, events: 3 }, version: 3 });
  assert.throws(
    () => wallets.handle({ streamId: 'wallet-w', command: { type: 'Withdraw', walletId: 'w', amount: 4n, at: 3 } }),
    /insufficient/,
  );
  const tiny = new CommandHandler(store, walletDecider, { cacheSize: 1 });
  tiny.load('wallet-w');
  tiny.load('wallet-x');
  assert.is(tiny.load('wallet-w').version, 3);
  store.close();
});

test('property: the folded state equals the balance read model after any command sequence', () => {
  let run = 0;
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('Deposit', 'Withdraw'), fc.bigInt({ min: 0n, max: 1000n })), { maxLength: 30 }),
      (ops) => {
        run += 1;
        const { store } = openWalletStore(dir.file(`prop-${run}.db`));
        const wallets = new CommandHandler(store, walletDecider);
        wallets.handle({ streamId: 'wallet-w', command: { type: 'OpenWallet', walletId: 'w', owner: 'o', at: 0 } });
        for (const [type, amount] of ops) {
          try {
            wallets.handle({
              streamId: 'wallet-w',
              command: type === 'Deposit' ? { type, walletId: 'w', amount, memo: '', at: 1 } : { type, walletId: 'w', amount, at: 1 },
            });
          } catch {
            /* refused withdrawals append nothing */
          }
        }
        const balance = wallets.load('wallet-w').state.balance;
        const row = store.db.prepare('SELECT balance FROM wallet_balances').get() as { balance: string };
        store.close();
        return balance >= 0n && BigInt(row.balance) === balance;
      },
    ),
    { seed: fcSeed, numRuns: Math.min(fcRuns, 30) },
  );
});

test.after(() => dir.remove());
test.run();
