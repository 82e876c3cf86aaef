/**
 * Opening the SQLite file: pragmas and the engine's own tables. The events table and the Merkle
 * tables over it (core/merkle-log.ts) are made append-only by triggers, so an UPDATE or DELETE of
 * history fails inside SQLite itself; the Merkle tree makes an edit that drops them detectable.
 */
import { mkdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;
export type Synchronous = 'FULL' | 'NORMAL' | 'OFF';

export interface OpenOptions {
  /** FULL (default): an acknowledged append survives power loss. NORMAL: survives a process crash. */
  synchronous?: Synchronous;
  readonly?: boolean;
}

/**
 * 2: each event's Merkle leaf (`events.leaf`) and the cached subtrees (`ledger_nodes`); an engine
 * without them refuses the file. 3: compact idempotency rows (below; a schema-2 table is
 * converted at the first writable open) and, in files created at 3, event ids stored as 16-byte
 * blobs (`event_id ANY`; a file created earlier keeps its TEXT column and text ids). 4: event data
 * stored without key names (core/stored-data.ts): nothing is converted, rows written before read
 * as they are, but an engine of schema 3 would take a compact row for a corrupt one and read its
 * fields in SQL as NULL, so it must refuse the file (doc/event-store.md, "Storage layout").
 */
const SCHEMA_VERSION = 4;
/** The oldest schema a read-only open accepts. */
const READABLE_FROM = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position        INTEGER PRIMARY KEY,
  stream_id       TEXT    NOT NULL,
  stream_version  INTEGER NOT NULL,
  event_id        ANY     NOT NULL UNIQUE,
  type            TEXT    NOT NULL,
  schema_version  INTEGER NOT NULL,
  data            TEXT    NOT NULL,
  metadata        TEXT    NOT NULL,
  recorded_at     INTEGER NOT NULL,
  leaf            BLOB,
  UNIQUE (stream_id, stream_version)
) STRICT;
CREATE TRIGGER IF NOT EXISTS events_append_only_update
  BEFORE UPDATE OF position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_leaf_written_once BEFORE UPDATE OF leaf ON events WHEN OLD.leaf IS NOT NULL
  BEGIN SELECT RAISE(ABORT, 'an event''s leaf hash is written once'); END;
CREATE TRIGGER IF NOT EXISTS events_append_only_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TABLE IF NOT EXISTS ledger_nodes (
  level  INTEGER NOT NULL,
  idx    INTEGER NOT NULL,
  hash   BLOB    NOT NULL,
  PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS ledger_nodes_append_only_update BEFORE UPDATE ON ledger_nodes
  BEGIN SELECT RAISE(ABORT, 'ledger nodes are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_nodes_append_only_delete BEFORE DELETE ON ledger_nodes
  BEGIN SELECT RAISE(ABORT, 'ledger nodes are append-only'); END;
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key             TEXT    PRIMARY KEY,
  payload_hash    ANY     NOT NULL,
  stream_id       TEXT,
  next_version    INTEGER NOT NULL,
  first_position  INTEGER NOT NULL,
  count           INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
  stream_id         TEXT    NOT NULL,
  decider           TEXT    NOT NULL,
  snapshot_version  INTEGER NOT NULL,
  stream_version    INTEGER NOT NULL,
  state             TEXT    NOT NULL,
  PRIMARY KEY (stream_id, decider)
) STRICT;
CREATE TABLE IF NOT EXISTS projection_checkpoints (
  name        TEXT    PRIMARY KEY,
  version     INTEGER NOT NULL,
  position    INTEGER NOT NULL,
  generation  INTEGER NOT NULL
) STRICT;
`;

/**
 * The folder beside a database file where development state is kept (`<dir>/<name>.dev/` for
 * `<dir>/<name>.db`: secrets generated in development, the embedded chain's state); null for an
 * in-memory database. One folder per file, so two ledgers in one directory never share a key.
 */
export function developmentStateDir(dbPath: string): string | null {
  if (dbPath === ':memory:') return null;
  return join(dirname(dbPath), `${basename(dbPath, extname(dbPath))}.dev`);
}

/**
 * Opens (and, writable, creates or migrates) a ledger file. Read-only opens never write: the
 * file must exist and already be a ledger of this schema, else `Error('PATH is not a ledger …')`
 * — so read commands work on a read-only copy and never turn an empty file into a ledger.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (options.readonly) return openReadOnly(path);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  // A savepoint's statement journal (the pages it changed, as they were, for ROLLBACK TO) stays in
  // memory: at the default (a file once it passes 64 KiB) a prop action in its savepoint (a group
  // commit's command) created and deleted a temp file; its size is the pages one savepoint changes.
  db.pragma('temp_store = MEMORY');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new Error(`${path} was written by a newer engine (schema ${version} > ${SCHEMA_VERSION})`);
  }
  db.transaction(() => {
    addLeafColumn(db);
    const oldIdempotency = renameSchemaTwoIdempotency(db);
    db.exec(SCHEMA);
    if (oldIdempotency) copySchemaTwoIdempotency(db);
  }).immediate();
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
  return db;
}

function openReadOnly(path: string): Db {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  const version = db.pragma('user_version', { simple: true }) as number;
  const events = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
  // A schema-2 or -3 file reads as it is: what schemas 3 and 4 changed (idempotency rows, blob ids, compact data) is only written.
  if (version < READABLE_FROM || version > SCHEMA_VERSION || events === undefined) {
    db.close();
    throw new Error(
      `${path} is not a ledger of schema ${READABLE_FROM}..${SCHEMA_VERSION} (schema ${version}${events ? '' : ', no events table'}); read commands never create one`,
    );
  }
  return db;
}

/**
 * Schema 1 → 2: the `leaf` column on an existing events table, and its update trigger narrowed
 * to the other columns so the leaves of older rows can be written once (core/merkle-log.ts
 * backfills them); SCHEMA then creates the new triggers and `ledger_nodes`.
 */
function addLeafColumn(db: Db): void {
  const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('events')").all();
  if (columns.length === 0 || columns.some((c) => c.name === 'leaf')) return;
  db.exec('ALTER TABLE events ADD COLUMN leaf BLOB; DROP TRIGGER IF EXISTS events_append_only_update');
}

/**
 * Schema 2 → 3, step 1: a schema-2 `idempotency_keys` (payload hash as hex text, the result as
 * JSON) is renamed aside so SCHEMA creates the compact table; true when there was one.
 */
function renameSchemaTwoIdempotency(db: Db): boolean {
  const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('idempotency_keys')").all();
  if (!columns.some((c) => c.name === 'result')) return false;
  db.exec('ALTER TABLE idempotency_keys RENAME TO idempotency_keys_v2');
  return true;
}

/**
 * Schema 2 → 3, step 2: every schema-2 idempotency row copied into the compact table — a hex
 * SHA-256 as its 32 bytes (`core/event-store.ts`, `storedPayloadHash`), the result (the array
 * `[nextExpectedVersion, firstPosition, count]`, or the older object with every position) as
 * three integers — then the old table dropped. The stream id is kept as it was.
 */
function copySchemaTwoIdempotency(db: Db): void {
  db.exec(`INSERT INTO idempotency_keys (key, payload_hash, stream_id, next_version, first_position, count)
    SELECT key,
      CASE WHEN length(payload_hash) = 64 AND NOT payload_hash GLOB '*[^0-9a-f]*' THEN unhex(payload_hash) ELSE payload_hash END,
      stream_id,
      CASE json_type(result) WHEN 'array' THEN result ->> '$[0]' ELSE result ->> '$.nextExpectedVersion' END,
      CASE json_type(result) WHEN 'array' THEN result ->> '$[1]' ELSE coalesce(result ->> '$.positions[0]', 0) END,
      CASE json_type(result) WHEN 'array' THEN result ->> '$[2]' ELSE json_array_length(result, '$.positions') END
    FROM idempotency_keys_v2;
    DROP TABLE idempotency_keys_v2;`);
}
