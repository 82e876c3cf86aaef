/**
 * prop_journal (inline): the balanced double-entry lines of every value-moving event (see
 * commands/prop-trading/journal.ts), stored compact (doc/event-store.md, "Storage layout"):
 *
 * - one `WITHOUT ROWID` B-tree keyed by (account_id, position, line): no rowid table beside it;
 * - `ledger_account` of the account's own books without the `prop:<accountId>:` prefix the key
 *   already holds (`~cash`, `~position:BTC`); others (`house:fees`, `market:BTC`) as they are;
 * - `amount` as an INTEGER (micro-USD for USD, 1e-8 units of a traded asset; a line beyond
 *   ±(2^63 − 1) is refused with the append);
 * - no event type or time: they are the event's, read from the log by position.
 *
 * `JOURNAL_ROWS` reads the rows back in the version-1 shape (`JournalRow`), so readers and the
 * API see the same lines as before. Version 2: a version-1 table is rebuilt at start.
 */

import { type PropAccountEvent, propTradingEvents } from '../../commands/prop-trading/events.ts';
import { journalOf } from '../../commands/prop-trading/journal.ts';
import type { Db } from '../../core/database.ts';
import { dataFieldSql } from '../../core/event-registry.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

/** The prefix of the account's own ledger accounts, stored as `~`. */
const ownPrefix = (accountId: string) => `prop:${accountId}:`;

/** A ledger account as stored: relative to the journal's account when it is one of its own. */
function storedLedgerAccount(accountId: string, account: string): string {
  const own = ownPrefix(accountId);
  return account.startsWith(own) ? `~${account.slice(own.length)}` : account;
}

/** SQL: the full ledger account name of a stored row of table alias `t`. */
export const ledgerAccountOf = (t: string) =>
  `CASE WHEN substr(${t}.ledger_account, 1, 1) = '~' THEN 'prop:' || ${t}.account_id || ':' || substr(${t}.ledger_account, 2) ELSE ${t}.ledger_account END`;

/**
 * The journal lines as `JournalRow`s (account_id, position, line, event_type, ledger_account,
 * asset, amount as a decimal string, at in ms): a subquery to select from, filtered by
 * account_id and position like the table. `at` is the event's own time (`openedAt` or `at`),
 * read from the event's data in either stored form (`dataFieldSql`, core/stored-data.ts).
 */
export const JOURNAL_ROWS = `(SELECT j.account_id, j.position, j.line, e.type AS event_type,
    ${ledgerAccountOf('j')} AS ledger_account, j.asset, CAST(j.amount AS TEXT) AS amount,
    CASE e.type WHEN 'PropAccountOpened' THEN ${dataFieldSql('e', propTradingEvents, 'openedAt')} ELSE ${dataFieldSql('e', propTradingEvents, 'at')} END AS at
  FROM prop_journal j JOIN events e ON e.position = j.position)`;

export const propJournalProjection = defineProjection({
  name: 'prop_journal',
  version: 2,
  mode: 'inline',
  eventTypes: ['PropAccountOpened', 'OrderFilled', 'FundingApplied', 'AccountLiquidated', 'AccountClosed', 'PropAccountFinalized'],
  tables: [
    {
      name: 'prop_journal',
      columns: {
        account_id: 'TEXT NOT NULL',
        position: 'INTEGER NOT NULL',
        line: 'INTEGER NOT NULL',
        ledger_account: 'TEXT NOT NULL',
        asset: 'TEXT NOT NULL',
        amount: 'INTEGER NOT NULL',
      },
      primaryKey: ['account_id', 'position', 'line'],
      withoutRowid: true,
    },
  ],
  bind(db: Db, t) {
    const insert = db.prepare(`INSERT INTO "${t.prop_journal}" VALUES (?, ?, ?, ?, ?, ?)`);
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<PropAccountEvent>;
      const { accountId } = e.data;
      for (const [i, l] of journalOf(e).lines.entries()) {
        insert.run(accountId, e.position, i, storedLedgerAccount(accountId, l.account), l.asset, l.amount);
      }
    };
  },
});
