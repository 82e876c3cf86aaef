/** prop_rejections (inline): every refused action with its reason code and the figures that tripped the gate. */

import type { PropAccountEvent } from '../../commands/prop-trading/events.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

export const propRejectionsProjection = defineProjection({
  name: 'prop_rejections',
  version: 1,
  mode: 'inline',
  eventTypes: ['ActionRejected'],
  tables: [
    {
      name: 'prop_rejections',
      columns: {
        account_id: 'TEXT NOT NULL',
        position: 'INTEGER NOT NULL',
        order_id: 'TEXT NOT NULL',
        decision_run_id: 'TEXT NOT NULL',
        asset: 'TEXT NOT NULL',
        action: 'TEXT NOT NULL',
        side: 'TEXT NOT NULL',
        reason_code: 'TEXT NOT NULL',
        figures: 'TEXT NOT NULL',
        at: 'INTEGER NOT NULL',
      },
      primaryKey: ['account_id', 'position'],
      indexes: [['reason_code']],
    },
  ],
  bind(db: Db, t) {
    const insert = db.prepare(`INSERT INTO "${t.prop_rejections}" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    return (raw: RecordedEvent) => {
      const { data: d, position } = raw as RecordedEvent<Extract<PropAccountEvent, { type: 'ActionRejected' }>>;
      insert.run(
        d.accountId,
        position,
        d.orderId,
        d.decisionRunId,
        d.asset,
        d.action,
        d.side,
        d.reasonCode,
        JSON.stringify(d.figures),
        d.at,
      );
    };
  },
});
