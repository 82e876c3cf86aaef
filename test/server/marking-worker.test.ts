/**
 * The `marking` worker (server/workers.ts) on a real ledger file and market memory: a race
 * account with a position is marked every round while prices move, pays the funding of each
 * hour once, and its stop-loss fills from a stored 1m candle whose low crossed it although the
 * latest price did not; sandbox accounts are left alone. Run through the worker loop (lease,
 * heartbeat), one tick per simulated minute.
 */
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { propAccountStream } from '../../commands/prop-trading/decider.ts';
import type { PropAccountEvent } from '../../commands/prop-trading/events.ts';
import { funding } from '../../commands/prop-trading/figures.ts';
import { ManualClock, SequentialIds } from '../../core/clock.ts';
import { startWorker, type WorkerDefinition } from '../../core/operations/worker-loop.ts';
import { PropTradingQueries } from '../../projections/prop-trading/queries.ts';
import { propTrading } from '../../server/prop-trading.ts';
import { workerCatalog } from '../../server/workers.ts';
import { BTC, px, rate, sz } from '../support/prop-trading.ts';
import { workerFixture } from '../support/workers.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

test('a race account is marked on cadence, funded once per hour, and its stop-loss fills from a stored 1m candle', async () => {
  const clock = new ManualClock(T0);
  const { ledger, ops, context, close } = workerFixture('marking', { CLASH_MARK_INTERVAL_SECONDS: '60' }, clock, new SequentialIds());
  const market = new MarketMemory(ledger.store.db);
  const none = { candles: [], mids: [], funding: [], assets: [] };
  /** BTC's mid at minute `m` after T0: 100,000 + 10 × m USD. */
  const midAt = (m: number, price = 100_000 + 10 * m) =>
    market.write({ ...none, mids: [{ asset: 'BTC', time: T0 + m * MIN, price: px(String(price)) }] });
  market.write({ ...none, assets: [BTC], funding: [{ asset: 'BTC', time: T0 + HOUR + 7, rate: rate('0.0000125'), premium: 0n }] });
  midAt(0);

  const prop = propTrading(ledger);
  for (const [accountId, purpose] of [
    ['race-1', 'race'],
    ['sandbox-1', 'sandbox'],
  ] as const) {
    prop.open({ accountId, cloneId: 'clone-1', strategyVersionId: 'v1', purpose }, 'service:test');
  }
  clock.set(T0 + MIN);
  midAt(1);
  const exitPlan = { takeProfitPrice: '104000', stopLossPrice: '98000', invalidation: 'loses 98,000' };
  for (const id of ['race-1', 'sandbox-1']) {
    const opened = prop.submitAction(
      id,
      { decisionRunId: `run-${id}`, asset: 'BTC', action: 'open', side: 'long', size: '0.1', leverage: 5, exitPlan },
      'service:test',
    );
    assert.equal(
      opened.events.map((e) => e.type),
      ['OrderFilled', 'ProtectiveOrderPlaced', 'ProtectiveOrderPlaced'],
    );
  }

  const def = workerCatalog.marking?.(context({ competing: true })) as WorkerDefinition;
  assert.is(def.name, 'marking');
  assert.is(def.intervalMs, 60_000);
  assert.ok(def.exclusive, 'one process marks at a time (a lease)');
  const running = startWorker(
    def,
    { heartbeats: ops.heartbeats, leases: ops.leases, clock, log: pino({ level: 'silent' }) },
    { autoStart: false },
  );
  const typesOf = (id: string, after = 0) =>
    ledger.store
      .readStream(propAccountStream(id))
      .filter((e) => e.position > after)
      .map((e) => e.type);

  // Rounds every minute from 12:02 to 13:05, the price moving each minute: each round marks once.
  for (let m = 2; m <= 65; m++) {
    clock.set(T0 + m * MIN + 30_000);
    midAt(m);
    const before = ledger.store.headPosition();
    await running.tickNow();
    const types = typesOf('race-1', before);
    assert.ok(types.includes('AccountMarked'), `round at minute ${m} marked the race account: ${types.join(', ')}`);
  }
  assert.ok(ops.leases.get('marking'), 'the worker held its lease');
  const race = () => ledger.store.readStream(propAccountStream('race-1')).map((e) => e as unknown as PropAccountEvent);
  const fundings = race().flatMap((e) => (e.type === 'FundingApplied' ? [e.data] : []));
  // 12:00 is not paid (the position was opened at 12:01); 13:00 is paid once, in the round at 13:00:30.
  assert.is(fundings.length, 1);
  const [paid] = fundings;
  assert.is(paid?.hour, T0 + HOUR);
  const price = px(String(100_000 + 10 * 60));
  assert.equal(paid?.payments, [
    { asset: 'BTC', size: sz('0.1'), price, rate: rate('0.0000125'), amountMicroUsd: funding(sz('0.1'), price, rate('0.0000125')) },
  ]);
  assert.ok((paid?.totalMicroUsd ?? 0n) < 0n, 'a long pays a positive rate');
  assert.equal(
    typesOf('sandbox-1', 0).filter((t) => t === 'AccountMarked' || t === 'FundingApplied'),
    [],
    'a sandbox account is not marked',
  );

  // A 1m candle 13:05–13:06 whose low (97,500) crossed the stop; the latest price (its close, 98,500) did not.
  market.write({
    ...none,
    candles: [
      {
        asset: 'BTC',
        intervalMs: MIN,
        openTime: T0 + 65 * MIN,
        open: px('100650'),
        high: px('100700'),
        low: px('97500'),
        close: px('98500'),
        volume: sz('12'),
      },
    ],
  });
  clock.set(T0 + 66 * MIN + 30_000);
  const before = ledger.store.headPosition();
  await running.tickNow();
  assert.equal(typesOf('race-1', before), ['OrderFilled', 'ProtectiveOrderCancelled']);
  const fill = race().flatMap((e) => (e.type === 'OrderFilled' && e.data.trigger ? [e.data] : []))[0];
  assert.is(fill?.price, px('98000'));
  assert.equal(fill?.trigger?.source, 'candle_1m');
  assert.is(fill?.decisionRunId, 'run-race-1');
  assert.equal(prop.state('race-1').positions, {});
  const fills = new PropTradingQueries(ledger.store.db).page('fills', 'race-1', { limit: 10 }).items;
  assert.equal(
    fills.map((f) => [f.kind, f.order_id, f.price]),
    [
      ['order', fills[0]?.order_id, fills[0]?.price],
      ['stop_loss', fill?.orderId, String(px('98000'))],
    ],
    'the read model names the stop-loss fill',
  );

  // The next round re-reads the same candle: nothing fills twice.
  clock.set(T0 + 67 * MIN + 30_000);
  const again = ledger.store.headPosition();
  await running.tickNow();
  assert.equal(typesOf('race-1', again), []);
  const beat = ops.heartbeats.list(clock.now(), 3).find((h) => h.worker === 'marking');
  assert.is(beat?.lastError, null);

  await running.stop();
  close();
});

test('the marking worker is off at CLASH_MARK_INTERVAL_SECONDS=0', () => {
  const { context, close } = workerFixture('marking-off', { CLASH_MARK_INTERVAL_SECONDS: '0' }, new ManualClock(T0));
  assert.is(workerCatalog.marking?.(context({ competing: true })), 'CLASH_MARK_INTERVAL_SECONDS is 0');
  close();
});

test('the marking worker needs the competition module (audition and race accounts)', () => {
  const { context, close } = workerFixture('marking-alone', {}, new ManualClock(T0));
  assert.match(String(workerCatalog.marking?.(context())), 'no competition module');
  close();
});

test.run();
