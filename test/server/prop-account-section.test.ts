/**
 * The packet's account section over the prop read models. Property: for any sequence of opens,
 * increases, reduces and closes at rising prices and times on a real ledger file, and any T
 * after the account opened, the section lists exactly the newest fills at or before T (at most
 * `RECENT_FILLS`, oldest first), open orders are the protective orders resting by T, every gate's
 * headroom is non-negative and equals its rule, the positions are the read model's, and the same
 * T gives the same section.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { share } from '../../commands/prop-trading/figures.ts';
import { DEFAULT_RULES } from '../../commands/prop-trading/rules.ts';
import { PropTradingQueries } from '../../projections/prop-trading/queries.ts';
import { propAccountSections, RECENT_FILLS } from '../../server/prop-account-section.ts';
import { openPropLedger, px, T0 } from '../support/prop-trading.ts';
import { fcRuns, fcSeed, tempDir } from '../support/store.ts';

const dir = tempDir();
let n = 0;

const arbStep = fc.record({
  action: fc.constantFrom('open', 'increase', 'reduce', 'close'),
  side: fc.constantFrom('long', 'short'),
  notionalUsd: fc.integer({ min: 50, max: 40_000 }),
  price: fc.integer({ min: 90_000, max: 110_000 }),
  gapMs: fc.integer({ min: 1_000, max: 600_000 }),
});

test('property: recent fills are the newest at or before T, headroom follows the rules, the section is deterministic', () => {
  fc.assert(
    fc.property(fc.array(arbStep, { minLength: 1, maxLength: 16 }), fc.double({ min: 0, max: 1, noNaN: true }), (steps, where) => {
      const { ledger, prop, market, clock } = openPropLedger(dir.file(`section-${n++}.db`));
      try {
        prop.open({ accountId: 'acc', cloneId: 'clone-1', strategyVersionId: 'v1', purpose: 'sandbox' }, 'service:test');
        let at = T0;
        for (const [i, s] of steps.entries()) {
          at += s.gapMs;
          clock.set(at);
          market.setPrice('BTC', px(String(s.price)), at);
          const amount = s.action === 'close' ? {} : { notionalUsd: String(s.notionalUsd) };
          // opens and increases carry an exit plan a tenth away: Prop Trading rests it as protective orders
          const [up, down] = [String(Math.round((s.price * 11) / 10)), String(Math.round((s.price * 9) / 10))];
          const plan = s.side === 'long' ? { takeProfitPrice: up, stopLossPrice: down } : { takeProfitPrice: down, stopLossPrice: up };
          const leverage = s.action === 'open' || s.action === 'increase' ? { leverage: 5, exitPlan: plan } : {};
          prop.submitAction(
            'acc',
            { decisionRunId: `run-${i}`, asset: 'BTC', action: s.action, side: s.side, ...amount, ...leverage },
            'service:test',
          );
        }
        const T = Math.round(T0 + where * (at - T0));
        const sections = propAccountSections(ledger.store.db);
        const section = sections.section('acc', T);
        assert.ok(section, 'the account opened at T0');
        const db = ledger.store.db;
        const expected = db
          .prepare<[string, number], { at: number }>('SELECT at FROM prop_fills WHERE account_id = ? AND at <= ? ORDER BY position, seq')
          .all('acc', T)
          .slice(-RECENT_FILLS)
          .map((f) => new Date(f.at).toISOString());
        assert.equal(
          section.recentFills.map((f) => f.time),
          expected,
        );
        const row = new PropTradingQueries(db).account('acc');
        if (!row) throw new Error('no account row');
        const h = section.headroomMicroUsd;
        for (const [gate, value] of Object.entries(h)) assert.ok(BigInt(value) >= 0n, `${gate} headroom ${value} is not negative`);
        const startOfDay = BigInt(row.start_of_day_equity);
        const loss = startOfDay > BigInt(row.equity) ? startOfDay - BigInt(row.equity) : 0n;
        const dailyLoss = share(startOfDay, DEFAULT_RULES.dailyLossPpm) - loss;
        assert.is(h.dailyLoss, (dailyLoss > 0n ? dailyLoss : 0n).toString());
        assert.is(h.positionNotional, DEFAULT_RULES.maxPositionNotionalMicroUsd.toString());
        assert.equal(
          section.positions.map((p) => p.asset),
          new PropTradingQueries(db).positions('acc').map((p) => p.asset),
        );
        const resting = db
          .prepare<[string, number], number>('SELECT count(*) FROM prop_protective_orders WHERE account_id = ? AND placed_at <= ?')
          .pluck()
          .get('acc', T);
        assert.is(section.openOrders, resting ?? 0, 'open orders are the protective orders resting by T');
        for (const p of section.positions) assert.ok(h[`positionNotional.${p.asset}`] !== undefined, `headroom for held ${p.asset}`);
        assert.equal(sections.section('acc', T), section, 'the same T, the same section');
        assert.equal(sections.account('clone-1', T), section, 'by clone: the same account');
        assert.is(sections.section('acc', T0 - 1), null, 'before the account opened there is none');
      } finally {
        ledger.close();
      }
    }),
    { seed: fcSeed, numRuns: Math.min(fcRuns, 25) },
  );
});

test.after(() => dir.remove());
test.run();
