/** Read model `clones`: each clone's owner, name, model tier, private draft and active version number. */

import type { CloneEvent } from '../../commands/clones/events.ts';
import { emptyGraph, type GraphLayout, type StrategyGraph } from '../../commands/clones/graph/schema.ts';
import type { ModelStrength } from '../../commands/entitlements/tiers.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

export const clonesProjection = defineProjection({
  name: 'clones',
  version: 1,
  mode: 'inline',
  eventTypes: ['CloneCreated', 'CloneModelChanged', 'CloneProfileUpdated', 'CloneDraftSaved', 'StrategyVersionPublished'],
  tables: [
    {
      name: 'clones',
      columns: {
        clone_id: 'TEXT NOT NULL',
        owner_user_id: 'TEXT NOT NULL',
        name: 'TEXT NOT NULL',
        model_tier: 'TEXT NOT NULL',
        created_at: 'INTEGER NOT NULL',
        draft_revision: 'INTEGER NOT NULL',
        draft_graph: 'TEXT',
        draft_layout: 'TEXT',
        draft_saved_at: 'INTEGER',
        active_version: 'INTEGER',
      },
      primaryKey: ['clone_id'],
      indexes: [['owner_user_id', 'created_at']],
    },
  ],
  bind(db, t) {
    const create = db.prepare(
      `INSERT INTO "${t.clones}" (clone_id, owner_user_id, name, model_tier, created_at, draft_revision) VALUES (?, ?, ?, ?, ?, 0)`,
    );
    const model = db.prepare(`UPDATE "${t.clones}" SET model_tier = ? WHERE clone_id = ?`);
    const name = db.prepare(`UPDATE "${t.clones}" SET name = ? WHERE clone_id = ?`);
    const draft = db.prepare(
      `UPDATE "${t.clones}" SET draft_revision = ?, draft_graph = ?, draft_layout = ?, draft_saved_at = ? WHERE clone_id = ?`,
    );
    const version = db.prepare(`UPDATE "${t.clones}" SET active_version = ? WHERE clone_id = ?`);
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<CloneEvent>;
      switch (e.type) {
        case 'CloneCreated':
          create.run(e.data.cloneId, e.data.ownerUserId, e.data.name, e.data.modelTier, e.data.createdAt);
          break;
        case 'CloneModelChanged':
          model.run(e.data.modelTier, e.data.cloneId);
          break;
        case 'CloneProfileUpdated':
          name.run(e.data.profile.name, e.data.cloneId);
          break;
        case 'CloneDraftSaved':
          draft.run(e.data.revision, JSON.stringify(e.data.graph), JSON.stringify(e.data.layout), e.data.savedAt, e.data.cloneId);
          break;
        case 'StrategyVersionPublished':
          version.run(e.data.number, e.data.cloneId);
          break;
      }
    };
  },
});

export interface CloneSummary {
  readonly id: string;
  readonly ownerUserId: string;
  readonly name: string;
  readonly modelTier: ModelStrength;
  readonly createdAt: number;
  readonly activeVersion: number | null;
}

export interface CloneDraft {
  readonly revision: number;
  readonly graph: StrategyGraph;
  readonly layout: GraphLayout;
  readonly savedAt: number | null;
}

const SUMMARY = `SELECT clone_id AS id, owner_user_id AS ownerUserId, name, model_tier AS modelTier, created_at AS createdAt,
  active_version AS activeVersion FROM clones`;

export function findClone(db: Db, cloneId: string): CloneSummary | undefined {
  return db.prepare<[string], CloneSummary>(`${SUMMARY} WHERE clone_id = ?`).get(cloneId);
}

export function clonesOf(db: Db, ownerUserId: string): CloneSummary[] {
  return db.prepare<[string], CloneSummary>(`${SUMMARY} WHERE owner_user_id = ? ORDER BY created_at, clone_id`).all(ownerUserId);
}

export function draftOf(db: Db, cloneId: string): CloneDraft | undefined {
  const row = db
    .prepare<[string], { revision: number; graph: string | null; layout: string | null; savedAt: number | null }>(
      'SELECT draft_revision AS revision, draft_graph AS graph, draft_layout AS layout, draft_saved_at AS savedAt FROM clones WHERE clone_id = ?',
    )
    .get(cloneId);
  if (!row) return undefined;
  return {
    revision: row.revision,
    graph: row.graph === null ? emptyGraph : (JSON.parse(row.graph) as StrategyGraph),
    layout: row.layout === null ? {} : (JSON.parse(row.layout) as GraphLayout),
    savedAt: row.savedAt,
  };
}
