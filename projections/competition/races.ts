/**
 * Read model of races: each race's stage and times, its live pool per clone, its entrants, every
 * ticket purchase (held or refund owed), and ticket positions per holder. Pools count held
 * tickets only: a refund owed takes the purchase out of the pool and out of the holder's position.
 */

import type { RaceEvent } from '../../commands/competition/race-events.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

export const racesProjection = defineProjection({
  name: 'competition_races',
  version: 1,
  mode: 'inline',
  eventTypes: [
    'RaceOpened',
    'TicketsBought',
    'RaceLaunchPostponed',
    'RaceLaunched',
    'TicketRefundOwed',
    'RaceWentLive',
    'RaceClosed',
    'RaceSettled',
    'RaceArchived',
  ],
  tables: [
    {
      name: 'competition_races',
      columns: {
        race_id: 'TEXT NOT NULL',
        sequence: 'INTEGER NOT NULL',
        stage: 'TEXT NOT NULL',
        ticket_price_wei: 'TEXT NOT NULL',
        launch_at: 'INTEGER NOT NULL',
        launched_at: 'INTEGER',
        live_at: 'INTEGER',
        closes_at: 'INTEGER',
        closed_at: 'INTEGER',
        settled_at: 'INTEGER',
        archived_at: 'INTEGER',
        /** Held tickets (refunds excluded) and their value. */
        tickets: 'INTEGER NOT NULL',
        pool_wei: 'TEXT NOT NULL',
      },
      primaryKey: ['race_id'],
      indexes: [['stage'], ['sequence']],
    },
    {
      name: 'competition_race_pool',
      columns: { race_id: 'TEXT NOT NULL', clone_id: 'TEXT NOT NULL', tickets: 'INTEGER NOT NULL', amount_wei: 'TEXT NOT NULL' },
      primaryKey: ['race_id', 'clone_id'],
    },
    {
      name: 'competition_race_entrants',
      columns: {
        race_id: 'TEXT NOT NULL',
        clone_id: 'TEXT NOT NULL',
        creator: 'TEXT NOT NULL',
        prop_account_id: 'TEXT NOT NULL',
        starting_equity_micro_usd: 'TEXT NOT NULL',
      },
      primaryKey: ['race_id', 'clone_id'],
    },
    {
      name: 'competition_ticket_purchases',
      columns: {
        payment_id: 'TEXT NOT NULL',
        race_id: 'TEXT NOT NULL',
        holder: 'TEXT NOT NULL',
        clone_id: 'TEXT NOT NULL',
        tickets: 'INTEGER NOT NULL',
        amount_wei: 'TEXT NOT NULL',
        /** held | refund_owed */
        status: 'TEXT NOT NULL',
        bought_at: 'INTEGER NOT NULL',
      },
      primaryKey: ['payment_id'],
      indexes: [['race_id'], ['holder']],
    },
    {
      name: 'competition_ticket_positions',
      columns: {
        holder: 'TEXT NOT NULL',
        race_id: 'TEXT NOT NULL',
        clone_id: 'TEXT NOT NULL',
        tickets: 'INTEGER NOT NULL',
        amount_wei: 'TEXT NOT NULL',
      },
      primaryKey: ['holder', 'race_id', 'clone_id'],
    },
  ],
  bind(db: Db, t) {
    const R = `"${t.competition_races}"`;
    const P = `"${t.competition_race_pool}"`;
    const E = `"${t.competition_race_entrants}"`;
    const B = `"${t.competition_ticket_purchases}"`;
    const H = `"${t.competition_ticket_positions}"`;
    const open = db.prepare(
      `INSERT INTO ${R} (race_id, sequence, stage, ticket_price_wei, launch_at, tickets, pool_wei) VALUES (?, ?, 'accumulating', ?, ?, 0, '0')`,
    );
    const set = (columns: string) => db.prepare(`UPDATE ${R} SET ${columns} WHERE race_id = ?`);
    const postponed = set('launch_at = ?');
    const launched = set(`stage = 'launched', launched_at = ?`);
    const live = set(`stage = 'live', live_at = ?, closes_at = ?`);
    const closed = set(`stage = 'settling', closed_at = ?`);
    const settled = set(`stage = 'settled', settled_at = ?`);
    const archived = set(`stage = 'archived', archived_at = ?`);
    const race = db.prepare<[string], { tickets: number; pool_wei: string }>(`SELECT tickets, pool_wei FROM ${R} WHERE race_id = ?`);
    const racePool = set('tickets = ?, pool_wei = ?');
    const pool = db.prepare<[string, string], { tickets: number; amount_wei: string }>(
      `SELECT tickets, amount_wei FROM ${P} WHERE race_id = ? AND clone_id = ?`,
    );
    const putPool = db.prepare(
      `INSERT INTO ${P} (race_id, clone_id, tickets, amount_wei) VALUES (?, ?, ?, ?)
       ON CONFLICT (race_id, clone_id) DO UPDATE SET tickets = excluded.tickets, amount_wei = excluded.amount_wei`,
    );
    const position = db.prepare<[string, string, string], { tickets: number; amount_wei: string }>(
      `SELECT tickets, amount_wei FROM ${H} WHERE holder = ? AND race_id = ? AND clone_id = ?`,
    );
    const putPosition = db.prepare(
      `INSERT INTO ${H} (holder, race_id, clone_id, tickets, amount_wei) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (holder, race_id, clone_id) DO UPDATE SET tickets = excluded.tickets, amount_wei = excluded.amount_wei`,
    );
    const dropPosition = db.prepare(`DELETE FROM ${H} WHERE holder = ? AND race_id = ? AND clone_id = ? AND tickets = 0`);
    const entrant = db.prepare(
      `INSERT INTO ${E} (race_id, clone_id, creator, prop_account_id, starting_equity_micro_usd) VALUES (?, ?, ?, ?, ?)`,
    );
    const purchase = db.prepare(
      `INSERT INTO ${B} (payment_id, race_id, holder, clone_id, tickets, amount_wei, status, bought_at) VALUES (?, ?, ?, ?, ?, ?, 'held', ?)`,
    );
    const refunded = db.prepare(`UPDATE ${B} SET status = 'refund_owed' WHERE payment_id = ?`);

    /** Adds (or with sign −1 takes out) a purchase from the race, its clone's pool and the holder's position. */
    const move = (p: { raceId: string; holder: string; cloneId: string; tickets: number; amountWei: bigint }, sign: 1 | -1) => {
      const tickets = sign * p.tickets;
      const amount = BigInt(sign) * p.amountWei;
      const r = race.get(p.raceId);
      racePool.run((r?.tickets ?? 0) + tickets, (BigInt(r?.pool_wei ?? '0') + amount).toString(), p.raceId);
      const c = pool.get(p.raceId, p.cloneId);
      putPool.run(p.raceId, p.cloneId, (c?.tickets ?? 0) + tickets, (BigInt(c?.amount_wei ?? '0') + amount).toString());
      const h = position.get(p.holder, p.raceId, p.cloneId);
      putPosition.run(p.holder, p.raceId, p.cloneId, (h?.tickets ?? 0) + tickets, (BigInt(h?.amount_wei ?? '0') + amount).toString());
      dropPosition.run(p.holder, p.raceId, p.cloneId);
    };

    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<RaceEvent>;
      switch (e.type) {
        case 'RaceOpened':
          open.run(e.data.raceId, e.data.sequence, e.data.rules.ticketPriceWei.toString(), e.data.launchAt);
          break;
        case 'TicketsBought': {
          const d = e.data;
          purchase.run(d.paymentId, d.raceId, d.holder, d.cloneId, d.tickets, d.amountWei.toString(), d.boughtAt);
          move(d, 1);
          break;
        }
        case 'RaceLaunchPostponed':
          postponed.run(e.data.launchAt, e.data.raceId);
          break;
        case 'RaceLaunched':
          launched.run(e.data.launchedAt, e.data.raceId);
          for (const x of e.data.entrants)
            entrant.run(e.data.raceId, x.cloneId, x.creator, x.propAccountId, x.startingEquityMicroUsd.toString());
          break;
        case 'TicketRefundOwed':
          refunded.run(e.data.paymentId);
          move(e.data, -1);
          break;
        case 'RaceWentLive':
          live.run(e.data.liveAt, e.data.closesAt, e.data.raceId);
          break;
        case 'RaceClosed':
          closed.run(e.data.closedAt, e.data.raceId);
          break;
        case 'RaceSettled':
          settled.run(e.data.settledAt, e.data.raceId);
          break;
        case 'RaceArchived':
          archived.run(e.data.archivedAt, e.data.raceId);
          break;
      }
    };
  },
});
