/**
 * The gates' headroom (`rules.ts`; doc/prop-trading.md "Gates"): how much a prop account may
 * still lose, or add as exposure, before Prop Trading's gates refuse an open or increase. One
 * pure function for every caller: the packet's account section of a live run
 * (`server/prop-account-section.ts`, over the read model) and of a backtest's own account
 * (`commands/backtests/replay.ts`, over its valuation at T) list the same gates the same way,
 * and the decision validation of both reads an action's room from that list
 * (`actionHeadroomMicroUsd`), so a live run and its replay judge `size_above_headroom` alike.
 * Money in micro-USD; shares rounded down (`share`), as the gates compute them.
 */
import { maxBigint, minBigint } from '../../core/money.ts';
import { share } from './figures.ts';
import type { Rules } from './rules.ts';

/** What the gates are measured on: the account's valuation (micro-USD) and each held position's notional at the same marks. */
export interface HeadroomFigures {
  readonly rules: Pick<Rules, 'dailyLossPpm' | 'maxDrawdownPpm' | 'maxPositionNotionalMicroUsd'>;
  readonly startingEquityMicroUsd: bigint;
  readonly startOfDayEquityMicroUsd: bigint;
  readonly equityMicroUsd: bigint;
  /** max(0, starting equity − equity): the valuation's `drawdownMicroUsd`. */
  readonly drawdownMicroUsd: bigint;
  readonly marginUsedMicroUsd: bigint;
  /** |size| × mark of each held position: the valuation's `notionalMicroUsd`. */
  readonly held: readonly { readonly asset: string; readonly notionalMicroUsd: bigint }[];
}

/**
 * Each gate's remaining headroom (micro-USD integer strings, never negative), per `Rules`:
 * - `dailyLoss`: dailyLossPpm × start-of-day equity − (start-of-day equity − equity);
 * - `drawdown`: maxDrawdownPpm × starting equity − drawdown;
 * - `freeMargin`: equity − margin used;
 * - `positionNotional`: maxPositionNotional (a new position); `positionNotional.<ASSET>`: it less the held notional.
 */
export function gatesHeadroom(f: HeadroomFigures): Record<string, string> {
  const { rules } = f;
  const dayLoss = maxBigint(0n, f.startOfDayEquityMicroUsd - f.equityMicroUsd);
  const out: Record<string, string> = {
    dailyLoss: maxBigint(0n, share(f.startOfDayEquityMicroUsd, rules.dailyLossPpm) - dayLoss).toString(),
    drawdown: maxBigint(0n, share(f.startingEquityMicroUsd, rules.maxDrawdownPpm) - f.drawdownMicroUsd).toString(),
    freeMargin: maxBigint(0n, f.equityMicroUsd - f.marginUsedMicroUsd).toString(),
    positionNotional: rules.maxPositionNotionalMicroUsd.toString(),
  };
  for (const h of f.held) {
    out[`positionNotional.${h.asset}`] = maxBigint(0n, rules.maxPositionNotionalMicroUsd - h.notionalMicroUsd).toString();
  }
  return out;
}

/**
 * The notional (micro-USD) the gates leave for an open/increase: the position cap less the
 * position's notional, and no more than free margin × leverage; never negative.
 */
export function gateHeadroomMicroUsd(figures: {
  readonly maxPositionNotionalMicroUsd: bigint;
  readonly positionNotionalMicroUsd: bigint;
  readonly freeMarginMicroUsd: bigint;
  readonly leverage: number;
}): bigint {
  const byCap = figures.maxPositionNotionalMicroUsd - figures.positionNotionalMicroUsd;
  const byMargin = figures.freeMarginMicroUsd * BigInt(figures.leverage);
  return maxBigint(0n, minBigint(byCap, byMargin));
}

/**
 * The notional (micro-USD) an open/increase of `asset` at `leverage` may add, read from a
 * `gatesHeadroom` list: `gateHeadroomMicroUsd` over the position cap, the asset's held notional
 * and free margin; 0 once the daily-loss or drawdown gate has no headroom left (Prop Trading
 * refuses opening then). Never more than free margin × leverage, nor than the asset's room under the cap.
 */
export function actionHeadroomMicroUsd(headroom: Readonly<Record<string, string>>, asset: string, leverage: number): bigint {
  if (headroom.dailyLoss === '0' || headroom.drawdown === '0') return 0n;
  const cap = BigInt(headroom.positionNotional ?? '0');
  const room = BigInt(headroom[`positionNotional.${asset}`] ?? headroom.positionNotional ?? '0');
  return gateHeadroomMicroUsd({
    maxPositionNotionalMicroUsd: cap,
    positionNotionalMicroUsd: cap - room,
    freeMarginMicroUsd: BigInt(headroom.freeMargin ?? '0'),
    leverage,
  });
}
