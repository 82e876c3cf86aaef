/**
 * prop_marks (async): the mark-to-market snapshots of each account, for charts and audits.
 * `AccountMarked` (v2) does not repeat the trading day, its start-of-day equity or the positions'
 * sizes, so the projection keeps them per account in `prop_marks_context` from the events that
 * set them (the opening, `TradingDayStarted`, every event that changes positions).
 */

import type { PropAccountEvent } from '../../commands/prop-trading/events.ts';
import { utcDayOf } from '../../commands/prop-trading/figures.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

/** Events that set the positions (and so their sizes) of an account. */
const positionEvents = ['OrderFilled', 'FundingApplied', 'AccountLiquidated', 'AccountClosed', 'PropAccountFinalized'];

export const propMarksProjection = defineProjection({
  name: 'prop_marks',
  // 2: AccountMarked v2; the context table
  version: 2,
  mode: 'async',
  eventTypes: ['PropAccountOpened', 'TradingDayStarted', 'AccountMarked', ...positionEvents],
  tables: [
    {
      name: 'prop_marks',
      columns: {
        account_id: 'TEXT NOT NULL',
        position: 'INTEGER NOT NULL',
        at: 'INTEGER NOT NULL',
        utc_day: 'INTEGER NOT NULL',
        cash: 'TEXT NOT NULL',
        equity: 'TEXT NOT NULL',
        unrealized_pnl: 'TEXT NOT NULL',
        margin_used: 'TEXT NOT NULL',
        maintenance_margin: 'TEXT NOT NULL',
        drawdown: 'TEXT NOT NULL',
        start_of_day_equity: 'TEXT NOT NULL',
        positions: 'TEXT NOT NULL',
      },
      primaryKey: ['account_id', 'position'],
    },
    {
      name: 'prop_marks_context',
      columns: { account_id: 'TEXT NOT NULL', utc_day: 'INTEGER NOT NULL', start_of_day_equity: 'TEXT NOT NULL', sizes: 'TEXT NOT NULL' },
      primaryKey: ['account_id'],
    },
  ],
  bind(db: Db, t) {
    const insert = db.prepare(`INSERT INTO "${t.prop_marks}" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const open = db.prepare(`INSERT OR REPLACE INTO "${t.prop_marks_context}" VALUES (?, ?, ?, '{}')`);
    const day = db.prepare(`UPDATE "${t.prop_marks_context}" SET utc_day = ?, start_of_day_equity = ? WHERE account_id = ?`);
    const sizes = db.prepare(`UPDATE "${t.prop_marks_context}" SET sizes = ? WHERE account_id = ?`);
    const context = db.prepare<[string], { utc_day: number; start_of_day_equity: string; sizes: string }>(
      `SELECT utc_day, start_of_day_equity, sizes FROM "${t.prop_marks_context}" WHERE account_id = ?`,
    );
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<PropAccountEvent>;
      switch (e.type) {
        case 'PropAccountOpened':
          open.run(e.data.accountId, utcDayOf(e.data.openedAt), String(e.data.startingEquityMicroUsd));
          return;
        case 'TradingDayStarted':
          day.run(e.data.utcDay, String(e.data.startOfDayEquityMicroUsd), e.data.accountId);
          return;
        case 'AccountMarked': {
          const d = e.data;
          const v = d.valuation;
          const c = context.get(d.accountId);
          const held = JSON.parse(c?.sizes ?? '{}') as Record<string, string>;
          const positions = v.positions.map((p) => ({
            asset: p.asset,
            size: held[p.asset] ?? '0',
            mark: String(p.markPrice),
            unrealizedPnl: String(p.unrealizedPnlMicroUsd),
          }));
          insert.run(
            d.accountId,
            e.position,
            d.at,
            c?.utc_day ?? utcDayOf(d.at),
            String(v.cashMicroUsd),
            String(v.equityMicroUsd),
            String(v.unrealizedPnlMicroUsd),
            String(v.marginUsedMicroUsd),
            String(v.maintenanceMarginMicroUsd),
            String(v.drawdownMicroUsd),
            c?.start_of_day_equity ?? '0',
            JSON.stringify(positions),
          );
          return;
        }
        default:
          if ('valuation' in e.data) {
            const bySize = Object.fromEntries(e.data.valuation.positions.map((p) => [p.asset, String(p.size)]));
            sizes.run(JSON.stringify(bySize), e.data.accountId);
          }
      }
    };
  },
});
