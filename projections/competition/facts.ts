/**
 * The competition facts read from other modules' read models: clone owners and versions,
 * users' wallets, public profiles' moderation, and audition figures from Prop Trading (equity,
 * start-of-day equity, max drawdown, fills, and the breaches Prop Trading recorded: a refused
 * action at its daily loss or drawdown gate, or a liquidation).
 */
import { type Address, getAddress } from 'viem';
import type { CompetitionFacts } from '../../commands/competition/facts.ts';
import type { Db } from '../../core/database.ts';
import { cloneOwnership } from '../clones/ownership.ts';
import { versionsOf } from '../clones/versions.ts';
import { findUser } from '../identity/users.ts';
import { PropTradingQueries } from '../prop-trading/queries.ts';

export function readModelFacts(db: Db): CompetitionFacts {
  const ownership = cloneOwnership(db);
  const prop = new PropTradingQueries(db);
  const moderation = db.prepare<[string], { moderation_status: string }>('SELECT moderation_status FROM clone_profiles WHERE clone_id = ?');
  const breaches = db.prepare<[string], { reason_code: string }>(
    `SELECT DISTINCT reason_code FROM prop_rejections WHERE account_id = ? AND reason_code IN ('daily_loss_limit', 'max_drawdown')`,
  );
  return {
    ownerOf: (cloneId) => ownership.ownerOf(cloneId),
    walletOf: (userId) => {
      const address = findUser(db, userId)?.address;
      return address === undefined ? undefined : (getAddress(address) as Address);
    },
    activeVersionOf: (cloneId) => versionsOf(db, cloneId).find((v) => v.active)?.versionId,
    approved: (cloneIds) => cloneIds.filter((id) => moderation.get(id)?.moderation_status === 'active'),
    auditionFigures: (propAccountId) => {
      const row = prop.account(propAccountId);
      if (!row) return undefined;
      const codes = new Set(breaches.all(propAccountId).map((b) => b.reason_code));
      return {
        equityMicroUsd: BigInt(row.equity),
        startOfDayEquityMicroUsd: BigInt(row.start_of_day_equity),
        maxDrawdownMicroUsd: BigInt(row.max_drawdown),
        fills: row.trades,
        dailyLossBreached: codes.has('daily_loss_limit'),
        totalLossBreached: codes.has('max_drawdown') || row.status === 'liquidated',
      };
    },
  };
}
