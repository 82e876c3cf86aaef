/** Helpers for prop trading tests: an in-memory market, a ledger on a real file, command builders. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AssetInfo, FundingRate, PriceQuote } from '../../adapters/market/price-source.ts';
import { PRICE, RATE, SIZE } from '../../adapters/market/units.ts';
import type { PropAccountCommand, Quotes } from '../../commands/prop-trading/commands.ts';
import { type MarketFacts, PropTrading } from '../../commands/prop-trading/handlers.ts';
import { DEFAULT_RULES, type Rules } from '../../commands/prop-trading/rules.ts';
import { ManualClock, SequentialIds } from '../../core/clock.ts';
import { MICRO_USD, parseDecimal } from '../../core/money.ts';
import { type Ledger, openLedger } from '../../server/context.ts';

export const usd = (s: string) => parseDecimal(s, MICRO_USD);
export const px = (s: string) => parseDecimal(s, PRICE);
export const sz = (s: string) => parseDecimal(s, SIZE);
export const rate = (s: string) => parseDecimal(s, RATE);

export const BTC: AssetInfo = { name: 'BTC', szDecimals: 5, maxLeverage: 50, kind: 'perp', enabled: true };
export const ETH: AssetInfo = { name: 'ETH', szDecimals: 4, maxLeverage: 50, kind: 'perp', enabled: true };

/** Prices, assets and funding rates held in memory; prices stamped with the time they are set. */
export class TestMarket implements MarketFacts {
  readonly assets = new Map<string, AssetInfo>([
    ['BTC', BTC],
    ['ETH', ETH],
  ]);
  readonly prices = new Map<string, { price: bigint; time: number }>();
  readonly rates = new Map<string, bigint>();

  setPrice(asset: string, price: bigint, time: number): void {
    this.prices.set(asset, { price, time });
  }
  asset(name: string): AssetInfo | undefined {
    return this.assets.get(name);
  }
  priceAt(asset: string, at: number): PriceQuote | undefined {
    const p = this.prices.get(asset);
    return p && p.time <= at ? { asset, price: p.price, time: p.time, ageMs: at - p.time } : undefined;
  }
  fundingAt(asset: string, hour: number): FundingRate | undefined {
    const r = this.rates.get(asset);
    return r === undefined ? undefined : { asset, hour, rate: r };
  }
}

export const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

export interface PropLedger {
  ledger: Ledger;
  prop: PropTrading;
  market: TestMarket;
  clock: ManualClock;
}

export function openPropLedger(dbPath: string, synchronous: 'FULL' | 'NORMAL' = 'NORMAL'): PropLedger {
  const clock = new ManualClock(T0);
  const ledger = openLedger({ dbPath, synchronous, clock, ids: new SequentialIds() });
  const market = new TestMarket();
  return { ledger, market, clock, prop: new PropTrading({ store: ledger.store, clock, ids: ledger.ids, market }) };
}

export function openCommand(rules: Partial<Rules> = {}, startingEquity = usd('10000'), at = T0): PropAccountCommand {
  return {
    type: 'OpenPropAccount',
    accountId: 'a1',
    cloneId: 'clone-1',
    strategyVersionId: 'v1',
    purpose: 'sandbox',
    startingEquityMicroUsd: startingEquity,
    rules: { ...DEFAULT_RULES, ...rules },
    at,
  };
}

export function quotes(prices: Record<string, bigint>, time = T0): Quotes {
  return Object.fromEntries(Object.entries(prices).map(([a, p]) => [a, { price: p, time }]));
}

export function action(
  fields: Partial<Extract<PropAccountCommand, { type: 'SubmitAction' }>> & { quotes: Quotes },
): Extract<PropAccountCommand, { type: 'SubmitAction' }> {
  return {
    type: 'SubmitAction',
    orderId: 'o1',
    decisionRunId: 'run-1',
    asset: 'BTC',
    assetInfo: BTC,
    action: 'open',
    side: 'long',
    size: sz('1'),
    notionalMicroUsd: null,
    leverage: 10,
    reduceOnly: false,
    at: T0,
    ...fields,
  };
}

/** The shared data folder (CLASH_SHARED_DATA, else ../shared/data beside the repository), or undefined when absent. */
export function sharedData(): string | undefined {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const dir = process.env.CLASH_SHARED_DATA ?? resolve(repoRoot, '../shared/data');
  if (existsSync(resolve(dir, 'market'))) return dir;
  console.log(`  (skipping: no shared market data at ${dir}; set CLASH_SHARED_DATA)`);
  return undefined;
}
