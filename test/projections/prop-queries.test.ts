/**
 * The prop account queries prepare each statement once (issue 17, "cheap reads on the hot
 * path"): after a first round of every query, more rounds prepare nothing, and answer the same.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PropTradingQueries } from '../../projections/prop-trading/queries.ts';
import { countPrepares } from '../support/prepares.ts';
import { openPropLedger, px } from '../support/prop-trading.ts';
import { tempDir } from '../support/store.ts';

const dir = tempDir();

test('every query prepares its statement once; later calls only bind and step', () => {
  const { ledger, prop, market, clock } = openPropLedger(dir.file('queries.db'));
  market.setPrice('BTC', px('100000'), clock.now());
  prop.open({ accountId: 'q1', cloneId: 'c', strategyVersionId: 'v', purpose: 'sandbox' }, 'service:test');
  const filled = prop.submitAction(
    'q1',
    { decisionRunId: 'r1', asset: 'BTC', action: 'open', side: 'long', notionalUsd: '1000', leverage: 2 },
    'service:test',
  );
  const positions = filled.events.map((e) => e.position);
  const db = ledger.store.db;
  const prepared = countPrepares(db);
  const q = new PropTradingQueries(db);
  const round = () => ({
    account: q.account('q1'),
    positions: q.positions('q1'),
    fills: q.page('fills', 'q1', { limit: 10 }),
    journal: q.page('journal', 'q1', { limit: 10 }),
    own: q.atPositions('fills', 'q1', positions),
    check: q.journalCheck('q1'),
  });
  const first = round();
  const afterFirst = prepared();
  assert.ok(afterFirst > 0, 'the first round prepares');
  for (let i = 0; i < 5; i++) assert.equal(round(), first);
  assert.is(prepared(), afterFirst, 'no statement prepared again');
  assert.is(first.own.length, 1, "the action's own fill, found by its positions");
  assert.equal(first.own, first.fills.items);
  ledger.close();
});

test.run();
