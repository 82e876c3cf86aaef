/** Read model `users`: one row per user, with the wallet they signed in with. */

import type { IdentityEvent } from '../../commands/identity/events.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

export const usersProjection = defineProjection({
  name: 'users',
  version: 1,
  mode: 'inline',
  eventTypes: ['WalletLinked'],
  tables: [
    {
      name: 'users',
      columns: { user_id: 'TEXT NOT NULL', address: 'TEXT NOT NULL', chain_id: 'INTEGER NOT NULL', registered_at: 'INTEGER NOT NULL' },
      primaryKey: ['user_id'],
    },
  ],
  bind(db, t) {
    const insert = db.prepare(`INSERT INTO "${t.users}" (user_id, address, chain_id, registered_at) VALUES (?, ?, ?, ?)`);
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<IdentityEvent>;
      if (e.type === 'WalletLinked') insert.run(e.data.userId, e.data.address, e.data.chainId, e.data.linkedAt);
    };
  },
});

export interface UserRow {
  readonly id: string;
  readonly address: string;
  readonly registeredAt: number;
}

export function findUser(db: Db, userId: string): UserRow | undefined {
  return db
    .prepare<[string], UserRow>('SELECT user_id AS id, address, registered_at AS registeredAt FROM users WHERE user_id = ?')
    .get(userId);
}
