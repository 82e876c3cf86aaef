/**
 * The trades of a backtest, read from its account's events as they happen: a trade opens with
 * the fill that opens a position and closes with the fill, liquidation or final close that makes
 * it flat (doc/backtesting.md, "Report data"). PnL is net: realized PnL − fees + funding
 * (micro-USD). Only open trades are held; a closed one goes to `onClose` and is forgotten.
 */
import { PRICE } from '../../adapters/market/units.ts';
import { formatDecimal } from '../../core/money.ts';
import type { PropAccountEvent } from '../prop-trading/events.ts';
import type { ClosedTrade } from './metrics.ts';
import type { ReportTrade } from './report.ts';

interface OpenTrade {
  readonly side: 'long' | 'short';
  readonly openedAt: number;
  entryPrice: bigint;
  realized: bigint;
  fees: bigint;
  funding: bigint;
}

/** A closed trade for the metrics and for the report. */
export interface BookedTrade {
  readonly metrics: ClosedTrade;
  readonly report: ReportTrade;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class TradeBook {
  private readonly open = new Map<string, OpenTrade>();
  /** Traded notional of every fill, micro-USD (for turnover). */
  tradedNotionalMicroUsd = 0n;

  constructor(private readonly onClose: (trade: BookedTrade) => void) {}

  observe(event: PropAccountEvent): void {
    switch (event.type) {
      case 'OrderFilled': {
        const d = event.data;
        this.tradedNotionalMicroUsd += d.notionalMicroUsd;
        let trade = this.open.get(d.asset);
        if (!trade) {
          trade = {
            side: d.positionAfter.size > 0n ? 'long' : 'short',
            openedAt: d.at,
            entryPrice: 0n,
            realized: 0n,
            fees: 0n,
            funding: 0n,
          };
          this.open.set(d.asset, trade);
        }
        trade.realized += d.realizedPnlMicroUsd;
        trade.fees += d.feeMicroUsd;
        if (d.positionAfter.size === 0n) this.close(d.asset, d.price, d.at);
        else trade.entryPrice = d.positionAfter.entryPrice;
        return;
      }
      case 'FundingApplied':
        for (const p of event.data.payments) {
          const trade = this.open.get(p.asset);
          if (trade) trade.funding += p.amountMicroUsd;
        }
        return;
      case 'AccountLiquidated':
      case 'AccountClosed':
      case 'PropAccountFinalized':
        for (const c of event.data.closes) {
          const trade = this.open.get(c.asset);
          if (!trade) continue;
          trade.realized += c.realizedPnlMicroUsd;
          this.close(c.asset, c.price, event.data.at);
        }
        return;
      default:
        return;
    }
  }

  private close(asset: string, exitPrice: bigint, at: number): void {
    const t = this.open.get(asset);
    if (!t) return;
    this.open.delete(asset);
    const pnl = t.realized - t.fees + t.funding;
    this.onClose({
      metrics: { asset, openedAt: t.openedAt, closedAt: at, pnlMicroUsd: pnl, feesMicroUsd: t.fees, fundingMicroUsd: t.funding },
      report: {
        asset,
        side: t.side,
        openedAt: iso(t.openedAt),
        closedAt: iso(at),
        entryPrice: formatDecimal(t.entryPrice, PRICE),
        exitPrice: formatDecimal(exitPrice, PRICE),
        pnlMicroUsd: pnl.toString(),
        feesMicroUsd: t.fees.toString(),
      },
    });
  }
}
