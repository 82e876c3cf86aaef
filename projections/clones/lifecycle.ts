/**
 * Read model `clone_lifecycle`: the facts about each clone and the state derived from them.
 * `factsFrom` maps an event type to the facts it changes: Clone Service's own events, the
 * audition outcomes and the clone's place in the Promotion Queue and Arena (a new event type
 * there needs a version bump to rebuild).
 */

import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';
import { initialFacts, type LifecycleFacts, type LifecycleState, lifecycleStateOf } from './lifecycle-state.ts';

type FactsUpdate = (event: RecordedEvent) => { cloneId: string; facts: Partial<LifecycleFacts> };

/** A fact about the clone named in the event's `cloneId`. */
const fact =
  (facts: Partial<LifecycleFacts>): FactsUpdate =>
  (e) => ({ cloneId: (e.data as { cloneId: string }).cloneId, facts });

const factsFrom: Readonly<Record<string, FactsUpdate>> = {
  CloneCreated: fact({}),
  StrategyVersionPublished: fact({ hasActiveVersion: true }),
  // Sent on submit and on every retry.
  AuditionAccountRequested: fact({ audition: 'running' }),
  AuditionPassed: fact({ audition: 'passed' }),
  AuditionFailed: fact({ audition: 'failed' }),
  AuditionVoided: fact({ audition: 'voided' }),
  CloneQueued: fact({ arena: 'queued' }),
  CloneAdmitted: fact({ arena: 'competing' }),
  // Out of the queue or the Arena by an operator: a new audition is needed to come back.
  CloneRemoved: fact({ audition: 'none', arena: 'none' }),
  CloneRetired: fact({ arena: 'retired' }),
};

export const lifecycleProjection = defineProjection({
  name: 'clone_lifecycle',
  // 3: a voided audition is its own state (`audition_voided`), no longer `audition_failed`
  version: 3,
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
