import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, SequentialIds } from './core/clock.ts';
import { PropTrading } from './commands/prop-trading/handlers.ts';
import { openLedger } from './server/context.ts';
import { PRICE } from './adapters/market/units.ts';
const dir = mkdtempSync(join(tmpdir(), 'p-'));
const clock = new ManualClock(Date.UTC(2026, 0, 5));
const ledger = openLedger({ dbPath: join(dir, 'x.db'), synchronous: 'NORMAL', clock, ids: new SequentialIds() });
let price = 100_000n * PRICE.one;
const BTC = { name: 'BTC', szDecimals: 5, maxLeverage: 50, kind: 'perp' as const, enabled: true };
const market = { asset: (n: string) => (n === 'BTC' ? BTC : undefined), priceAt: (asset: string, at: number) => (asset === 'BTC' ? { asset, price, time: clock.now(), ageMs: 0 } : undefined), fundingAt: () => undefined };
const prop = new PropTrading({ store: ledger.store, clock, ids: ledger.ids, market });
for (let a = 0; a < 50; a++) prop.open({ accountId: `b${a}`, cloneId: `c${a}`, strategyVersionId: 'v', purpose: 'backtest', rules: { dailyLossPpm: 1_000_000, maxDrawdownPpm: 1_000_000 } }, 'bench');
const t = performance.now();
for (let i = 0; i < 5000; i++) {
  clock.advance(1000); price = price + BigInt((i % 7) - 3) * PRICE.one;
  const opening = Math.floor(i / 50) % 2 === 0;
  prop.submitAction(`b${i % 50}`, opening ? { decisionRunId: `r${i}`, asset: 'BTC', action: 'open', side: 'long', notionalUsd: '2000', leverage: 5 } : { decisionRunId: `r${i}`, asset: 'BTC', action: 'close', side: 'long' }, 'bench');
}
console.log((5000 / ((performance.now() - t) / 1000)) | 0, 'actions/s');
