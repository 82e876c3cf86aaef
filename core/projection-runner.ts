/**
 * Runs projections against a store: creates their tables, keeps inline projections inside
 * every append's transaction, catches async projections up from their checkpoints, and
 * reports status. Every checkpoint write is guarded by the position it expects, so two
 * processes (a server and an operator's rebuild, say) can never apply an event twice.
 */
import { readCheckpoint, writeCheckpoint } from './checkpoints.ts';
import type { EventStore, RecordedEvent } from './event-store.ts';
import { countRows, createIndexes, createTable, liveNames, type ProjectionDefinition, type ProjectionHandler } from './projection.ts';
import { type ProgressFn, rebuildProjections } from './projection-rebuild.ts';

export interface ProjectionStatus {
  readonly name: string;
  readonly mode: 'inline' | 'async';
  readonly version: number;
  readonly storedVersion: number | null;
  readonly checkpoint: number;
  readonly head: number;
  readonly lag: number;
  readonly rows: Readonly<Record<string, number>>;
}

export class ProjectionRunner {
  private readonly handlers = new Map<string, { apply: ProjectionHandler; types: ReadonlySet<string> }>();
  private readonly advance;
  private readonly advanceAll;

  constructor(
    readonly store: EventStore,
    readonly definitions: readonly ProjectionDefinition[],
  ) {
    const seen = new Set<string>();
    for (const d of definitions) {
      if (seen.has(d.name)) throw new Error(`projection ${d.name} is registered twice`);
      seen.add(d.name);
    }
    this.advance = store.db.prepare<[number, string, number]>(
      'UPDATE projection_checkpoints SET position = ? WHERE name = ? AND position = ?',
    );
    // The names are bound as a list, not passed as one JSON array to json_each: SQLite then probes
    // the primary key with a ready list instead of parsing JSON on every append (a third of the time).
    const inlineNames = definitions.filter((d) => d.mode === 'inline').map((d) => d.name);
    const all = store.db.prepare<[number, number, ...string[]]>(
      `UPDATE projection_checkpoints SET position = ? WHERE position = ? AND name IN (${inlineNames.map(() => '?').join(', ') || 'NULL'})`,
    );
    this.advanceAll = { run: (to: number, from: number) => all.run(to, from, ...inlineNames) };
  }

  definition(name: string): ProjectionDefinition {
    const d = this.definitions.find((p) => p.name === name);
    if (!d) throw new Error(`unknown projection ${name} (known: ${this.definitions.map((p) => p.name).join(', ')})`);
    return d;
  }

  /**
   * Makes every projection usable: creates missing tables, rebuilds (in one pass over the log)
   * those whose version changed or that are new over a non-empty log, brings inline ones up to
   * the head and hooks them into appends.
   */
  start(onProgress?: ProgressFn): void {
    const db = this.store.db;
    const logIsEmpty = this.store.headPosition() === 0;
    const stale = this.definitions.filter((p) => {
      const cp = readCheckpoint(db, p.name);
      if (cp) return cp.version !== p.version;
      if (!logIsEmpty) return true; // a new projection over an existing log: build it from the log
      this.store.transaction(() => {
        for (const t of p.tables) {
          createTable(db, t, t.name);
          createIndexes(db, t, t.name, 1);
        }
        writeCheckpoint(db, p.name, { version: p.version, position: 0, generation: 1 });
      });
      return false;
    });
    if (stale.length > 0) rebuildProjections(this.store, stale, onProgress ? { onProgress } : {});
    for (const p of this.definitions) this.handlers.set(p.name, { apply: p.bind(db, liveNames(p)), types: new Set(p.eventTypes) });
    for (const p of this.definitions) if (p.mode === 'inline') this.catchUp(p.name);
    const inline = this.definitions.filter((p) => p.mode === 'inline');
    if (inline.length > 0) this.store.onAppend((events) => this.applyInline(inline, events));
  }

  /**
   * Applies an append's events to the inline projections and moves their checkpoints to its last
   * position — in one statement for all of them when none has a gap (the usual case: one UPDATE
   * per append instead of one per projection); a projection behind (someone appended without it
   * loaded) first gets the gap applied, in the same transaction.
   */
  private applyInline(inline: readonly ProjectionDefinition[], events: readonly RecordedEvent[]): void {
    const first = (events[0] as RecordedEvent).position;
    const last = (events[events.length - 1] as RecordedEvent).position;
    const allAdvanced = this.advanceAll.run(last, first - 1).changes === inline.length;
    for (const p of inline) {
      const { apply, types } = this.handler(p.name);
      if (!allAdvanced && this.advance.run(last, p.name, first - 1).changes === 0) {
        const cp = readCheckpoint(this.store.db, p.name)?.position ?? 0;
        if (cp !== last) {
          // Someone appended without this projection loaded: apply the gap first, same transaction.
          for (const e of this.store.readAll({ after: cp, to: first - 1, types: p.eventTypes })) apply(e);
          this.advance.run(last, p.name, cp);
        }
      }
      for (const e of events) if (types.has(e.type)) apply(e);
    }
  }

  private handler(name: string): { apply: ProjectionHandler; types: ReadonlySet<string> } {
    const h = this.handlers.get(name);
    if (!h) throw new Error(`projection ${name} is not started`);
    return h;
  }

  /**
   * Applies the events after the checkpoint in batches; each batch and its checkpoint commit
   * together, so a crash between them loses nothing and applies nothing twice.
   * Returns the number of events applied.
   */
  catchUp(name: string, options: { batchSize?: number; onProgress?: ProgressFn } = {}): number {
    const p = this.definition(name);
    const { apply } = this.handler(name);
    const db = this.store.db;
    const head = this.store.headPosition();
    let applied = 0;
    let from = readCheckpoint(db, name)?.position ?? 0;
    for (const batch of this.store.readAllBatches({ after: from, to: head, types: p.eventTypes, batchSize: options.batchSize ?? 1000 })) {
      const to = (batch[batch.length - 1] as RecordedEvent).position;
      const moved = this.store.transaction(() => {
        if (this.advance.run(to, name, from).changes === 0) return false;
        for (const e of batch) apply(e);
        return true;
      });
      if (!moved) return applied; // another process moved the checkpoint (a rebuild): stop, nothing applied
      applied += batch.length;
      from = to;
      options.onProgress?.(to, head);
    }
    if (from < head) this.store.transaction(() => this.advance.run(head, name, from));
    return applied;
  }

  /** Catches every async projection up; returns the events applied. */
  catchUpAll(): number {
    let n = 0;
    for (const p of this.definitions) if (p.mode === 'async') n += this.catchUp(p.name);
    return n;
  }

  /** Each projection's lag behind the head in events, from its checkpoint alone (no table is counted: cheap enough per request). */
  lags(): { name: string; mode: 'inline' | 'async'; lag: number }[] {
    const head = this.store.headPosition();
    return this.definitions.map((p) => ({
      name: p.name,
      mode: p.mode,
      lag: head - (readCheckpoint(this.store.db, p.name)?.position ?? 0),
    }));
  }

  status(): ProjectionStatus[] {
    const db = this.store.db;
    const head = this.store.headPosition();
    return this.definitions.map((p) => {
      const cp = readCheckpoint(db, p.name);
      const position = cp?.position ?? 0;
      return {
        name: p.name,
        mode: p.mode,
        version: p.version,
        storedVersion: cp?.version ?? null,
        checkpoint: position,
        head,
        lag: head - position,
        rows: cp ? Object.fromEntries(p.tables.map((t) => [t.name, countRows(db, t.name)])) : {},
      };
    });
  }
}
