/**
 * The HTTP baselines, each a child process of the benchmark on 127.0.0.1 (any free port),
 * printing `listening <url>` when ready:
 *   bare BODY_FILE      → bare Hono on @hono/node-server answering every GET with the bytes of
 *                         BODY_FILE (the real server's answer, captured): the floor of a read;
 *   insert DB_PATH      → bare Hono whose every POST is one INSERT of an event-sized row into the
 *                         engine's `events` table in its own BEGIN IMMEDIATE transaction at
 *                         synchronous=FULL: the floor of a durable write.
 */
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import { openDatabase } from '../../core/database.ts';

const [mode, arg] = process.argv.slice(2);
const app = new Hono();

if (mode === 'bare') {
  const body = readFileSync(arg as string, 'utf8');
  app.get('*', (c) => c.body(body, 200, { 'content-type': 'application/json' }));
} else if (mode === 'insert') {
  openDatabase(arg as string, { synchronous: 'FULL' }).close();
  const db = new Database(arg as string);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const insert = db.prepare(
    'INSERT INTO events (position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  let position = 0;
  app.post('*', async (c) => {
    const data = await c.req.text();
    position += 1;
    db.transaction(() =>
      insert.run(position, `bench-${position % 50}`, position, crypto.randomUUID(), 'Bench', 1, data, '{}', Date.now()),
    ).immediate();
    return c.json({ position }, 200);
  });
} else {
  throw new Error(`usage: http-baseline.ts bare BODY_FILE | insert DB_PATH (got ${mode})`);
}

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  process.stdout.write(`listening http://127.0.0.1:${info.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
