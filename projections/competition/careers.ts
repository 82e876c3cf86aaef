/**
 * Read model of careers and the Hall of Fame: each clone's career folded from the arena's race
 * results (the same `withRace` fold the arena decider uses), and a Hall of Fame entry per
 * retired clone with the career recorded in its retirement.
 */

import type { ArenaEvent } from '../../commands/competition/arena-events.ts';
import { type Career, emptyCareer, withRace } from '../../commands/competition/career.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

const careerColumns = {
  races: 'INTEGER NOT NULL',
  /** JSON: [{ "position": 1, "count": 2 }, …] by position. */
  placements: 'TEXT NOT NULL',
  best_return_race_id: 'TEXT',
  best_starting_equity_micro_usd: 'TEXT',
  best_final_equity_micro_usd: 'TEXT',
  total_pnl_micro_usd: 'TEXT NOT NULL',
  total_starting_equity_micro_usd: 'TEXT NOT NULL',
  tickets_attracted: 'INTEGER NOT NULL',
  royalties_wei: 'TEXT NOT NULL',
} as const;

export interface CareerRow {
  races: number;
  placements: string;
  best_return_race_id: string | null;
  best_starting_equity_micro_usd: string | null;
  best_final_equity_micro_usd: string | null;
  total_pnl_micro_usd: string;
  total_starting_equity_micro_usd: string;
  tickets_attracted: number;
  royalties_wei: string;
}

function toRow(c: Career): unknown[] {
  return [
    c.races,
    JSON.stringify(c.placements),
    c.bestReturn?.raceId ?? null,
    c.bestReturn?.startingEquityMicroUsd.toString() ?? null,
    c.bestReturn?.finalEquityMicroUsd.toString() ?? null,
    c.totalPnlMicroUsd.toString(),
    c.totalStartingEquityMicroUsd.toString(),
    c.ticketsAttracted,
    c.royaltiesWei.toString(),
  ];
}

/** A competition_hall_of_fame row: the retirement and the career it recorded. */
export interface HallOfFameRow extends CareerRow {
  clone_id: string;
  cause: 'strikes' | 'admin';
  race_id: string | null;
  retired_by: string | null;
  reason: string | null;
  retired_at: number;
}

export function careerOfRow(r: CareerRow): Career {
  return {
    races: r.races,
    placements: JSON.parse(r.placements) as Career['placements'],
    bestReturn:
      r.best_return_race_id === null
        ? null
        : {
            raceId: r.best_return_race_id,
            startingEquityMicroUsd: BigInt(r.best_starting_equity_micro_usd ?? '0'),
            finalEquityMicroUsd: BigInt(r.best_final_equity_micro_usd ?? '0'),
          },
    totalPnlMicroUsd: BigInt(r.total_pnl_micro_usd),
    totalStartingEquityMicroUsd: BigInt(r.total_starting_equity_micro_usd),
    ticketsAttracted: r.tickets_attracted,
    royaltiesWei: BigInt(r.royalties_wei),
  };
}

const names = Object.keys(careerColumns);

export const careersProjection = defineProjection({
  name: 'competition_careers',
  version: 1,
  mode: 'inline',
  eventTypes: ['RaceResultRecorded', 'CloneRetired'],
  tables: [
    { name: 'competition_careers', columns: { clone_id: 'TEXT NOT NULL', ...careerColumns }, primaryKey: ['clone_id'] },
    {
      name: 'competition_hall_of_fame',
      columns: {
        clone_id: 'TEXT NOT NULL',
        cause: 'TEXT NOT NULL',
        race_id: 'TEXT',
        retired_by: 'TEXT',
        reason: 'TEXT',
        retired_at: 'INTEGER NOT NULL',
        ...careerColumns,
      },
      primaryKey: ['clone_id'],
      indexes: [['retired_at']],
    },
  ],
  bind(db: Db, t) {
    const C = `"${t.competition_careers}"`;
    const get = db.prepare<[string], CareerRow>(`SELECT ${names.join(', ')} FROM ${C} WHERE clone_id = ?`);
    const put = db.prepare(`INSERT OR REPLACE INTO ${C} (clone_id, ${names.join(', ')}) VALUES (?, ${names.map(() => '?').join(', ')})`);
    const enshrine = db.prepare(
      `INSERT INTO "${t.competition_hall_of_fame}" (clone_id, cause, race_id, retired_by, reason, retired_at, ${names.join(', ')})
       VALUES (?, ?, ?, ?, ?, ?, ${names.map(() => '?').join(', ')})`,
    );
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<ArenaEvent>;
      if (e.type === 'RaceResultRecorded') {
        for (const line of e.data.entrants) {
          const row = get.get(line.cloneId);
          put.run(line.cloneId, ...toRow(withRace(row ? careerOfRow(row) : emptyCareer, e.data.raceId, line)));
        }
      } else if (e.type === 'CloneRetired') {
        const d = e.data;
        enshrine.run(d.cloneId, d.cause, d.raceId, d.retiredBy, d.reason, d.retiredAt, ...toRow(d.career));
      }
    };
  },
});
