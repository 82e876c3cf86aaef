/** The example domain's read models: balances inline, per-owner activity async. */
import type { Db } from '../../../core/database.ts';
import type { RecordedEvent } from '../../../core/event-store.ts';
import { defineProjection } from '../../../core/projection.ts';
import type { WalletEvent } from './events.ts';

export const walletBalances = defineProjection({
  name: 'wallet_balances',
  version: 1,
  mode: 'inline',
  eventTypes: ['WalletOpened', 'FundsDeposited', 'FundsWithdrawn'],
  tables: [
    {
      name: 'wallet_balances',
      columns: { wallet_id: 'TEXT NOT NULL', owner: 'TEXT NOT NULL', balance: 'TEXT NOT NULL', movements: 'INTEGER NOT NULL' },
      primaryKey: ['wallet_id'],
      indexes: [['owner']],
    },
  ],
  bind(db: Db, t) {
    const open = db.prepare(`INSERT INTO "${t.wallet_balances}" (wallet_id, owner, balance, movements) VALUES (?, ?, '0', 0)`);
    const get = db.prepare<[string], { balance: string }>(`SELECT balance FROM "${t.wallet_balances}" WHERE wallet_id = ?`);
    const set = db.prepare(`UPDATE "${t.wallet_balances}" SET balance = ?, movements = movements + 1 WHERE wallet_id = ?`);
    const move = (walletId: string, delta: bigint) => {
      const row = get.get(walletId);
      set.run((BigInt(row?.balance ?? '0') + delta).toString(), walletId);
    };
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<WalletEvent>;
      switch (e.type) {
        case 'WalletOpened':
          open.run(e.data.walletId, e.data.owner);
          break;
        case 'FundsDeposited':
          move(e.data.walletId, e.data.amount);
          break;
        case 'FundsWithdrawn':
          move(e.data.walletId, -e.data.amount);
          break;
      }
    };
  },
});

export const walletActivity = defineProjection({
  name: 'wallet_activity',
  version: 1,
  mode: 'async',
  eventTypes: ['FundsDeposited', 'FundsWithdrawn'],
  tables: [
    {
      name: 'wallet_activity',
      columns: {
        wallet_id: 'TEXT NOT NULL',
        deposits: 'INTEGER NOT NULL',
        withdrawals: 'INTEGER NOT NULL',
        last_position: 'INTEGER NOT NULL',
      },
      primaryKey: ['wallet_id'],
    },
  ],
  bind(db: Db, t) {
    const upsert = db.prepare(
      `INSERT INTO "${t.wallet_activity}" (wallet_id, deposits, withdrawals, last_position) VALUES (?, ?, ?, ?)
       ON CONFLICT (wallet_id) DO UPDATE SET deposits = deposits + excluded.deposits,
         withdrawals = withdrawals + excluded.withdrawals, last_position = excluded.last_position`,
    );
    return (e: RecordedEvent) => {
      const walletId = (e.data as { walletId: string }).walletId;
      if (e.type === 'FundsDeposited') upsert.run(walletId, 1, 0, e.position);
      else upsert.run(walletId, 0, 1, e.position);
    };
  },
});

export const walletProjections = [walletBalances, walletActivity];
