/** prop_journal (inline): the balanced double-entry lines of every value-moving event (see commands/prop-trading/journal.ts). */

import type { PropAccountEvent } from '../../commands/prop-trading/events.ts';
import { journalOf } from '../../commands/prop-trading/journal.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

export const propJournalProjection = defineProjection({
  name: 'prop_journal',
  version: 1,
  mode: 'inline',
  eventTypes: ['PropAccountOpened', 'OrderFilled', 'FundingApplied', 'AccountLiquidated', 'AccountClosed', 'PropAccountFinalized'],
  tables: [
    {
      name: 'prop_journal',
      columns: {
        account_id: 'TEXT NOT NULL',
        position: 'INTEGER NOT NULL',
        line: 'INTEGER NOT NULL',
        event_type: 'TEXT NOT NULL',
        ledger_account: 'TEXT NOT NULL',
        asset: 'TEXT NOT NULL',
        amount: 'TEXT NOT NULL',
        at: 'INTEGER NOT NULL',
      },
      primaryKey: ['account_id', 'position', 'line'],
    },
  ],
  bind(db: Db, t) {
    const insert = db.prepare(`INSERT INTO "${t.prop_journal}" VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<PropAccountEvent>;
      const at = e.type === 'PropAccountOpened' ? e.data.openedAt : (e.data as { at: number }).at;
      for (const [i, l] of journalOf(e).lines.entries()) {
        insert.run(e.data.accountId, e.position, i, e.type, l.account, l.asset, l.amount.toString(), at);
      }
    };
  },
});
