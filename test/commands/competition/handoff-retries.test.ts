/**
 * Hand-offs under the retry policy: a refund the Economy keeps refusing is retried with backoff,
 * then parked as a dead letter, and the hand-offs after it (another clone's refund) are not
 * blocked; an operator retry, once the Economy answers again, completes it (issue 15).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CompetitionWorker } from '../../../commands/competition/worker.ts';
import { SequentialIds } from '../../../core/clock.ts';
import { WorkUnits } from '../../../core/operations/work-units.ts';
import { CompetitionQueries } from '../../../projections/competition/queries.ts';
import { openLedger } from '../../../server/context.ts';
import { TestEconomy, testFacts } from '../../support/competition-economy.ts';
import { T0, TestMarket } from '../../support/prop-trading.ts';
import { tempDir } from '../../support/store.ts';

const facts = testFacts;

/** The Economy, down for one payment's refunds until `recover()`. */
class FlakyEconomy extends TestEconomy {
  down = new Set<string>();
  constructor() {
    super();
    const refund = this.refunds.refund;
    (this as { refunds: TestEconomy['refunds'] }).refunds = {
      refund: async (request) => {
        if (this.down.has(request.paymentId)) throw new Error(`economy unavailable for ${request.paymentId}`);
        return refund(request);
      },
    };
  }
}

test('a refund that keeps failing becomes a dead letter after its attempts; the next refund is not blocked; a retry completes it', async () => {
  const dir = tempDir('clash-handoffs-');
  const ledger = openLedger({ dbPath: dir.file('handoffs.db'), synchronous: 'NORMAL', ids: new SequentialIds() });
  const economy = new FlakyEconomy();
  const units = new WorkUnits(ledger.store.db, { maxAttempts: 3, baseMs: 60_000, maxMs: 600_000, factor: 2, jitter: 0 });
  const worker = new CompetitionWorker(
    {
      store: ledger.store,
      ids: ledger.ids,
      market: new TestMarket(),
      economy,
      facts,
      queries: new CompetitionQueries(ledger.store.db),
      checkpoints: ledger.checkpoints,
    },
    { units },
  );
  const c = worker.competition;
  await worker.tick(T0);
  // Given two auditions, both voided by an operator: alpha's fee refund fails, bravo's works
  const submit = (cloneId: string) => {
    economy.grantAuditionCredit(cloneId);
    return c.submitAudition({ userId: `user-${cloneId}`, address: facts.walletOf(`user-${cloneId}`) as `0x${string}` }, cloneId);
  };
  const alpha = submit('alpha');
  const bravo = submit('bravo');
  economy.down.add(alpha);
  c.voidAudition('op-1', alpha, 'prop outage');
  c.voidAudition('op-1', bravo, 'prop outage');
  // When the worker ticks
  const first = await worker.tick(T0 + 1000);
  // Then bravo is refunded although alpha's refund, earlier in the log, failed
  assert.equal(
    economy.refundRequests.map((r) => r.paymentId),
    [bravo],
  );
  assert.is(first.parked, 1);
  const [parked] = units.parked('competition');
  assert.equal([parked?.state, parked?.attempts, parked?.orderingKey], ['retrying', 1, null]);
  assert.match(parked?.description ?? '', /^AuditionFeeRefundOwed of audition-/);
  // It is retried after its backoff (60 s, then 120 s), not before, and then parked as a dead letter
  await worker.tick(T0 + 1000 + 59_999);
  assert.is(units.parked('competition')[0]?.attempts, 1, 'not due yet');
  await worker.tick(T0 + 1000 + 60_000);
  assert.is(units.parked('competition')[0]?.attempts, 2);
  await worker.tick(T0 + 1000 + 180_000);
  const [dead] = units.parked('competition');
  assert.equal([dead?.state, dead?.attempts, dead?.lastError], ['dead', 3, `Error: economy unavailable for ${alpha}`]);
  assert.equal([dead?.firstFailureAt, dead?.lastFailureAt], [T0 + 1000, T0 + 181_000]);
  await worker.tick(T0 + 10_000_000);
  assert.is(units.parked('competition')[0]?.attempts, 3, 'a dead letter waits for an operator');
  // When the Economy is back and an operator retries it, the next tick refunds alpha
  economy.down.clear();
  units.retry(dead?.seq ?? 0, T0 + 10_000_000);
  await worker.tick(T0 + 10_000_000);
  assert.equal(economy.refundRequests.map((r) => r.paymentId).sort(), [alpha, bravo].sort());
  assert.equal(units.parked('competition'), []);
  ledger.close();
  dir.remove();
});

test.run();
