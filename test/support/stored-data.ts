/**
 * Editing stored event data in tests that tamper with a ledger file: a top-level key set inside
 * the row's stored text, in whichever form the row is stored (core/stored-data.ts: the compact
 * array's position of the key, or the JSON object's key), without re-encoding the rest.
 */
import type Database from 'better-sqlite3';
import { type EventDefinition, storedSchema } from '../../core/event-registry.ts';
import { storedDataOf } from '../../core/stored-data.ts';

/** Sets `key` of the data of the event at `position` (one of `definitions`) to `value`, byte-level, with SQLite's `json_set`. */
export function setStoredDataField(
  db: Database.Database,
  definitions: readonly EventDefinition[],
  position: number,
  key: string,
  value: string | number,
): void {
  const row = db
    .prepare<[number], { type: string; schema_version: number; data: string }>(
      'SELECT type, schema_version, data FROM events WHERE position = ?',
    )
    .get(position);
  if (!row) throw new Error(`no event at position ${position}`);
  const definition = definitions.find((d) => d.type === row.type);
  const schema = definition && storedSchema(definition, row.schema_version);
  if (!schema) throw new Error(`no schema for ${row.type} v${row.schema_version}`);
  const path = row.data.startsWith('[') ? storedDataOf(schema).path(key) : `$.${key}`;
  if (!path) throw new Error(`${row.type} has no key ${key}`);
  db.prepare('UPDATE events SET data = json_set(data, ?, ?) WHERE position = ?').run(path, value, position);
}
