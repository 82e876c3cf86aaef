/** prop_accounts (inline): one row per prop account — balances, PnL, margin, drawdown, status, result. */

import type { MarkValuation, PropAccountEvent, Valuation } from '../../commands/prop-trading/events.ts';
import { utcDayOf } from '../../commands/prop-trading/figures.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { maxBigint } from '../../core/money.ts';
import { defineProjection } from '../../core/projection.ts';

export interface AccountRow {
  account_id: string;
  clone_id: string;
  strategy_version_id: string;
  purpose: string;
  status: string;
  status_reason: string | null;
  starting_equity: string;
  cash: string;
  equity: string;
  realized_pnl: string;
  unrealized_pnl: string;
  fees: string;
  funding: string;
  margin_used: string;
  maintenance_margin: string;
  drawdown: string;
  max_drawdown: string;
  start_of_day_equity: string;
  utc_day: number;
  trades: number;
  rejections: number;
  rules: string;
  result: string | null;
  opened_at: number;
  updated_at: number;
}

const COLUMNS: Record<keyof AccountRow, string> = {
  account_id: 'TEXT NOT NULL',
  clone_id: 'TEXT NOT NULL',
  strategy_version_id: 'TEXT NOT NULL',
  purpose: 'TEXT NOT NULL',
  status: 'TEXT NOT NULL',
  status_reason: 'TEXT',
  starting_equity: 'TEXT NOT NULL',
  cash: 'TEXT NOT NULL',
  equity: 'TEXT NOT NULL',
  realized_pnl: 'TEXT NOT NULL',
  unrealized_pnl: 'TEXT NOT NULL',
  fees: 'TEXT NOT NULL',
  funding: 'TEXT NOT NULL',
  margin_used: 'TEXT NOT NULL',
  maintenance_margin: 'TEXT NOT NULL',
  drawdown: 'TEXT NOT NULL',
  max_drawdown: 'TEXT NOT NULL',
  start_of_day_equity: 'TEXT NOT NULL',
  utc_day: 'INTEGER NOT NULL',
  trades: 'INTEGER NOT NULL',
  rejections: 'INTEGER NOT NULL',
  rules: 'TEXT NOT NULL',
  result: 'TEXT',
  opened_at: 'INTEGER NOT NULL',
  updated_at: 'INTEGER NOT NULL',
};

const add = (a: string, b: bigint) => (BigInt(a) + b).toString();

function valued(row: AccountRow, v: Valuation | MarkValuation, at: number): AccountRow {
  return {
    ...row,
    cash: v.cashMicroUsd.toString(),
    equity: v.equityMicroUsd.toString(),
    unrealized_pnl: v.unrealizedPnlMicroUsd.toString(),
    margin_used: v.marginUsedMicroUsd.toString(),
    maintenance_margin: v.maintenanceMarginMicroUsd.toString(),
    drawdown: v.drawdownMicroUsd.toString(),
    max_drawdown: maxBigint(BigInt(row.max_drawdown), v.drawdownMicroUsd).toString(),
    updated_at: at,
  };
}

function closed(row: AccountRow, e: { closes: readonly { realizedPnlMicroUsd: bigint }[]; valuation: Valuation; at: number }): AccountRow {
  const realized = e.closes.reduce((s, c) => s + c.realizedPnlMicroUsd, 0n);
  return { ...valued(row, e.valuation, e.at), realized_pnl: add(row.realized_pnl, realized), trades: row.trades + e.closes.length };
}

/** The row after one event (the opening event makes it). */
function next(row: AccountRow | undefined, e: PropAccountEvent): AccountRow | undefined {
  if (e.type === 'PropAccountOpened') {
    const d = e.data;
    const start = d.startingEquityMicroUsd.toString();
    return {
      account_id: d.accountId,
      clone_id: d.cloneId,
      strategy_version_id: d.strategyVersionId,
      purpose: d.purpose,
      status: 'active',
      status_reason: null,
      starting_equity: start,
      cash: start,
      equity: start,
      realized_pnl: '0',
      unrealized_pnl: '0',
      fees: '0',
      funding: '0',
      margin_used: '0',
      maintenance_margin: '0',
      drawdown: '0',
      max_drawdown: '0',
      start_of_day_equity: start,
      utc_day: utcDayOf(d.openedAt),
      trades: 0,
      rejections: 0,
      rules: canonicalJson(d.rules),
      result: null,
      opened_at: d.openedAt,
      updated_at: d.openedAt,
    };
  }
  if (!row) return undefined;
  switch (e.type) {
    case 'TradingDayStarted':
      return { ...row, utc_day: e.data.utcDay, start_of_day_equity: e.data.startOfDayEquityMicroUsd.toString(), updated_at: e.data.at };
    case 'OrderFilled':
      return {
        ...valued(row, e.data.valuation, e.data.at),
        realized_pnl: add(row.realized_pnl, e.data.realizedPnlMicroUsd),
        fees: add(row.fees, e.data.feeMicroUsd),
        trades: row.trades + 1,
      };
    case 'ActionRejected':
      return { ...row, rejections: row.rejections + 1, updated_at: e.data.at };
    case 'FundingApplied':
      return { ...valued(row, e.data.valuation, e.data.at), funding: add(row.funding, e.data.totalMicroUsd) };
    case 'AccountMarked':
      return valued(row, e.data.valuation, e.data.at);
    case 'AccountLiquidated':
      return { ...closed(row, e.data), status: 'liquidated', status_reason: 'equity below maintenance margin' };
    case 'AccountFrozen':
      return { ...row, status: 'frozen', status_reason: e.data.reason, updated_at: e.data.at };
    case 'AccountUnfrozen':
      return { ...row, status: 'active', status_reason: e.data.reason, updated_at: e.data.at };
    case 'AccountClosed':
      return { ...closed(row, e.data), status: 'closed', status_reason: e.data.reason };
    case 'PropAccountFinalized':
      return { ...closed(row, e.data), status: 'finalized', result: canonicalJson(e.data.result) };
  }
}

export const propAccountsProjection = defineProjection({
  name: 'prop_accounts',
  version: 1,
  mode: 'inline',
  eventTypes: [
    'PropAccountOpened',
    'TradingDayStarted',
    'OrderFilled',
    'ActionRejected',
    'FundingApplied',
    'AccountMarked',
    'AccountLiquidated',
    'AccountFrozen',
    'AccountUnfrozen',
    'AccountClosed',
    'PropAccountFinalized',
  ],
  tables: [{ name: 'prop_accounts', columns: COLUMNS, primaryKey: ['account_id'], indexes: [['clone_id']] }],
  bind(db: Db, t) {
    const names = Object.keys(COLUMNS) as (keyof AccountRow)[];
    const get = db.prepare<[string], AccountRow>(`SELECT * FROM "${t.prop_accounts}" WHERE account_id = ?`);
    // Bound by position, not by name: binding 25 parameters by name from an object made this write up to twice as slow.
    const put = db.prepare<AccountRow[keyof AccountRow][]>(
      `INSERT OR REPLACE INTO "${t.prop_accounts}" (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
    );
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<PropAccountEvent>;
      const row = next(get.get(e.data.accountId), e);
      if (row) put.run(...names.map((n) => row[n]));
    };
  },
});
