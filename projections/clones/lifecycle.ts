/**
 * Read model `clone_lifecycle`: one summary per clone — its lifecycle state and everything a
 * client needs to render it (setup, the latest audition, queue, Arena slot, races, strikes,
 * career) — fed by the clone, entitlement, audition, arena and race events, so no client joins
 * Clone Service, auditions, the Promotion Queue and the Arena itself (`../shared/seeds/004_…`
 * Open Decisions). The folds are in `lifecycle-record.ts`; this file routes each event to the
 * records it touches and stores them (canonical JSON, bigints kept exact).
 */

import { auditionEvents } from '../../commands/competition/audition-events.ts';
import { canonicalJson, parseCanonicalJson } from '../../core/canonical-json.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';
import { type AuditionRecord, type CloneLifecycleRecord, evolveAudition, evolveClone, newCloneRecord } from './lifecycle-record.ts';
import { type LifecycleState, lifecycleStateOf } from './lifecycle-state.ts';

const cloneEvents = ['CloneCreated', 'CloneDraftSaved', 'StrategyVersionPublished', 'CloneProfileRetired', 'CloneProfileReinstated'];
const entitlementEvents = ['EntitlementGranted', 'EntitlementRevoked'];
const arenaEvents = [
  'ArenaOpened',
  'CloneQueued',
  'CloneAdmitted',
  'CloneRemoved',
  'CloneRetired',
  'StrikeGiven',
  'StrikesCleared',
  'RaceResultRecorded',
];
const raceEvents = ['RaceLaunched', 'RaceWentLive', 'RaceClosed', 'RaceSettled'];
/** Race events that name no clone: they reach the clones seated in that race. */
const reachSeated = new Set(['RaceWentLive', 'RaceClosed', 'RaceSettled']);

interface Addressed {
  cloneId?: string;
  auditionId?: string;
  raceId?: string;
  entrants?: readonly { cloneId: string }[];
  ranking?: readonly { cloneId: string }[];
}

export const lifecycleProjection = defineProjection({
  name: 'clone_lifecycle',
  // 4: the whole summary (3 on the harden-core branch only split audition_voided from audition_failed)
  version: 4,
  mode: 'inline',
  eventTypes: [...cloneEvents, ...entitlementEvents, ...auditionEvents.map((d) => d.type), ...arenaEvents, ...raceEvents],
  tables: [
    {
      name: 'clone_lifecycle',
      columns: {
        clone_id: 'TEXT NOT NULL',
        state: 'TEXT NOT NULL',
        /** none | queue | arena | removed | retired */
        place: 'TEXT NOT NULL',
        /** Queue order while queued: pass time, then the log position of the queueing. */
        queue_passed_at: 'INTEGER',
        queue_order: 'INTEGER',
        current_race_id: 'TEXT',
        /** The whole CloneLifecycleRecord, canonical JSON. */
        record: 'TEXT NOT NULL',
        changed_at: 'INTEGER NOT NULL',
      },
      primaryKey: ['clone_id'],
      indexes: [['state'], ['place', 'queue_passed_at', 'queue_order'], ['current_race_id']],
    },
    {
      name: 'clone_lifecycle_auditions',
      /** record: the AuditionRecord, canonical JSON. */
      columns: { audition_id: 'TEXT NOT NULL', clone_id: 'TEXT NOT NULL', record: 'TEXT NOT NULL' },
      primaryKey: ['audition_id'],
    },
    {
      name: 'clone_lifecycle_arena',
      /** The arena's rules as opened (one row, `arena` = 'main'). */
      columns: { arena: 'TEXT NOT NULL', slots: 'INTEGER NOT NULL', strikes_to_retire: 'INTEGER NOT NULL' },
      primaryKey: ['arena'],
    },
  ],
  bind(db, t) {
    const L = `"${t.clone_lifecycle}"`;
    const A = `"${t.clone_lifecycle_auditions}"`;
    const getClone = db.prepare<[string], { record: string }>(`SELECT record FROM ${L} WHERE clone_id = ?`);
    const putClone = db.prepare(
      `INSERT INTO ${L} (clone_id, state, place, queue_passed_at, queue_order, current_race_id, record, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (clone_id) DO UPDATE SET state = excluded.state, place = excluded.place, queue_passed_at = excluded.queue_passed_at,
         queue_order = excluded.queue_order, current_race_id = excluded.current_race_id, record = excluded.record, changed_at = excluded.changed_at`,
    );
    const seatedIn = db.prepare<[string], { clone_id: string }>(`SELECT clone_id FROM ${L} WHERE current_race_id = ? ORDER BY clone_id`);
    const getAudition = db.prepare<[string], { record: string }>(`SELECT record FROM ${A} WHERE audition_id = ?`);
    const putAudition = db.prepare(
      `INSERT INTO ${A} (audition_id, clone_id, record) VALUES (?, ?, ?) ON CONFLICT (audition_id) DO UPDATE SET record = excluded.record`,
    );
    const putArena = db.prepare(
      `INSERT INTO "${t.clone_lifecycle_arena}" (arena, slots, strikes_to_retire) VALUES ('main', ?, ?)
       ON CONFLICT (arena) DO UPDATE SET slots = excluded.slots, strikes_to_retire = excluded.strikes_to_retire`,
    );

    const clone = (e: RecordedEvent, cloneId: string) => {
      const row = getClone.get(cloneId);
      const before = row ? (parseCanonicalJson(row.record) as CloneLifecycleRecord) : newCloneRecord(cloneId);
      const r = evolveClone(before, e);
      if (row && r === before) return;
      const queue = r.place === 'queue' ? r.queue : null;
      putClone.run(
        cloneId,
        lifecycleStateOf(r.facts),
        r.place,
        queue?.passedAt ?? null,
        queue?.order ?? null,
        r.currentRace?.raceId ?? null,
        canonicalJson(r),
        r.changedAt,
      );
    };
    const audition = (e: RecordedEvent, auditionId: string) => {
      const row = getAudition.get(auditionId);
      const before = row ? (parseCanonicalJson(row.record) as AuditionRecord) : null;
      const a = evolveAudition(before, e);
      if (a && a !== before) putAudition.run(auditionId, a.cloneId, canonicalJson(a));
    };

    return (e: RecordedEvent) => {
      if (e.type === 'ArenaOpened') {
        const rules = (e.data as { rules: { slots: number; strikesToRetire: number } }).rules;
        putArena.run(rules.slots, rules.strikesToRetire);
        return;
      }
      const d = e.data as Addressed;
      if (d.auditionId !== undefined && e.type.startsWith('Audition')) audition(e, d.auditionId);
      const cloneIds = new Set<string>();
      if (d.cloneId !== undefined) cloneIds.add(d.cloneId);
      for (const x of [...(d.entrants ?? []), ...(d.ranking ?? [])]) cloneIds.add(x.cloneId);
      if (d.raceId !== undefined && reachSeated.has(e.type)) for (const s of seatedIn.all(d.raceId)) cloneIds.add(s.clone_id);
      for (const cloneId of cloneIds) clone(e, cloneId);
    };
  },
});

/** The clone's lifecycle state, or undefined for a clone the read model has not seen. */
export function lifecycleOf(db: Db, cloneId: string): LifecycleState | undefined {
  return db.prepare<[string], { state: LifecycleState }>('SELECT state FROM clone_lifecycle WHERE clone_id = ?').get(cloneId)?.state;
}
