/**
 * Read model of settlements: each race's pool split, ranking, payout lines, per-holder claims
 * (the Merkle leaves), royalties, and running totals per holder and per creator across races.
 */

import { payoutClaims } from '../../commands/competition/payout-tree.ts';
import type { RaceEvent } from '../../commands/competition/race-events.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

export const settlementsProjection = defineProjection({
  name: 'competition_settlements',
  version: 1,
  mode: 'inline',
  eventTypes: ['RaceSettled'],
  tables: [
    {
      name: 'competition_settlements',
      columns: {
        race_id: 'TEXT NOT NULL',
        sequence: 'INTEGER NOT NULL',
        tickets_sold: 'INTEGER NOT NULL',
        ticket_price_wei: 'TEXT NOT NULL',
        gross_pool_wei: 'TEXT NOT NULL',
        rake_wei: 'TEXT NOT NULL',
        creator_pool_wei: 'TEXT NOT NULL',
        distribution_pool_wei: 'TEXT NOT NULL',
        refund: 'INTEGER NOT NULL',
        breakage_wei: 'TEXT NOT NULL',
        merkle_root: 'TEXT',
        settled_at: 'INTEGER NOT NULL',
      },
      primaryKey: ['race_id'],
    },
    {
      name: 'competition_race_ranking',
      columns: {
        race_id: 'TEXT NOT NULL',
        clone_id: 'TEXT NOT NULL',
        position: 'INTEGER NOT NULL',
        weight_bps: 'TEXT NOT NULL',
        starting_equity_micro_usd: 'TEXT NOT NULL',
        final_equity_micro_usd: 'TEXT NOT NULL',
        tickets: 'INTEGER NOT NULL',
      },
      primaryKey: ['race_id', 'clone_id'],
    },
    {
      name: 'competition_race_payouts',
      columns: { race_id: 'TEXT NOT NULL', holder: 'TEXT NOT NULL', clone_id: 'TEXT NOT NULL', amount_wei: 'TEXT NOT NULL' },
      primaryKey: ['race_id', 'holder', 'clone_id'],
    },
    {
      name: 'competition_payout_claims',
      columns: { holder: 'TEXT NOT NULL', race_id: 'TEXT NOT NULL', amount_wei: 'TEXT NOT NULL' },
      primaryKey: ['holder', 'race_id'],
    },
    {
      name: 'competition_royalties',
      columns: { race_id: 'TEXT NOT NULL', clone_id: 'TEXT NOT NULL', creator: 'TEXT NOT NULL', amount_wei: 'TEXT NOT NULL' },
      primaryKey: ['race_id', 'clone_id'],
      indexes: [['creator']],
    },
    {
      name: 'competition_holder_payouts',
      columns: { holder: 'TEXT NOT NULL', races: 'INTEGER NOT NULL', amount_wei: 'TEXT NOT NULL' },
      primaryKey: ['holder'],
    },
    {
      name: 'competition_creator_royalties',
      columns: { creator: 'TEXT NOT NULL', races: 'INTEGER NOT NULL', amount_wei: 'TEXT NOT NULL' },
      primaryKey: ['creator'],
    },
  ],
  bind(db: Db, t) {
    const settlement = db.prepare(`INSERT INTO "${t.competition_settlements}" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const ranking = db.prepare(`INSERT INTO "${t.competition_race_ranking}" VALUES (?, ?, ?, ?, ?, ?, ?)`);
    const payout = db.prepare(`INSERT INTO "${t.competition_race_payouts}" VALUES (?, ?, ?, ?)`);
    const claim = db.prepare(`INSERT INTO "${t.competition_payout_claims}" VALUES (?, ?, ?)`);
    const royalty = db.prepare(`INSERT INTO "${t.competition_royalties}" VALUES (?, ?, ?, ?)`);
    const total = (table: string, key: string) => {
      const get = db.prepare<[string], { amount_wei: string }>(`SELECT amount_wei FROM "${table}" WHERE ${key} = ?`);
      const put = db.prepare(
        `INSERT INTO "${table}" (${key}, races, amount_wei) VALUES (?, 1, ?)
         ON CONFLICT (${key}) DO UPDATE SET races = races + 1, amount_wei = excluded.amount_wei`,
      );
      return (id: string, amount: bigint) => put.run(id, (BigInt(get.get(id)?.amount_wei ?? '0') + amount).toString());
    };
    const holderTotal = total(`${t.competition_holder_payouts}`, 'holder');
    const creatorTotal = total(`${t.competition_creator_royalties}`, 'creator');
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<RaceEvent>;
      if (e.type !== 'RaceSettled') return;
      const s = e.data;
      settlement.run(
        s.raceId,
        s.sequence,
        s.ticketsSold,
        s.ticketPriceWei.toString(),
        s.grossPoolWei.toString(),
        s.rakeWei.toString(),
        s.creatorPoolWei.toString(),
        s.distributionPoolWei.toString(),
        s.refund ? 1 : 0,
        s.breakageWei.toString(),
        s.merkleRoot,
        s.settledAt,
      );
      for (const r of s.ranking) {
        ranking.run(
          s.raceId,
          r.cloneId,
          r.position,
          r.weightBps,
          r.startingEquityMicroUsd.toString(),
          r.finalEquityMicroUsd.toString(),
          r.tickets,
        );
      }
      for (const p of s.payouts) payout.run(s.raceId, p.holder, p.cloneId, p.amountWei.toString());
      for (const c of payoutClaims(s.payouts)) {
        claim.run(c.holder, s.raceId, c.amountWei.toString());
        holderTotal(c.holder, c.amountWei);
      }
      const perCreator = new Map<string, bigint>();
      for (const r of s.royalties) {
        royalty.run(s.raceId, r.cloneId, r.creator, r.amountWei.toString());
        perCreator.set(r.creator, (perCreator.get(r.creator) ?? 0n) + r.amountWei);
      }
      for (const [creator, amount] of perCreator) creatorTotal(creator, amount);
    };
  },
});
