/**
 * prop_positions (inline): the open positions of each account as last valued, with liquidation
 * prices. Events that change positions replace the account's rows; a mark (`AccountMarked` v2,
 * which does not repeat size, entry and leverage) updates the figures of the rows it values.
 */

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
    const mark = db.prepare(
      `UPDATE "${t.prop_positions}" SET mark_price = ?, notional = ?, unrealized_pnl = ?, margin = ?, maintenance_margin = ?,
         liquidation_price = ?, updated_at = ? WHERE account_id = ? AND asset = ?`,
    );
    return (raw: RecordedEvent) => {
      const event = raw as RecordedEvent<PropAccountEvent>;
      if (event.type === 'AccountMarked') {
        const { accountId, valuation, at } = event.data;
        for (const p of valuation.positions) {
          const liquidation = p.liquidationPrice === null ? null : p.liquidationPrice.toString();
          const figures = [p.notionalMicroUsd, p.unrealizedPnlMicroUsd, p.marginMicroUsd, p.maintenanceMarginMicroUsd].map(String);
          mark.run(p.markPrice.toString(), ...figures, liquidation, at, accountId, p.asset);
        }
        return;
      }
      const { data } = raw as RecordedEvent<
        Exclude<Extract<PropAccountEvent, { data: { valuation: unknown } }>, { type: 'AccountMarked' }>
      >;
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
