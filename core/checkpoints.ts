/** Projection checkpoints: the last global position a projection has applied, its version and table generation. */

import type { Db } from './database.ts';
import { DomainError } from './errors.ts';
import { prepared } from './statements.ts';

export interface Checkpoint {
  readonly version: number;
  readonly position: number;
  readonly generation: number;
}

export function readCheckpoint(db: Db, name: string): Checkpoint | undefined {
  return prepared<[string], Checkpoint>(db, 'SELECT version, position, generation FROM projection_checkpoints WHERE name = ?').get(name);
}

/**
 * For a reader of a file opened read-only (a writable open rebuilds every read model first): throws
 * `read_model_stale` (DomainError, unprocessable) naming the projection and both versions when its
 * tables are missing or of another version than `projection.version` (a file from before the read
 * model changed; doc/event-store.md, "read-only commands").
 */
export function assertCurrentReadModel(db: Db, projection: { readonly name: string; readonly version: number }): void {
  const live = readCheckpoint(db, projection.name)?.version;
  if (live === projection.version) return;
  const was = live === undefined ? 'was never built' : `is at version ${live}`;
  throw new DomainError(
    'read_model_stale',
    'unprocessable',
    `the ${projection.name} read model of this file ${was} (this build: version ${projection.version}): open it writable once (clash projections rebuild ${projection.name})`,
    { projection: projection.name, liveVersion: live ?? null, version: projection.version },
  );
}

export function writeCheckpoint(db: Db, name: string, c: Checkpoint): void {
  prepared(
    db,
    `INSERT INTO projection_checkpoints (name, version, position, generation) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position, generation = excluded.generation`,
  ).run(name, c.version, c.position, c.generation);
}
