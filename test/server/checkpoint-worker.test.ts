/**
 * The `checkpoints` worker of the catalog (server/ledger.ts, doc/ledger-integrity.md
 * "Checkpoints"): started by name like every worker, it beats from the start, signs a checkpoint
 * once N events arrived or the interval passed with anything appended, and reports both in its
 * heartbeat and in `/metrics`; it is refused, naming why, when turned off or when the composition
 * has no ledger module.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../core/clock.ts';
import { startWorkers } from '../../server/workers.ts';
import { walletComposition, walletLedgerComposition } from '../support/wallet/composition.ts';
import { workerFixture } from '../support/workers.ts';

const T0 = Date.UTC(2026, 0, 5);
const SCHEDULE = {
  CLASH_CHECKPOINT_EVERY_EVENTS: '3',
  CLASH_CHECKPOINT_INTERVAL_SECONDS: '60',
  // the ticks of this test are `tickNow` on a manual clock: the interval never fires
  CLASH_CHECKPOINT_POLL_MS: '3600000',
};
const deposit = (i: number) => ({ type: 'FundsDeposited', data: { walletId: 'w', amount: BigInt(i), memo: `d${i}`, at: i } });

test('the checkpoints worker signs once N events arrived, or after the interval, and says so in its beat and in /metrics', async () => {
  // Given the checkpoints worker started by name over a ledger with the ledger module
  const clock = new ManualClock(T0);
  const { ledger, ops, context, close } = workerFixture('checkpoints', SCHEDULE, clock, undefined, walletLedgerComposition);
  const [worker] = startWorkers(['checkpoints'], context(), clock);
  const beat = () => ops.heartbeats.list(clock.now(), ops.staleBeats).find((b) => b.worker === 'checkpoints');
  assert.ok(beat(), 'it beats from the start');
  assert.is(beat()?.intervalMs, 3_600_000, 'its cadence is CLASH_CHECKPOINT_POLL_MS');

  // When the log is empty: nothing to sign
  await worker?.tickNow();
  assert.equal(beat()?.signals, { signed: 0, treeSize: 0 });

  // When the first events arrive: the first checkpoint at once
  ledger.store.append('wallet-w', [deposit(1), deposit(2)]);
  await worker?.tickNow();
  assert.is(ledger.checkpoints.latest()?.treeSize, 2);
  assert.equal(beat()?.signals, { signed: 1, treeSize: 2 });

  // When two more arrive: not yet due; the third after the checkpoint makes it due
  ledger.store.append('wallet-w', [deposit(3), deposit(4)]);
  await worker?.tickNow();
  assert.equal(beat()?.signals, { signed: 0, treeSize: 2 });
  ledger.store.append('wallet-w', [deposit(5)]);
  await worker?.tickNow();
  assert.is(ledger.checkpoints.latest()?.treeSize, 6, 'three events and the checkpoint event before them');

  // When one more arrives: due only once the interval has passed since the last checkpoint
  ledger.store.append('wallet-w', [deposit(6)]);
  clock.set(T0 + 59_999);
  await worker?.tickNow();
  assert.is(ledger.checkpoints.latest()?.treeSize, 6, 'before the interval');
  clock.set(T0 + 60_000);
  await worker?.tickNow();
  assert.is(ledger.checkpoints.latest()?.treeSize, 8);
  assert.equal([beat()?.state, beat()?.lastSuccessAt, beat()?.signals], ['ok', T0 + 60_000, { signed: 1, treeSize: 8 }]);

  // Then /metrics has its beat and its ticks
  const text = await ops.metrics.text();
  assert.match(text, /clash_worker_last_beat_timestamp_seconds\{worker="checkpoints",[^}]*\} /);
  assert.match(text, /clash_worker_tick_duration_seconds_count\{worker="checkpoints",outcome="ok"\} 6/);

  // And a stop removes its beat
  await worker?.stop();
  assert.is(beat(), undefined);
  close();
});

test('the checkpoints worker cannot run when turned off or without the ledger module, and says why', () => {
  const clock = new ManualClock(T0);
  const off = workerFixture('checkpoints-off', { CLASH_CHECKPOINT_INTERVAL_SECONDS: '0' }, clock, undefined, walletLedgerComposition);
  assert.throws(
    () => startWorkers(['checkpoints'], off.context(), clock),
    /worker checkpoints cannot run: CLASH_CHECKPOINT_INTERVAL_SECONDS is 0/,
  );
  off.close();
  const bare = workerFixture('checkpoints-bare', SCHEDULE, clock, undefined, walletComposition);
  assert.throws(
    () => startWorkers(['checkpoints'], bare.context(), clock),
    /worker checkpoints cannot run: the composition has no ledger module/,
  );
  bare.close();
});

test.run();
