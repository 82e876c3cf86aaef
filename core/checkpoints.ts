/** Projection checkpoints: the last global position a projection has applied, its version and table generation. */

import type { Db } from './database.ts';
import { prepared } from './statements.ts';

export interface Checkpoint {
  readonly version: number;
  readonly position: number;
  readonly generation: number;
}

export function readCheckpoint(db: Db, name: string): Checkpoint | undefined {
  return prepared<[string], Checkpoint>(db, 'SELECT version, position, generation FROM projection_checkpoints WHERE name = ?').get(name);
}

export function writeCheckpoint(db: Db, name: string, c: Checkpoint): void {
  prepared(
    db,
    `INSERT INTO projection_checkpoints (name, version, position, generation) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = excluded.position, generation = excluded.generation`,
  ).run(name, c.version, c.position, c.generation);
}
