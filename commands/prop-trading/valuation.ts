/**
 * An account's valuation from what it holds: the one place its figures are derived. The decider
 * values accounts with it (`valuationOf`, state.ts) and `OrderFilled` v2 restores, on read, the
 * figures it does not store (events.ts), so both give the same valuation by construction.
 */
import type { Valuation } from './events.ts';
import { initialMargin, liquidationPrice, maintenanceMargin, notional, pnl } from './figures.ts';

/** A held position at a mark: size signed in SIZE units (1e-8), prices in PRICE units (1e-8). */
export interface Holding {
  readonly asset: string;
  readonly size: bigint;
  readonly entryPrice: bigint;
  readonly markPrice: bigint;
  readonly leverage: number;
  readonly assetMaxLeverage: number;
}

/**
 * The valuation of `cash` (micro-USD) and `holdings` (any order; the result lists them by
 * asset): equity = cash + Σ unrealized PnL, margins and liquidation prices per position
 * (figures.ts, doc/prop-trading.md "Figures"); `drawdownAt(equity)` gives the drawdown in
 * micro-USD (the decider: max(0, starting equity − equity)).
 */
export function valuationFrom(cash: bigint, holdings: readonly Holding[], drawdownAt: (equity: bigint) => bigint): Valuation {
  const rows = [...holdings]
    .sort((a, b) => (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0))
    .map((h) => ({
      h,
      unrealized: pnl(h.size, h.entryPrice, h.markPrice),
      margin: initialMargin(h.size, h.markPrice, h.leverage),
      maintenance: maintenanceMargin(h.size, h.markPrice, h.assetMaxLeverage),
    }));
  const unrealized = rows.reduce((s, r) => s + r.unrealized, 0n);
  const maintenanceTotal = rows.reduce((s, r) => s + r.maintenance, 0n);
  const equity = cash + unrealized;
  return {
    cashMicroUsd: cash,
    unrealizedPnlMicroUsd: unrealized,
    equityMicroUsd: equity,
    marginUsedMicroUsd: rows.reduce((s, r) => s + r.margin, 0n),
    maintenanceMarginMicroUsd: maintenanceTotal,
    drawdownMicroUsd: drawdownAt(equity),
    positions: rows.map(({ h, ...r }) => ({
      asset: h.asset,
      size: h.size,
      entryPrice: h.entryPrice,
      markPrice: h.markPrice,
      leverage: h.leverage,
      assetMaxLeverage: h.assetMaxLeverage,
      notionalMicroUsd: notional(h.size, h.markPrice),
      unrealizedPnlMicroUsd: r.unrealized,
      marginMicroUsd: r.margin,
      maintenanceMarginMicroUsd: r.maintenance,
      liquidationPrice: liquidationPrice(h.size, h.markPrice, equity, maintenanceTotal - r.maintenance, h.assetMaxLeverage),
    })),
  };
}
