/**
 * Read model `clone_lifecycle`: the facts about each clone and the state derived from them.
 * `factsFrom` maps an event type to the facts it changes; auditions and the Arena plug in by
 * adding their event types there (and to `eventTypes`), with a version bump to rebuild.
 */

import type { CloneEvent } from '../../commands/clones/events.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';
import { initialFacts, type LifecycleFacts, type LifecycleState, lifecycleStateOf } from './lifecycle-state.ts';

type FactsUpdate = (event: RecordedEvent) => { cloneId: string; facts: Partial<LifecycleFacts> };

const factsFrom: Readonly<Record<string, FactsUpdate>> = {
  CloneCreated: (e) => ({ cloneId: (e as RecordedEvent<CloneEvent>).data.cloneId, facts: {} }),
  StrategyVersionPublished: (e) => ({ cloneId: (e as RecordedEvent<CloneEvent>).data.cloneId, facts: { hasActiveVersion: true } }),
};

export const lifecycleProjection = defineProjection({
  name: 'clone_lifecycle',
  version: 1,
  mode: 'inline',
  eventTypes: Object.keys(factsFrom),
  tables: [
    {
      name: 'clone_lifecycle',
      columns: { clone_id: 'TEXT NOT NULL', facts: 'TEXT NOT NULL', state: 'TEXT NOT NULL', changed_at: 'INTEGER NOT NULL' },
      primaryKey: ['clone_id'],
      indexes: [['state']],
    },
  ],
  bind(db, t) {
    const get = db.prepare<[string], { facts: string }>(`SELECT facts FROM "${t.clone_lifecycle}" WHERE clone_id = ?`);
    const put = db.prepare(
      `INSERT INTO "${t.clone_lifecycle}" (clone_id, facts, state, changed_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (clone_id) DO UPDATE SET facts = excluded.facts, state = excluded.state, changed_at = excluded.changed_at`,
    );
    return (e: RecordedEvent) => {
      const update = factsFrom[e.type];
      if (!update) return;
      const { cloneId, facts } = update(e);
      const row = get.get(cloneId);
      const next: LifecycleFacts = { ...(row ? (JSON.parse(row.facts) as LifecycleFacts) : initialFacts), ...facts };
      put.run(cloneId, JSON.stringify(next), lifecycleStateOf(next), e.recordedAt);
    };
  },
});

export function lifecycleOf(db: Db, cloneId: string): LifecycleState | undefined {
  return db.prepare<[string], { state: LifecycleState }>('SELECT state FROM clone_lifecycle WHERE clone_id = ?').get(cloneId)?.state;
}
