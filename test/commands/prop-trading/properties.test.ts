/**
 * Invariants of prop accounts over random action and price sequences, through the full
 * command path (handlers → decider → append → inline projections) on real SQLite files.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ActionInput } from '../../../commands/prop-trading/inputs.ts';
import { ClashError } from '../../../core/errors.ts';
import { verifyProjection } from '../../../core/projection-rebuild.ts';
import { PropTradingQueries } from '../../../projections/prop-trading/queries.ts';
import { openPropLedger, type PropLedger, px } from '../../support/prop-trading.ts';
import { fcRuns, fcSeed, tempDir } from '../../support/store.ts';

const dir = tempDir();
let n = 0;

type Step =
  | { kind: 'move'; asset: 'BTC' | 'ETH'; ppm: number }
  | { kind: 'act'; input: ActionInput }
  | { kind: 'mark' }
  | { kind: 'funding'; ratePpm: number }
  | { kind: 'wait'; ms: number }
  | { kind: 'freeze' }
  | { kind: 'unfreeze' };

const asset = fc.constantFrom('BTC' as const, 'ETH' as const);
const actionInput: fc.Arbitrary<ActionInput> = fc
  .record({
    asset,
    action: fc.oneof(
      { weight: 4, arbitrary: fc.constant('open' as const) },
      { weight: 3, arbitrary: fc.constant('increase' as const) },
      { weight: 2, arbitrary: fc.constant('reduce' as const) },
      { weight: 1, arbitrary: fc.constant('close' as const) },
    ),
    side: fc.constantFrom('long' as const, 'long' as const, 'short' as const),
    byNotional: fc.boolean(),
    amount: fc.integer({ min: 1, max: 40_000 }),
    leverage: fc.integer({ min: 1, max: 25 }),
    reduceOnly: fc.boolean(),
  })
  .map((a) => ({
    decisionRunId: `run-${a.amount}`,
    asset: a.asset,
    action: a.action,
    side: a.side,
    ...(a.action === 'close' ? {} : a.byNotional ? { notionalUsd: String(a.amount) } : { size: `0.${String(a.amount).padStart(5, '0')}` }),
    ...(a.action === 'open' || a.action === 'increase' ? { leverage: a.leverage } : {}),
    reduceOnly: a.reduceOnly && a.action !== 'open',
  }));

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('move' as const), asset, ppm: fc.integer({ min: -60_000, max: 60_000 }) }) },
  { weight: 12, arbitrary: actionInput.map((input) => ({ kind: 'act' as const, input })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'mark' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('funding' as const), ratePpm: fc.integer({ min: -500, max: 500 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1_000, max: 2 * 86_400_000 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'freeze' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unfreeze' as const }) },
);

const ACCOUNT = 'acc';

function balances(q: PropTradingQueries) {
  const row = q.account(ACCOUNT);
  return {
    cash: row?.cash,
    fees: row?.fees,
    realized: row?.realized_pnl,
    funding: row?.funding,
    positions: q.positions(ACCOUNT).map((p) => [p.asset, p.size]),
  };
}

function checkInvariants(env: PropLedger, q: PropTradingQueries): void {
  const row = q.account(ACCOUNT);
  assert.ok(row);
  const positions = q.positions(ACCOUNT);
  // equity = cash + Σ unrealized PnL (the row's and the positions')
  const unrealized = positions.reduce((s, p) => s + BigInt(p.unrealized_pnl as string), 0n);
  assert.is(BigInt(row.equity), BigInt(row.cash) + BigInt(row.unrealized_pnl), 'equity = cash + unrealized');
  assert.is(BigInt(row.unrealized_pnl), unrealized, 'account unrealized = Σ positions');
  // cash = starting equity + Σ realized − Σ fees ± Σ funding
  assert.is(
    BigInt(row.cash),
    BigInt(row.starting_equity) + BigInt(row.realized_pnl) - BigInt(row.fees) + BigInt(row.funding),
    'cash identity',
  );
  // each position = Σ signed fill sizes
  const fills = env.ledger.store.db
    .prepare<[string], { asset: string; size: string }>('SELECT asset, size FROM prop_fills WHERE account_id = ?')
    .all(ACCOUNT);
  const sums = new Map<string, bigint>();
  for (const f of fills) sums.set(f.asset, (sums.get(f.asset) ?? 0n) + BigInt(f.size));
  for (const [a, s] of sums)
    assert.is((positions.find((p) => p.asset === a)?.size as string | undefined) ?? '0', s.toString(), `position ${a} = Σ fills`);
  // the journal balances, and its ledger accounts agree with the read model
  const j = q.journalCheck(ACCOUNT);
  assert.ok(j.balanced, JSON.stringify(j.totals));
  assert.is(j.balances[`prop:${ACCOUNT}:cash USD`] ?? '0', row.cash, 'journal cash = cash');
  for (const p of positions) assert.is(j.balances[`prop:${ACCOUNT}:position:${p.asset} ${p.asset}`], p.size, 'journal position = size');
  // the decider's state agrees with the read model
  const state = env.prop.state(ACCOUNT);
  assert.is(state.cash.toString(), row.cash);
  assert.is(state.status, row.status);
  if (state.status === 'liquidated') assert.is(positions.length, 0, 'no open position after liquidation');
}

/** Runs the steps, checking after each; returns whether the account was liquidated. */
function run(steps: readonly Step[]): boolean {
  const env = openPropLedger(dir.file(`prop-${++n}.db`));
  const { prop, market, clock, ledger } = env;
  const q = new PropTradingQueries(ledger.store.db);
  const prices = { BTC: px('100000'), ETH: px('2500') };
  market.setPrice('BTC', prices.BTC, clock.now());
  market.setPrice('ETH', prices.ETH, clock.now());
  prop.open({ accountId: ACCOUNT, cloneId: 'c', strategyVersionId: 'v', purpose: 'sandbox', rules: { slippagePpm: 300 } }, 'service:test');
  let liquidated = false;
  try {
    for (const [index, s] of steps.entries()) {
      const before = balances(q);
      const head = ledger.store.headPosition();
      try {
        switch (s.kind) {
          case 'move':
            prices[s.asset] = (prices[s.asset] * BigInt(1_000_000 + s.ppm)) / 1_000_000n;
            market.setPrice(s.asset, prices[s.asset], clock.now());
            break;
          case 'act': {
            // every step is its own decision run (the same run again would be an idempotent repeat)
            const r = prop.submitAction(ACCOUNT, { ...s.input, decisionRunId: `run-${index}` }, 'service:test');
            if (r.events.some((e) => e.type === 'ActionRejected'))
              assert.equal(balances(q), before, 'a rejected action changes no balance');
            break;
          }
          case 'mark':
            if (prop.markToMarket(ACCOUNT, 'service:test').events.some((e) => e.type === 'AccountLiquidated')) liquidated = true;
            break;
          case 'funding':
            market.rates.set('BTC', BigInt(s.ratePpm) * 1_000_000n);
            market.rates.set('ETH', BigInt(s.ratePpm) * 1_000_000n);
            prop.applyFunding(ACCOUNT, { hour: clock.now() - (clock.now() % 3_600_000) }, 'service:test');
            break;
          case 'wait':
            clock.advance(s.ms);
            market.setPrice('BTC', prices.BTC, clock.now());
            market.setPrice('ETH', prices.ETH, clock.now());
            break;
          case 'freeze':
            prop.freeze(ACCOUNT, { reason: 'property test' }, 'user:admin');
            break;
          case 'unfreeze':
            prop.unfreeze(ACCOUNT, { reason: 'property test' }, 'user:admin');
            break;
        }
      } catch (error) {
        if (!(error instanceof ClashError)) throw error;
        assert.is(ledger.store.headPosition(), head, `a refused ${s.kind} appends nothing`);
      }
      checkInvariants(env, q);
    }
    if (liquidated) assert.is(prop.state(ACCOUNT).status, 'liquidated');
    prop.finalize(ACCOUNT, 'service:test');
    checkInvariants(env, q);
    ledger.projections.catchUpAll();
    for (const p of ledger.projections.definitions) {
      const v = verifyProjection(ledger.store, p);
      assert.ok(v.ok, `${p.name}: ${JSON.stringify(v.firstDifference)}`);
    }
    return liquidated;
  } finally {
    ledger.close();
  }
}

test('invariants hold after every command; replay reproduces every read model', () => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
      run(steps);
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('a run that goes bust is liquidated and ends with no open position', () => {
  // 0.8 BTC long at 100,000 (20×), two 6% drops to 88,360: equity ≈ 10,000 − 36 fee − 9,312 loss ≈ 650 < maintenance 707
  const liquidated = run([
    { kind: 'act', input: { decisionRunId: 'r', asset: 'BTC', action: 'open', side: 'long', size: '0.8', leverage: 20 } },
    { kind: 'move', asset: 'BTC', ppm: -60_000 },
    { kind: 'move', asset: 'BTC', ppm: -60_000 },
    { kind: 'mark' },
  ]);
  assert.ok(liquidated);
});

test.after(() => dir.remove());
test.run();
