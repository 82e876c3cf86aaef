/** Counting `db.prepare` calls, for tests that statements are prepared once (core/statements.ts). */
import type { Db } from '../../core/database.ts';

/** From now on counts the statements `db` prepares; the returned function says how many so far. */
export function countPrepares(db: Db): () => number {
  let prepared = 0;
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    prepared += 1;
    return prepare(sql);
  }) as typeof db.prepare;
  return () => prepared;
}
