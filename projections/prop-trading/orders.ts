/**
 * prop_orders and prop_fills (inline). Every submitted action is an order, filled or rejected;
 * every fill is a row — market fills of orders, fills of protective orders (`take_profit`,
 * `stop_loss`), and the closes at mark of a liquidation, an admin close or a finalize (kind
 * names which).
 */

import type { PropAccountEvent } from '../../commands/prop-trading/events.ts';
import { notional } from '../../commands/prop-trading/figures.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

const CLOSE_KIND = { AccountLiquidated: 'liquidation', AccountClosed: 'admin_close', PropAccountFinalized: 'finalize' } as const;

export const propOrdersProjection = defineProjection({
  name: 'prop_orders',
  version: 1,
  mode: 'inline',
  eventTypes: ['OrderFilled', 'ActionRejected', 'AccountLiquidated', 'AccountClosed', 'PropAccountFinalized'],
  tables: [
    {
      name: 'prop_orders',
      columns: {
        order_id: 'TEXT NOT NULL',
        account_id: 'TEXT NOT NULL',
        position: 'INTEGER NOT NULL',
        decision_run_id: 'TEXT NOT NULL',
        asset: 'TEXT NOT NULL',
        action: 'TEXT NOT NULL',
        side: 'TEXT NOT NULL',
        status: 'TEXT NOT NULL',
        reason_code: 'TEXT',
        at: 'INTEGER NOT NULL',
      },
      primaryKey: ['order_id'],
      indexes: [['account_id', 'position'], ['decision_run_id']],
    },
    {
      name: 'prop_fills',
      columns: {
        account_id: 'TEXT NOT NULL',
        position: 'INTEGER NOT NULL',
        seq: 'INTEGER NOT NULL',
        kind: 'TEXT NOT NULL',
        order_id: 'TEXT',
        decision_run_id: 'TEXT',
        asset: 'TEXT NOT NULL',
        size: 'TEXT NOT NULL',
        price: 'TEXT NOT NULL',
        notional: 'TEXT NOT NULL',
        fee: 'TEXT NOT NULL',
        realized_pnl: 'TEXT NOT NULL',
        at: 'INTEGER NOT NULL',
      },
      primaryKey: ['account_id', 'position', 'seq'],
    },
  ],
  bind(db: Db, t) {
    const order = db.prepare(`INSERT INTO "${t.prop_orders}" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const fill = db.prepare(`INSERT INTO "${t.prop_fills}" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<PropAccountEvent>;
      switch (e.type) {
        case 'OrderFilled':
        case 'ActionRejected': {
          const d = e.data;
          const filled = e.type === 'OrderFilled';
          order.run(
            d.orderId,
            d.accountId,
            e.position,
            d.decisionRunId,
            d.asset,
            d.action,
            d.side,
            filled ? 'filled' : 'rejected',
            filled ? null : e.data.reasonCode,
            d.at,
          );
          if (e.type === 'OrderFilled') {
            const f = e.data;
            fill.run(
              f.accountId,
              e.position,
              0,
              f.trigger?.kind ?? 'order',
              f.orderId,
              f.decisionRunId,
              f.asset,
              f.size.toString(),
              f.price.toString(),
              f.notionalMicroUsd.toString(),
              f.feeMicroUsd.toString(),
              f.realizedPnlMicroUsd.toString(),
              f.at,
            );
          }
          break;
        }
        case 'AccountLiquidated':
        case 'AccountClosed':
        case 'PropAccountFinalized':
          for (const [seq, c] of e.data.closes.entries()) {
            fill.run(
              e.data.accountId,
              e.position,
              seq,
              CLOSE_KIND[e.type],
              null,
              null,
              c.asset,
              c.size.toString(),
              c.price.toString(),
              notional(c.size, c.price).toString(),
              '0',
              c.realizedPnlMicroUsd.toString(),
              e.data.at,
            );
          }
          break;
      }
    };
  },
});
