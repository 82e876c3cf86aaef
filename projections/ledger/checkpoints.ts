/**
 * Read model `ledger_checkpoints`: every signed checkpoint of the log by tree size, with the
 * position of its own event, for the checkpoint routes (newest first, paged by tree size).
 */
import type { LedgerCheckpoint } from '../../commands/ledger/events.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';
import { BOUND_LIMIT } from '../../core/statements.ts';

export const ledgerCheckpointsProjection = defineProjection({
  name: 'ledger_checkpoints',
  version: 1,
  mode: 'inline',
  eventTypes: ['LedgerCheckpointSigned'],
  tables: [
    {
      name: 'ledger_checkpoints',
      columns: {
        tree_size: 'INTEGER NOT NULL',
        root_hash: 'TEXT NOT NULL',
        origin: 'TEXT NOT NULL',
        signed_at: 'INTEGER NOT NULL',
        key_id: 'TEXT NOT NULL',
        signature: 'TEXT NOT NULL',
        position: 'INTEGER NOT NULL',
      },
      primaryKey: ['tree_size'],
    },
  ],
  bind(db, t) {
    const insert = db.prepare(
      `INSERT INTO "${t.ledger_checkpoints}" (tree_size, root_hash, origin, signed_at, key_id, signature, position) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    return (raw: RecordedEvent) => {
      const { data: d, position } = raw as RecordedEvent & { data: LedgerCheckpoint };
      insert.run(d.treeSize, d.rootHash, d.origin, d.signedAt, d.keyId, d.signature, position);
    };
  },
});

/** A checkpoint as the read model holds it: the signed fields and the position of its event. */
export type CheckpointRow = LedgerCheckpoint & { readonly position: number };

const SELECT =
  'SELECT tree_size AS treeSize, root_hash AS rootHash, origin, signed_at AS signedAt, key_id AS keyId, signature, position FROM ledger_checkpoints';

/** Queries over `ledger_checkpoints`. */
export class CheckpointQueries {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      page: db.prepare<[number, number], CheckpointRow>(`${SELECT} WHERE tree_size < ? ORDER BY tree_size DESC LIMIT ${BOUND_LIMIT}`),
    };
  }

  latest(): CheckpointRow | undefined {
    return this.sql.page.get(Number.MAX_SAFE_INTEGER, 1);
  }

  /** Up to `limit` checkpoints of tree size below `before`, newest first. */
  page(before: number, limit: number): CheckpointRow[] {
    return this.sql.page.all(before, limit);
  }
}
