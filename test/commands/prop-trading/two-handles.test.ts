/**
 * Two handles (two connections, as two server processes) on one ledger file: what a decision
 * needs from market memory is fetched for the state it decides on, inside the handler's retry
 * loop. When the other handle opens a position between this one's load and its append, the
 * retry quotes the new asset too: no spurious, permanent `no_price` rejection.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PriceQuote } from '../../../adapters/market/price-source.ts';
import { openPropLedger, type PropLedger, px, T0 } from '../../support/prop-trading.ts';
import { tempDir } from '../../support/store.ts';

const dir = tempDir();
const ACTOR = 'service:test';

/** Two handles on one file, BTC and ETH priced in both, one account with a BTC long. */
function twoHandles(name: string): { a: PropLedger; b: PropLedger } {
  const path = dir.file(name);
  const a = openPropLedger(path);
  const b = openPropLedger(path);
  for (const h of [a, b]) {
    h.market.setPrice('BTC', px('100000'), T0);
    h.market.setPrice('ETH', px('3000'), T0);
  }
  a.prop.open({ accountId: 'acc', cloneId: 'c', strategyVersionId: 'v', purpose: 'sandbox' }, ACTOR);
  a.prop.submitAction('acc', { decisionRunId: 'run-btc', asset: 'BTC', action: 'open', side: 'long', size: '0.01', leverage: 5 }, ACTOR);
  return { a, b };
}

/** Runs `during` once, the first time handle `h` reads a price (after it loaded the account). */
function interleave(h: PropLedger, during: () => void): void {
  const priceAt = h.market.priceAt.bind(h.market);
  let done = false;
  h.market.priceAt = (asset: string, at: number): PriceQuote | undefined => {
    if (!done) {
      done = true;
      during();
    }
    return priceAt(asset, at);
  };
}

const openEth = (h: PropLedger) =>
  h.prop.submitAction('acc', { decisionRunId: 'run-eth', asset: 'ETH', action: 'open', side: 'short', size: '0.1', leverage: 5 }, ACTOR);

test('an action decided while the other handle opens a position fills, quoting every asset held', () => {
  const { a, b } = twoHandles('action.db');
  interleave(a, () => assert.is(openEth(b).events.at(-1)?.type, 'OrderFilled'));
  const r = a.prop.submitAction(
    'acc',
    { decisionRunId: 'run-more', asset: 'BTC', action: 'increase', side: 'long', size: '0.01', leverage: 5 },
    ACTOR,
  );
  assert.equal(
    r.events.map((e) => e.type),
    ['OrderFilled'],
  );
  const rejections = a.ledger.store.db.prepare("SELECT count(*) AS n FROM events WHERE type = 'ActionRejected'").get();
  assert.equal(rejections, { n: 0 });
  assert.equal(Object.keys(r.state.positions).sort(), ['BTC', 'ETH']);
  a.ledger.close();
  b.ledger.close();
});

test('a mark decided while the other handle opens a position values both positions', () => {
  const { a, b } = twoHandles('mark.db');
  interleave(a, () => openEth(b));
  a.market.setPrice('BTC', px('101000'), T0); // a move, so the mark records a valuation
  const r = a.prop.markToMarket('acc', ACTOR);
  const marked = r.events.find((e) => e.type === 'AccountMarked');
  assert.ok(marked?.type === 'AccountMarked', 'a mark is recorded, not refused for want of an ETH price');
  assert.equal(
    marked.data.valuation.positions.map((p) => p.asset),
    ['BTC', 'ETH'],
  );
  a.ledger.close();
  b.ledger.close();
});

test.run();
