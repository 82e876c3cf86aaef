/**
 * Read model of the arena stream: the Promotion Queue (ordered by pass time, then arrival), the
 * occupied Arena slots, strikes, and where each clone stands in the competition.
 */

import type { ArenaEvent } from '../../commands/competition/arena-events.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

export const arenaProjection = defineProjection({
  name: 'competition_arena',
  version: 1,
  mode: 'inline',
  eventTypes: ['CloneQueued', 'CloneAdmitted', 'CloneRemoved', 'CloneRetired', 'StrikeGiven', 'StrikesCleared'],
  tables: [
    {
      name: 'competition_queue',
      columns: {
        clone_id: 'TEXT NOT NULL',
        audition_id: 'TEXT NOT NULL',
        passed_at: 'INTEGER NOT NULL',
        queued_at: 'INTEGER NOT NULL',
        /** The log position of the queueing: breaks ties of pass time in arrival order. */
        queued_position: 'INTEGER NOT NULL',
      },
      primaryKey: ['clone_id'],
      indexes: [['passed_at', 'queued_position']],
    },
    {
      name: 'competition_arena_slots',
      columns: { slot: 'INTEGER NOT NULL', clone_id: 'TEXT NOT NULL', audition_id: 'TEXT NOT NULL', admitted_at: 'INTEGER NOT NULL' },
      primaryKey: ['slot'],
      indexes: [['clone_id']],
    },
    {
      name: 'competition_strikes',
      columns: { clone_id: 'TEXT NOT NULL', strikes: 'INTEGER NOT NULL', total_strikes: 'INTEGER NOT NULL', last_race_id: 'TEXT NOT NULL' },
      primaryKey: ['clone_id'],
    },
    {
      name: 'competition_clone_places',
      /** place: queue | arena | removed | retired */
      columns: { clone_id: 'TEXT NOT NULL', place: 'TEXT NOT NULL', since: 'INTEGER NOT NULL' },
      primaryKey: ['clone_id'],
      indexes: [['place']],
    },
  ],
  bind(db: Db, t) {
    const Q = `"${t.competition_queue}"`;
    const S = `"${t.competition_arena_slots}"`;
    const K = `"${t.competition_strikes}"`;
    const P = `"${t.competition_clone_places}"`;
    const enqueue = db.prepare(`INSERT INTO ${Q} (clone_id, audition_id, passed_at, queued_at, queued_position) VALUES (?, ?, ?, ?, ?)`);
    const dequeue = db.prepare(`DELETE FROM ${Q} WHERE clone_id = ?`);
    const seat = db.prepare(`INSERT INTO ${S} (slot, clone_id, audition_id, admitted_at) VALUES (?, ?, ?, ?)`);
    const unseat = db.prepare(`DELETE FROM ${S} WHERE clone_id = ?`);
    const strike = db.prepare(
      `INSERT INTO ${K} (clone_id, strikes, total_strikes, last_race_id) VALUES (?, ?, 1, ?)
       ON CONFLICT (clone_id) DO UPDATE SET strikes = excluded.strikes, total_strikes = total_strikes + 1, last_race_id = excluded.last_race_id`,
    );
    const clear = db.prepare(`UPDATE ${K} SET strikes = 0 WHERE clone_id = ?`);
    const place = db.prepare(
      `INSERT INTO ${P} (clone_id, place, since) VALUES (?, ?, ?) ON CONFLICT (clone_id) DO UPDATE SET place = excluded.place, since = excluded.since`,
    );
    const leave = (cloneId: string, to: 'removed' | 'retired', at: number) => {
      dequeue.run(cloneId);
      unseat.run(cloneId);
      clear.run(cloneId);
      place.run(cloneId, to, at);
    };
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<ArenaEvent>;
      switch (e.type) {
        case 'CloneQueued':
          enqueue.run(e.data.cloneId, e.data.auditionId, e.data.passedAt, e.data.queuedAt, e.position);
          place.run(e.data.cloneId, 'queue', e.data.queuedAt);
          break;
        case 'CloneAdmitted':
          dequeue.run(e.data.cloneId);
          seat.run(e.data.slot, e.data.cloneId, e.data.auditionId, e.data.admittedAt);
          place.run(e.data.cloneId, 'arena', e.data.admittedAt);
          break;
        case 'CloneRemoved':
          leave(e.data.cloneId, 'removed', e.data.removedAt);
          break;
        case 'CloneRetired':
          leave(e.data.cloneId, 'retired', e.data.retiredAt);
          break;
        case 'StrikeGiven':
          strike.run(e.data.cloneId, e.data.strikes, e.data.raceId);
          break;
        case 'StrikesCleared':
          clear.run(e.data.cloneId);
          break;
        default:
          break;
      }
    };
  },
});
