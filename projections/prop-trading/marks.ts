/** prop_marks (async): the mark-to-market snapshots of each account, for charts and audits. */

import type { PropAccountEvent } from '../../commands/prop-trading/events.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

export const propMarksProjection = defineProjection({
  name: 'prop_marks',
  version: 1,
  mode: 'async',
  eventTypes: ['AccountMarked'],
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
  ],
  bind(db: Db, t) {
    const insert = db.prepare(`INSERT INTO "${t.prop_marks}" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    return (raw: RecordedEvent) => {
      const { data: d, position } = raw as RecordedEvent<Extract<PropAccountEvent, { type: 'AccountMarked' }>>;
      const v = d.valuation;
      const positions = v.positions.map((p) => ({
        asset: p.asset,
        size: String(p.size),
        mark: String(p.markPrice),
        unrealizedPnl: String(p.unrealizedPnlMicroUsd),
      }));
      insert.run(
        d.accountId,
        position,
        d.at,
        d.utcDay,
        String(v.cashMicroUsd),
        String(v.equityMicroUsd),
        String(v.unrealizedPnlMicroUsd),
        String(v.marginUsedMicroUsd),
        String(v.maintenanceMarginMicroUsd),
        String(v.drawdownMicroUsd),
        String(d.startOfDayEquityMicroUsd),
        JSON.stringify(positions),
      );
    };
  },
});
