/**
 * The `rules` engine: a deterministic trend follower on the latest indicator row of market
 * memory (EMA 20, MACD 12/26/9 histogram, Wilder RSI 14 — `adapters/market/derived/indicators.ts`),
 * so the whole loop trades offline and every backtest has a baseline to beat (issue 13).
 *
 * Rules, first match wins:
 * 1. Any indicator still warming up (`null`) → hold (confidence 0.5).
 * 2. With a position: the stop — long and last ≤ entry·(1 − 2 %), short and last ≥ entry·(1 + 2 %)
 *    → close (confidence 1); the trend turned against it — long and MACD histogram < 0, short and
 *    histogram > 0 → close (confidence 0.8); otherwise hold.
 * 3. Flat: uptrend (last > EMA 20 and histogram > 0) with RSI < 70 → open long; downtrend
 *    (last < EMA 20 and histogram < 0) with RSI > 30 → open short (confidence 0.7); else hold.
 * Entries use 20 % of equity as notional (micro-USD, floored) at leverage 2, with an exit plan:
 * take-profit 4 % and stop-loss 2 % from the last price (prices at 8 decimals; take-profit
 * floored for a long and ceiled for a short, stop-loss the other way, so both sit inside the move).
 * Pure: no clock, randomness or I/O; the indicators are floats (context), the amounts are exact.
 */

import type { DecisionEngine, DecisionRequest, EngineReply } from '../../../adapters/models/engine.ts';
import { defineScale, formatDecimal, MICRO_USD, mulDiv, parseDecimal, type RoundingMode } from '../../../core/money.ts';
import type { TradingAction } from '../../ai-trading/action.ts';

/** The strategy's parameters (basis points of price or equity). */
export const RULES = {
  stopBps: 200n,
  takeProfitBps: 400n,
  entryEquityBps: 2_000n,
  leverage: 2,
  rsiOverbought: 70,
  rsiOversold: 30,
} as const;

const PRICE = defineScale('price-usd', 8);
const BPS = 10_000n;

const move = (price: bigint, bps: bigint, mode: RoundingMode) => formatDecimal(mulDiv(price, BPS + bps, BPS, mode), PRICE);

/** The action the rules take for one request (see the module comment). */
export function rulesAction(request: DecisionRequest): TradingAction {
  const { asset, indicators: ind, position } = request;
  const hold = (reason: string, confidence = 0.5): TradingAction => ({ action: 'hold', asset, confidence, reason });
  if (!ind || ind.ema20 === null || ind.rsi14 === null || ind.macdHistogram === null) return hold('indicators are warming up');
  const last = parseDecimal(request.lastPrice, PRICE, 'half_even');
  const lastFloat = Number(request.lastPrice);
  const histogram = ind.macdHistogram;
  if (position) {
    const entry = parseDecimal(position.entryPrice, PRICE, 'half_even');
    const stopped = position.side === 'long' ? last * BPS <= entry * (BPS - RULES.stopBps) : last * BPS >= entry * (BPS + RULES.stopBps);
    if (stopped)
      return { action: 'close', asset, side: position.side, confidence: 1, reason: 'stop: the price moved 2 % against the entry' };
    const against = position.side === 'long' ? histogram < 0 : histogram > 0;
    if (against)
      return { action: 'close', asset, side: position.side, confidence: 0.8, reason: 'the MACD histogram turned against the position' };
    return hold('the trend still holds the position');
  }
  const side = lastFloat > ind.ema20 && histogram > 0 ? 'long' : lastFloat < ind.ema20 && histogram < 0 ? 'short' : null;
  if (side === null) return hold('no trend: price and MACD disagree');
  if (side === 'long' && ind.rsi14 >= RULES.rsiOverbought) return hold('uptrend but RSI is overbought');
  if (side === 'short' && ind.rsi14 <= RULES.rsiOversold) return hold('downtrend but RSI is oversold');
  const notional = mulDiv(request.equityMicroUsd, RULES.entryEquityBps, BPS, 'floor');
  if (notional <= 0n) return hold('no equity to trade');
  const long = side === 'long';
  return {
    action: 'open',
    asset,
    side,
    notionalUsd: formatDecimal(notional, MICRO_USD),
    leverage: RULES.leverage,
    confidence: 0.7,
    exitPlan: {
      takeProfitPrice: move(last, long ? RULES.takeProfitBps : -RULES.takeProfitBps, long ? 'floor' : 'ceil'),
      stopLossPrice: move(last, long ? -RULES.stopBps : RULES.stopBps, long ? 'ceil' : 'floor'),
      invalidation: long ? 'the MACD histogram turns negative' : 'the MACD histogram turns positive',
    },
    reason: `${side === 'long' ? 'up' : 'down'}trend: price ${long ? 'above' : 'below'} EMA 20, MACD histogram ${long ? 'positive' : 'negative'}, RSI ${ind.rsi14.toFixed(1)}`,
  };
}

/** The `rules` engine: `rulesAction` as a JSON reply; no tokens, no cost. */
export const rulesEngine: DecisionEngine = {
  name: 'rules',
  async decide(request: DecisionRequest): Promise<EngineReply> {
    return {
      text: JSON.stringify(rulesAction(request)),
      model: 'rules-v1',
      usage: { inputTokens: 0, outputTokens: 0 },
      costMicroUsd: 0n,
      attempts: 0,
    };
  },
};
