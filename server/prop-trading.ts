/**
 * Wiring of Prop Trading for the workers: its command handlers over the ledger, with market
 * memory as the prices, registry, funding rates and final 1m candles (protective orders).
 */
import { MarketMemory } from '../adapters/market/market-memory.ts';
import { PropTrading } from '../commands/prop-trading/handlers.ts';
import type { Ledger } from './context.ts';

/** Prop Trading over `ledger` and its market memory (`PropTradingDeps.candles` included). */
export function propTrading(ledger: Ledger): PropTrading {
  const market = new MarketMemory(ledger.store.db);
  return new PropTrading({ store: ledger.store, clock: ledger.clock, ids: ledger.ids, market, candles: market });
}
