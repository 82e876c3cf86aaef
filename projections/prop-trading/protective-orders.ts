/**
 * prop_protective_orders (inline): the resting take-profit and stop-loss orders of each account
 * (doc/prop-trading.md, "Protective orders"). A placement adds a row; a cancellation, or the fill
 * of the order itself (`OrderFilled` with its `trigger`), removes it.
 */

import type { PropAccountEvent } from '../../commands/prop-trading/events.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

export const propProtectiveOrdersProjection = defineProjection({
  name: 'prop_protective_orders',
  version: 1,
  mode: 'inline',
  eventTypes: ['ProtectiveOrderPlaced', 'ProtectiveOrderCancelled', 'OrderFilled'],
  tables: [
    {
      name: 'prop_protective_orders',
      columns: {
        protective_order_id: 'TEXT NOT NULL',
        account_id: 'TEXT NOT NULL',
        decision_run_id: 'TEXT NOT NULL',
        asset: 'TEXT NOT NULL',
        kind: 'TEXT NOT NULL',
        side: 'TEXT NOT NULL',
        trigger_price: 'TEXT NOT NULL',
        invalidation: 'TEXT',
        placed_at: 'INTEGER NOT NULL',
      },
      primaryKey: ['account_id', 'protective_order_id'],
    },
  ],
  bind(db: Db, t) {
    const insert = db.prepare(`INSERT INTO "${t.prop_protective_orders}" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const remove = db.prepare(`DELETE FROM "${t.prop_protective_orders}" WHERE account_id = ? AND protective_order_id = ?`);
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<PropAccountEvent>;
      if (e.type === 'ProtectiveOrderPlaced') {
        const d = e.data;
        insert.run(
          d.protectiveOrderId,
          d.accountId,
          d.decisionRunId,
          d.asset,
          d.kind,
          d.side,
          d.triggerPrice.toString(),
          d.invalidation,
          d.at,
        );
      } else if (e.type === 'ProtectiveOrderCancelled') {
        remove.run(e.data.accountId, e.data.protectiveOrderId);
      } else if (e.type === 'OrderFilled' && e.data.trigger) {
        remove.run(e.data.accountId, e.data.trigger.protectiveOrderId);
      }
    };
  },
});
