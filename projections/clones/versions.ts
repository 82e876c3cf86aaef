/** Read model `strategy_versions`: every published version of every clone; the newest is the active one. */

import type { CloneEvent } from '../../commands/clones/events.ts';
import type { StrategyGraph } from '../../commands/clones/graph/schema.ts';
import type { ModelStrength } from '../../commands/entitlements/tiers.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';
import { prepared } from '../../core/statements.ts';

export const versionsProjection = defineProjection({
  name: 'strategy_versions',
  version: 1,
  mode: 'inline',
  eventTypes: ['StrategyVersionPublished'],
  tables: [
    {
      name: 'strategy_versions',
      columns: {
        clone_id: 'TEXT NOT NULL',
        number: 'INTEGER NOT NULL',
        version_id: 'TEXT NOT NULL UNIQUE',
        content_hash: 'TEXT NOT NULL',
        graph: 'TEXT NOT NULL',
        model_tier: 'TEXT NOT NULL',
        draft_revision: 'INTEGER NOT NULL',
        published_at: 'INTEGER NOT NULL',
      },
      primaryKey: ['clone_id', 'number'],
    },
  ],
  bind(db, t) {
    const insert = db.prepare(
      `INSERT INTO "${t.strategy_versions}" (clone_id, number, version_id, content_hash, graph, model_tier, draft_revision, published_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<CloneEvent>;
      if (e.type !== 'StrategyVersionPublished') return;
      const d = e.data;
      insert.run(d.cloneId, d.number, d.versionId, d.contentHash, JSON.stringify(d.graph), d.modelTier, d.draftRevision, d.publishedAt);
    };
  },
});

export interface StrategyVersion {
  readonly versionId: string;
  readonly number: number;
  readonly contentHash: string;
  readonly modelTier: ModelStrength;
  readonly draftRevision: number;
  readonly publishedAt: number;
  readonly active: boolean;
}

const COLUMNS = `version_id AS versionId, number, content_hash AS contentHash, model_tier AS modelTier,
  draft_revision AS draftRevision, published_at AS publishedAt,
  number = (SELECT max(number) FROM strategy_versions v WHERE v.clone_id = strategy_versions.clone_id) AS active`;

type Row = Omit<StrategyVersion, 'active'> & { active: number };
const fromRow = (r: Row): StrategyVersion => ({ ...r, active: r.active === 1 });

export function versionsOf(db: Db, cloneId: string): StrategyVersion[] {
  return db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM strategy_versions WHERE clone_id = ? ORDER BY number`).all(cloneId).map(fromRow);
}

export function versionOf(db: Db, cloneId: string, number: number): (StrategyVersion & { graph: StrategyGraph }) | undefined {
  const row = db
    .prepare<[string, number], Row & { graph: string }>(`SELECT ${COLUMNS}, graph FROM strategy_versions WHERE clone_id = ? AND number = ?`)
    .get(cloneId, number);
  return row && { ...fromRow(row), graph: JSON.parse(row.graph) as StrategyGraph };
}

/** The version `versionId` (any clone's), with its clone id and graph; undefined when none was published. */
export function versionById(db: Db, versionId: string): (StrategyVersion & { cloneId: string; graph: StrategyGraph }) | undefined {
  const row = prepared<[string], Row & { cloneId: string; graph: string }>(
    db,
    `SELECT ${COLUMNS}, clone_id AS cloneId, graph FROM strategy_versions WHERE version_id = ?`,
  ).get(versionId);
  return row && { ...fromRow(row), cloneId: row.cloneId, graph: JSON.parse(row.graph) as StrategyGraph };
}
