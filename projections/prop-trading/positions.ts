/** prop_positions (inline): the open positions of each account as last valued, with liquidation prices. */

import type { PropAccountEvent } from '../../commands/prop-trading/events.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

export const propPositionsProjection = defineProjection({
  name: 'prop_positions',
  version: 1,
  mode: 'inline',
  eventTypes: ['OrderFilled', 'FundingApplied', 'AccountMarked', 'AccountLiquidated', 'AccountClosed', 'PropAccountFinalized'],
  tables: [
    {
      name: 'prop_positions',
      columns: {
        account_id: 'TEXT NOT NULL',
        asset: 'TEXT NOT NULL',
        side: 'TEXT NOT NULL',
        size: 'TEXT NOT NULL',
        entry_price: 'TEXT NOT NULL',
        mark_price: 'TEXT NOT NULL',
        leverage: 'INTEGER NOT NULL',
        notional: 'TEXT NOT NULL',
        unrealized_pnl: 'TEXT NOT NULL',
        margin: 'TEXT NOT NULL',
        maintenance_margin: 'TEXT NOT NULL',
        liquidation_price: 'TEXT',
        updated_at: 'INTEGER NOT NULL',
      },
      primaryKey: ['account_id', 'asset'],
    },
  ],
  bind(db: Db, t) {
    const clear = db.prepare(`DELETE FROM "${t.prop_positions}" WHERE account_id = ?`);
    const insert = db.prepare(`INSERT INTO "${t.prop_positions}" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    return (raw: RecordedEvent) => {
      const { data } = raw as RecordedEvent<Extract<PropAccountEvent, { data: { valuation: unknown } }>>;
      clear.run(data.accountId);
      for (const p of data.valuation.positions) {
        insert.run(
          data.accountId,
          p.asset,
          p.size > 0n ? 'long' : 'short',
          p.size.toString(),
          p.entryPrice.toString(),
          p.markPrice.toString(),
          p.leverage,
          p.notionalMicroUsd.toString(),
          p.unrealizedPnlMicroUsd.toString(),
          p.marginMicroUsd.toString(),
          p.maintenanceMarginMicroUsd.toString(),
          p.liquidationPrice === null ? null : p.liquidationPrice.toString(),
          data.at,
        );
      }
    };
  },
});
