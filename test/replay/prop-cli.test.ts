/** clash market import and clash prop show, end to end on real files (and real market data when present). */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { PropTrading } from '../../commands/prop-trading/handlers.ts';
import { ManualClock, SequentialIds } from '../../core/clock.ts';
import { main } from '../../replay/main.ts';
import { openLedger } from '../../server/context.ts';
import { sharedData } from '../support/prop-trading.ts';
import { tempDir } from '../support/store.ts';

const data = sharedData();
const dir = tempDir();
const db = dir.file('cli.db');

async function clash(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const sinks = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), stderrIsTTY: false };
  const code = await main(argv, { sinks, env: {} });
  return { code, out: out.join(''), err: err.join('') };
}

test('market import: bad flags exit 2 naming the flag', async () => {
  const noFile = await clash('market', 'import', '--db', db, dir.file('missing.json'));
  assert.is(noFile.code, 2);
  assert.match(noFile.err, 'argument: no such file');
  const badAt = await clash('market', 'import', '--db', db, '--at', 'yesterday', import.meta.filename);
  assert.is(badAt.code, 2);
  assert.match(badAt.err, '--at');
  assert.is((await clash('prop', 'show', '--db', db)).code, 2);
});

test('market import loads real files with a summary; a second import writes nothing', async () => {
  if (!data) return;
  const meta = join(data, 'market/hyperliquid/python-sdk/responses/meta.2023-07-17.json');
  const btc = join(data, 'market/candles-1m/bybit-linear/BTCUSDT_1m.csv');
  const mids = join(data, 'market/hyperliquid/python-sdk/responses/allMids.2023-07-17.json');
  const missingAt = await clash('market', 'import', '--db', db, mids);
  assert.is(missingAt.code, 2);
  assert.match(missingAt.err, '--at');
  const first = await clash('market', 'import', '--db', db, '--json', meta, btc);
  assert.is(first.code, 0, first.err);
  const summary = JSON.parse(first.out) as { format: string; counts: { candles: { written: number } } }[];
  assert.equal(
    summary.map((s) => [s.format, s.counts.candles.written]),
    [
      ['meta', 0],
      ['bybit-csv', 43_200],
    ],
  );
  const second = await clash('market', 'import', '--db', db, meta, btc);
  assert.is(second.code, 0);
  assert.match(second.out, '2 file(s), 0 row(s) written');
  assert.match(second.out, '43200 unchanged');
});

test('prop show: an account traded on real prices, its PnL and a balanced journal; a tampered journal exits 1', async () => {
  if (!data) return;
  const clock = new ManualClock(Date.UTC(2025, 5, 1, 0, 0, 30));
  const ledger = openLedger({ dbPath: db, clock, ids: new SequentialIds() });
  const prop = new PropTrading({ store: ledger.store, clock, ids: ledger.ids, market: new MarketMemory(ledger.store.db) });
  prop.open({ accountId: 'cli-1', cloneId: 'c', strategyVersionId: 'v', purpose: 'backtest' }, 'service:test');
  const fill = prop.submitAction(
    'cli-1',
    { decisionRunId: 'r1', asset: 'BTC', action: 'open', side: 'long', notionalUsd: '5000', leverage: 3 },
    'service:test',
  );
  assert.is(fill.events[0]?.type, 'OrderFilled');
  clock.advance(6 * 3_600_000);
  prop.markToMarket('cli-1', 'service:test');
  ledger.close();
  const shown = await clash('prop', 'show', 'cli-1', '--db', db);
  assert.is(shown.code, 0, shown.err + shown.out);
  assert.match(shown.out, 'journal balances');
  assert.match(shown.out, /BTC\s+long\s+0\.04\d+/);
  const json = JSON.parse((await clash('prop', 'show', 'cli-1', '--db', db, '--json')).out) as { ok: boolean };
  assert.ok(json.ok);
  assert.is((await clash('prop', 'show', 'nope', '--db', db)).code, 1);
  const verified = await clash('projections', 'verify', '--db', db);
  assert.is(verified.code, 0, verified.out);
  assert.match(verified.out, 'ok      prop_journal');
  const tamper = openLedger({ dbPath: db });
  tamper.store.db
    .prepare(
      `UPDATE prop_journal SET amount = 1 WHERE account_id = 'cli-1' AND line = 0 AND position IN (SELECT position FROM events WHERE type = 'OrderFilled')`,
    )
    .run();
  tamper.close();
  const broken = await clash('prop', 'show', 'cli-1', '--db', db);
  assert.is(broken.code, 1);
  assert.match(broken.out, 'DOES NOT BALANCE');
  const verify = await clash('projections', 'verify', 'prop_journal', '--db', db);
  assert.is(verify.code, 1);
});

test.after(() => dir.remove());
test.run();
