/**
 * Statements prepared once per connection: `prepared(db, sql)` prepares `sql` on its first use on
 * `db` and returns the same statement after that, so a request on a hot path only binds and steps
 * (preparing costs more than running a small query: issue 17 measured a `db.prepare` per request
 * at 3% of a durable write, and at 7% of an Arena read). Only fixed SQL text may come here — values
 * are bound, never written into the text — so a connection keeps at most one statement per call
 * site. The statements go with their connection (a WeakMap keyed by it). A kept statement is
 * shared by every call site with the same text: none may switch its mode (`pluck`, `raw`,
 * `expand`, `safeIntegers`).
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './database.ts';

const byConnection = new WeakMap<Db, Map<string, Statement>>();

/** The statement for `sql` on `db`, prepared on its first use there and kept. */
export function prepared<P extends unknown[] = unknown[], R = unknown>(db: Db, sql: string): Statement<P, R> {
  let statements = byConnection.get(db);
  if (!statements) {
    statements = new Map();
    byConnection.set(db, statements);
  }
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    statements.set(sql, statement);
  }
  return statement as Statement<P, R>;
}

/**
 * A row limit bound as a parameter, for `LIMIT ${BOUND_LIMIT}` (bind -1 for none). SQLite (3.53)
 * reads the value of a bare `LIMIT ?` while planning, so each new binding — every run, through
 * better-sqlite3 — recompiles the statement: about 10 µs on a query that otherwise takes 0.5 µs
 * (issue 13's decision-run profile: the stream reads). `? + 0` is an expression the planner does
 * not read, so the statement is compiled once.
 */
export const BOUND_LIMIT = '(? + 0)';
