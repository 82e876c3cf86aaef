/**
 * The UTC trading day. The first command of a new day (an action or a mark) fixes that day's
 * start-of-day equity at the equity it values the account at, before it changes anything.
 */
import type { PropAccountEvent, Valuation } from './events.ts';
import { utcDayOf } from './figures.ts';
import type { PropAccountState } from './state.ts';

export function dayStart(
  state: PropAccountState,
  valuation: Valuation,
  at: number,
): { events: PropAccountEvent[]; utcDay: number; startOfDayEquity: bigint } {
  const utcDay = utcDayOf(at);
  if (utcDay <= state.utcDay) return { events: [], utcDay: state.utcDay, startOfDayEquity: state.startOfDayEquity };
  const startOfDayEquity = valuation.equityMicroUsd;
  return {
    events: [{ type: 'TradingDayStarted', data: { accountId: state.accountId, utcDay, startOfDayEquityMicroUsd: startOfDayEquity, at } }],
    utcDay,
    startOfDayEquity,
  };
}
