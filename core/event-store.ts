/**
 * The event store: one SQLite table of typed events with a gap-free global position and a
 * contiguous version per stream. Appends are transactions that check the expected version,
 * honour idempotency, hash every event into the ledger's Merkle tree (core/merkle-log.ts) and
 * run the inline hooks (projections) before they commit.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { type Clock, type IdSource, systemClock, timeOrderedIds } from './clock.ts';
import { type Db, type OpenOptions, openDatabase } from './database.ts';
import { ClashError, ConcurrencyError, CorruptEventError, IdempotencyConflict, ValidationError } from './errors.ts';
import { EVENT_ROW_COLUMNS, eventIdText, type RawEventRow, type StoredEventRow, storedEventId } from './event-leaf.ts';
import type { EventRegistry } from './event-registry.ts';
import { MerkleLog } from './merkle-log.ts';
import { BOUND_LIMIT } from './statements.ts';
import { decodeMetadata, encodeMetadata } from './stored-metadata.ts';

/**
 * Event metadata: string keys to string values. The engine writes `commandName` and
 * `idempotencyKey`; callers add `correlationId`, `causationId` and `actor` (who acted).
 */
export const zEventMetadata = z.record(z.string().min(1).max(100), z.string().max(2000));
export type EventMetadata = Readonly<Record<string, string>>;

/** An event as a decider emits it: a type and its in-memory data. */
export interface DomainEvent {
  readonly type: string;
  readonly data: unknown;
}

export interface EventEnvelope {
  readonly position: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly eventId: string;
  /** The schema version the row was stored under (data has been upcast to the current one). */
  readonly schemaVersion: number;
  readonly metadata: EventMetadata;
  /** Milliseconds since the epoch; non-decreasing along the global position. */
  readonly recordedAt: number;
}

export type RecordedEvent<E extends DomainEvent = DomainEvent> = E & EventEnvelope;

export interface NewEvent extends DomainEvent {
  /** A client-chosen id makes the append idempotent: the same id again returns the first result. */
  readonly id?: string;
  readonly metadata?: EventMetadata;
}

export type ExpectedVersion = 'no_stream' | 'stream_exists' | 'any' | number;

export interface AppendOptions {
  expectedVersion?: ExpectedVersion;
  /** Merged into every event's metadata. */
  metadata?: EventMetadata;
  /** A command's idempotency key and the hash of its payload. */
  idempotency?: { key: string; payloadHash: string };
  /**
   * The caller read the stream at `expectedVersion` (a number, or `no_stream` for none) — and,
   * with `idempotency`, looked the key up — inside the reported transaction this append joins
   * (`inReportedTransaction`): it holds the write lock, so nobody can have written since, and the
   * append takes both as given instead of reading them again (one stream read per command, issue
   * 17). Honoured only inside a reported transaction; anywhere else the append checks as usual.
   */
  versionReadInTransaction?: boolean;
}

export interface AppendResult {
  readonly streamId: string;
  /** The stream's version after the append: pass it as the next expected version. */
  readonly nextExpectedVersion: number;
  readonly positions: readonly number[];
  readonly eventIds: readonly string[];
  /** True when nothing was written because this append (event ids or idempotency key) happened before. */
  readonly duplicate: boolean;
  /** The events as readers see them (for a duplicate: the ones the first append wrote). */
  readonly events: readonly RecordedEvent[];
}

/** What an append returns besides its events. */
type StoredAppend = Omit<AppendResult, 'duplicate' | 'events'>;

/** An idempotency row as stored (core/database.ts, schema 3). */
interface IdempotencyRow {
  payload_hash: string | Buffer;
  /** Null when the append wrote events: the stream is the first event's. */
  stream_id: string | null;
  next_version: number;
  first_position: number;
  count: number;
}

/** A payload hash as stored: a hex SHA-256 as its 32 bytes, anything else as its text. */
const storedPayloadHash = (hash: string): string | Buffer => (/^[0-9a-f]{64}$/.test(hash) ? Buffer.from(hash, 'hex') : hash);
const samePayloadHash = (stored: string | Buffer, hash: string) => {
  const mine = storedPayloadHash(hash);
  return typeof stored === 'string' || typeof mine === 'string' ? stored === mine : stored.equals(mine);
};

/** Runs inside the append's transaction; throwing rolls the append back. */
export type AppendHook = (events: readonly RecordedEvent[]) => void;

/** Told after every committed append: how many events it wrote and how long the transaction took, in ms (metrics). */
export type AppendObserver = (events: number, ms: number) => void;

export interface EventStoreOptions extends OpenOptions {
  registry: EventRegistry;
  clock?: Clock;
  ids?: IdSource;
}

export interface ReadAllOptions {
  /** Read events with position > after (default 0: from the start). */
  after?: number;
  /** Read events with position ≤ to (default: the head when the read starts). */
  to?: number;
  batchSize?: number;
  /** Only these event types (filtered in SQL, so skipped rows cost no decoding). */
  types?: readonly string[];
}

const STREAM_ID = z.string().min(1).max(200);

export class EventStore {
  readonly db: Db;
  readonly registry: EventRegistry;
  /** The Merkle tree over the log: leaf hashes written with each append, roots and proofs. */
  readonly merkle: MerkleLog;
  private readonly clock: Clock;
  private readonly ids: IdSource;
  private readonly hooks: AppendHook[] = [];
  private readonly observers: AppendObserver[] = [];
  private readonly sql;
  private firstCorruption: CorruptEventError | null = null;
  /** Prepared on first use: a read-only open of a schema-2 file (older idempotency columns) never needs them. */
  private idempotencySql?: { get: Database.Statement<[string], IdempotencyRow>; put: Database.Statement };
  /** True when the file stores UUID event ids as 16 bytes (created at schema 3, core/database.ts). */
  private readonly blobIds: boolean;
  /**
   * better-sqlite3 transaction functions, made once: `db.transaction` builds four wrappers per
   * call, which an append and a run's `transaction` paid every time. BEGIN IMMEDIATE, or a
   * savepoint inside an open transaction.
   */
  private readonly tx: {
    plain: <T>(work: () => T) => T;
    reported: <T>(work: () => T) => T;
  };

  static open(path: string, options: EventStoreOptions): EventStore {
    return new EventStore(openDatabase(path, options), options);
  }

  constructor(db: Db, options: Omit<EventStoreOptions, keyof OpenOptions>) {
    this.db = db;
    this.registry = options.registry;
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? timeOrderedIds;
    this.merkle = new MerkleLog(db);
    this.blobIds = db.prepare("SELECT type FROM pragma_table_info('events') WHERE name = 'event_id'").pluck().get() === 'ANY';
    // A ledger written before the Merkle tree existed is hashed once, here (doc/ledger-integrity.md).
    if (!db.readonly) this.merkle.backfill();
    this.sql = {
      streamVersion: db.prepare<[string], { v: number | null }>('SELECT max(stream_version) AS v FROM events WHERE stream_id = ?'),
      head: db.prepare<[], { position: number; recorded_at: number; leaf: Buffer | null }>(
        'SELECT position, recorded_at, leaf FROM events ORDER BY position DESC LIMIT 1',
      ),
      insert: db.prepare(`INSERT INTO events (${EVENT_ROW_COLUMNS}, leaf) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      byEventId: db.prepare<[string | Buffer], { position: number; stream_id: string; stream_version: number }>(
        'SELECT position, stream_id, stream_version FROM events WHERE event_id = ?',
      ),
      stream: db
        .prepare<[string, number, number, number]>(
          `SELECT ${EVENT_ROW_COLUMNS} FROM events WHERE stream_id = ? AND stream_version >= ? AND position <= ? ORDER BY stream_version LIMIT ${BOUND_LIMIT}`,
        )
        .raw(),
      recordedAt: db.prepare<[number], { recorded_at: number }>('SELECT recorded_at FROM events WHERE position = ?'),
      changes: db.prepare<[], number>('SELECT total_changes()').pluck(),
    };
    this.tx = {
      plain: db.transaction((work: () => unknown) => work()).immediate as <T>(work: () => T) => T,
      reported: db.transaction((work: () => unknown) => this.reporting(work)).immediate as <T>(work: () => T) => T,
    };
  }

  /**
   * How many times appended work was rolled back after it ran (a group commit's savepoint or
   * failed COMMIT, `core/group-commit.ts`). Command handlers compare it with what they saw and
   * drop their state caches when it moved, so a cache never holds what the file does not.
   */
  get rollbacks(): number {
    return this.rollbackCount;
  }
  private rollbackCount = 0;

  /** Records that appended work was rolled back after it ran (see `rollbacks`). */
  noteRollback(): void {
    this.rollbackCount += 1;
  }

  #reporting = 0;

  /**
   * True while work runs inside a reported transaction: one whose every rollback of written work
   * the store hears of (`noteRollback`) — `transaction()` when it opens the transaction, and a
   * group commit's (core/group-commit.ts). What a command handler reads in one is the file's
   * state until the transaction ends, so an append may trust it (`versionReadInTransaction`).
   */
  get inReportedTransaction(): boolean {
    return this.#reporting > 0 && this.db.inTransaction;
  }

  /**
   * Runs `work` as part of a reported transaction. The caller opened that transaction (it is
   * the outermost) and calls `noteRollback` whenever written work of it is rolled back.
   */
  reporting<T>(work: () => T): T {
    this.#reporting += 1;
    try {
      return work();
    } finally {
      this.#reporting -= 1;
    }
  }

  /** Registers a hook that runs inside every append transaction (inline projections). */
  onAppend(hook: AppendHook): void {
    this.hooks.push(hook);
  }

  /** Registers an observer told after each committed append (outside the transaction). */
  observeAppends(observer: AppendObserver): void {
    this.observers.push(observer);
  }

  /**
   * Appends events to one stream atomically. Validation happens before the transaction, so a
   * bad event appends nothing; a version mismatch is a ConcurrencyError and appends nothing.
   */
  append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): AppendResult {
    const sid = STREAM_ID.safeParse(streamId);
    if (!sid.success) throw new ValidationError('append', [{ path: 'streamId', message: sid.error.issues[0]?.message ?? 'invalid' }]);
    const shared = validMetadata(options.metadata ?? {}, 'metadata');
    const sharedJson = encodeMetadata(shared);
    const prepared = events.map((e, i) => {
      const { version, json, data } = this.registry.encode(e.type, e.data);
      const metadata = e.metadata ? validMetadata({ ...shared, ...e.metadata }, `events.${i}.metadata`) : shared;
      const metadataJson = e.metadata ? encodeMetadata(metadata) : sharedJson;
      return { type: e.type, version, json, data, metadata, metadataJson, id: e.id ?? this.ids.next(), clientId: e.id !== undefined };
    });
    const trusted =
      options.versionReadInTransaction === true &&
      (options.expectedVersion === 'no_stream' || typeof options.expectedVersion === 'number') &&
      this.inReportedTransaction;
    try {
      const started = performance.now();
      const append = () => this.appendInTransaction(streamId, prepared, options, trusted);
      // In an all-or-nothing transaction a failure rolls everything back, so the append needs no
      // savepoint of its own — unless client event ids may make it answer a duplicate and go on (below).
      const bare = this.#allOrNothing > 0 && !prepared.some((p) => p.clientId);
      const result = bare ? append() : this.tx.plain(append);
      if (!result.duplicate) for (const observe of this.observers) observe(result.positions.length, performance.now() - started);
      return result;
    } catch (error) {
      if (prepared.some((p) => p.clientId) && isDuplicateCandidate(error)) {
        const earlier = this.findEarlierAppend(
          streamId,
          prepared.map((p) => p.id),
        );
        if (earlier) return earlier;
      }
      throw error;
    }
  }

  /**
   * The recorded result of an earlier command with this idempotency key, if there is one;
   * IdempotencyConflict when the key was used with another payload.
   */
  idempotentResult(key: string, payloadHash: string): AppendResult | undefined {
    const row = this.idempotency().get.get(key);
    if (!row) return undefined;
    if (!samePayloadHash(row.payload_hash, payloadHash)) throw new IdempotencyConflict(key);
    const positions = Array.from({ length: row.count }, (_, i) => row.first_position + i);
    const events = this.readPositions(positions);
    return {
      streamId: row.stream_id ?? events[0]?.streamId ?? '',
      nextExpectedVersion: row.next_version,
      positions,
      eventIds: events.map((e) => e.eventId),
      duplicate: true,
      events,
    };
  }

  private idempotency() {
    this.idempotencySql ??= {
      get: this.db.prepare<[string], IdempotencyRow>(
        'SELECT payload_hash, stream_id, next_version, first_position, count FROM idempotency_keys WHERE key = ?',
      ),
      put: this.db.prepare(
        'INSERT INTO idempotency_keys (key, payload_hash, stream_id, next_version, first_position, count) VALUES (?, ?, ?, ?, ?, ?)',
      ),
    };
    return this.idempotencySql;
  }

  /** The events at these positions (which one append wrote, so they are contiguous). */
  private readPositions(positions: readonly number[]): RecordedEvent[] {
    const first = positions[0];
    const last = positions[positions.length - 1];
    return first === undefined || last === undefined ? [] : [...this.readAll({ after: first - 1, to: last })];
  }

  private appendInTransaction(
    streamId: string,
    prepared: readonly {
      type: string;
      version: number;
      json: string;
      data: unknown;
      metadata: EventMetadata;
      metadataJson: string;
      id: string;
    }[],
    options: AppendOptions,
    trusted: boolean,
  ): AppendResult {
    const { idempotency } = options;
    let current: number;
    if (trusted) {
      // Read by the caller in this same write transaction (`versionReadInTransaction`).
      current = options.expectedVersion === 'no_stream' ? 0 : (options.expectedVersion as number);
    } else {
      const earlier = idempotency && this.idempotentResult(idempotency.key, idempotency.payloadHash);
      if (earlier) return earlier;
      current = this.sql.streamVersion.get(streamId)?.v ?? 0;
      checkExpected(streamId, options.expectedVersion ?? 'any', current);
    }
    const head = this.sql.head.get();
    const position = head?.position ?? 0;
    const recordedAt = Math.max(this.clock.now(), head?.recorded_at ?? 0);
    const rows: StoredEventRow[] = prepared.map((p, i) => ({
      position: position + i + 1,
      streamId,
      streamVersion: current + i + 1,
      eventId: p.id,
      type: p.type,
      schemaVersion: p.version,
      data: p.json,
      metadata: p.metadataJson,
      recordedAt,
    }));
    // The Merkle leaves are computed before the rows go in, and stored in them (core/merkle-log.ts).
    const leaves = this.merkle.leavesFor(rows, head);
    const recorded: RecordedEvent[] = rows.map((row, i) => {
      const p = prepared[i] as (typeof prepared)[number];
      const { position: at, streamVersion, eventId, type, schemaVersion } = row;
      const storedId = this.blobIds ? storedEventId(eventId) : eventId;
      this.sql.insert.run(at, streamId, streamVersion, storedId, type, schemaVersion, p.json, p.metadataJson, recordedAt, leaves[i]);
      return { position: at, streamId, streamVersion, eventId, type, schemaVersion, data: p.data, metadata: p.metadata, recordedAt };
    });
    if (recorded.length > 0) for (const hook of this.hooks) hook(recorded);
    const stored: StoredAppend = {
      streamId,
      nextExpectedVersion: current + prepared.length,
      positions: recorded.map((e) => e.position),
      eventIds: recorded.map((e) => e.eventId),
    };
    if (idempotency) {
      const { key, payloadHash } = idempotency;
      const count = stored.positions.length;
      const streamOrNull = count > 0 ? null : streamId;
      this.idempotency().put.run(
        key,
        storedPayloadHash(payloadHash),
        streamOrNull,
        stored.nextExpectedVersion,
        stored.positions[0] ?? 0,
        count,
      );
    }
    return { ...stored, duplicate: false, events: recorded };
  }

  /** The result of an earlier append of exactly these event ids to this stream, if there was one. */
  private findEarlierAppend(streamId: string, eventIds: readonly string[]): AppendResult | undefined {
    const rows = eventIds.map((id) => this.sql.byEventId.get(this.blobIds ? storedEventId(id) : id));
    if (rows.every((r) => r === undefined)) return undefined;
    const ok = rows.every((r, i) => r && r.stream_id === streamId && r.stream_version === (rows[0]?.stream_version ?? 0) + i);
    if (!ok) {
      throw new ClashError('duplicate_event_id', 'conflict', 'some of these event ids were already appended elsewhere', { streamId });
    }
    const positions = rows.map((r) => (r as { position: number }).position);
    return {
      streamId,
      nextExpectedVersion: this.streamVersion(streamId),
      positions,
      eventIds,
      duplicate: true,
      events: this.readPositions(positions),
    };
  }

  /** The stream's current version (0 when it does not exist). */
  streamVersion(streamId: string): number {
    return this.sql.streamVersion.get(streamId)?.v ?? 0;
  }

  /** The global position of the last event (0 for an empty store). */
  headPosition(): number {
    return this.sql.head.get()?.position ?? 0;
  }

  /** Events of one stream from `fromVersion` on, optionally only those at or before a global position. */
  readStream(streamId: string, options: { fromVersion?: number; toPosition?: number; maxCount?: number } = {}): RecordedEvent[] {
    const rows = this.sql.stream.all(
      streamId,
      options.fromVersion ?? 1,
      options.toPosition ?? Number.MAX_SAFE_INTEGER,
      options.maxCount ?? -1,
    ) as RawEventRow[];
    return rows.map((r) => this.decodeRow(r));
  }

  /**
   * The whole log in position order, fetched in batches so memory stays bounded. The caller may
   * write between batches (each batch is fully read before it is yielded).
   */
  *readAll(options: ReadAllOptions = {}): Generator<RecordedEvent> {
    for (const batch of this.readAllBatches(options)) yield* batch;
  }

  *readAllBatches(options: ReadAllOptions = {}): Generator<RecordedEvent[]> {
    const to = options.to ?? this.headPosition();
    const batchSize = options.batchSize ?? 1000;
    const filter = options.types ? `AND type IN (${options.types.map(() => '?').join(',')})` : '';
    const stmt = this.db
      .prepare(
        `SELECT ${EVENT_ROW_COLUMNS} FROM events WHERE position > ? AND position <= ? ${filter} ORDER BY position LIMIT ${BOUND_LIMIT}`,
      )
      .raw();
    let after = options.after ?? 0;
    while (after < to) {
      const rows = stmt.all(after, to, ...(options.types ?? []), batchSize) as RawEventRow[];
      if (rows.length === 0) return;
      yield rows.map((r) => this.decodeRow(r));
      after = (rows[rows.length - 1] as RawEventRow)[0];
    }
  }

  /** The last position recorded at or before `ms` (0 if none): a binary search, as recorded_at never decreases. */
  positionAt(ms: number): number {
    let lo = 0;
    let hi = this.headPosition();
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      const at = this.sql.recordedAt.get(mid)?.recorded_at ?? Number.POSITIVE_INFINITY;
      if (at <= ms) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Above 0 while `fn` of an all-or-nothing `transaction` runs (see there). */
  #allOrNothing = 0;

  /**
   * Runs `fn` in one write transaction (BEGIN IMMEDIATE; a savepoint inside an open one). When it
   * opens the transaction, or joins a reported one, the transaction is reported
   * (`inReportedTransaction`): if `fn` throws after writing, the rollback is noted.
   *
   * `allOrNothing` (honoured only when this call opens the transaction): the caller lets every
   * error out of `fn`, so any failure rolls the whole transaction back — then appends inside
   * it skip their own savepoint (SAVEPOINT, the pre-images of every page they change, RELEASE:
   * about a tenth of a decision run's CPU, doc/benchmarks.md). Code in `fn` that catches an
   * append's error and goes on must wrap that append in a nested `transaction()` (a savepoint).
   */
  transaction<T>(fn: () => T, options: { readonly allOrNothing?: boolean } = {}): T {
    if (this.db.inTransaction && !this.inReportedTransaction) return this.tx.plain(fn);
    const allOrNothing = options.allOrNothing === true && !this.db.inTransaction;
    const before = this.sql.changes.get();
    if (allOrNothing) this.#allOrNothing += 1;
    try {
      return this.tx.reported(fn);
    } catch (error) {
      if (this.sql.changes.get() !== before) this.noteRollback();
      throw error;
    } finally {
      if (allOrNothing) this.#allOrNothing -= 1;
    }
  }

  /**
   * A stored row as an event (data upcast and validated). A row that cannot be read back throws
   * `CorruptEventError` naming its position, stream and type, and is remembered in
   * `corruption` (the first one this process met) for the health report.
   */
  decodeRow(row: RawEventRow): RecordedEvent {
    const [position, streamId, streamVersion, eventId, type, schemaVersion, data, metadata, recordedAt] = row;
    try {
      return {
        position,
        streamId,
        streamVersion,
        eventId: eventIdText(eventId),
        type,
        schemaVersion,
        data: this.registry.decode(type, schemaVersion, data),
        metadata: decodeMetadata(metadata),
        recordedAt,
      };
    } catch (error) {
      const corrupt = new CorruptEventError(position, streamId, type, error instanceof Error ? error.message : String(error));
      this.firstCorruption ??= corrupt;
      throw corrupt;
    }
  }

  /** The first corrupt event row this store met while reading, or `null`. */
  get corruption(): CorruptEventError | null {
    return this.firstCorruption;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function validMetadata(metadata: Record<string, string>, path: string): EventMetadata {
  const result = zEventMetadata.safeParse(metadata);
  if (!result.success) throw new ValidationError('append', [{ path, message: result.error.issues[0]?.message ?? 'invalid' }]);
  return result.data;
}

function checkExpected(streamId: string, expected: ExpectedVersion, actual: number): void {
  const ok =
    expected === 'any' || (expected === 'no_stream' && actual === 0) || (expected === 'stream_exists' && actual > 0) || expected === actual;
  if (!ok) throw new ConcurrencyError(streamId, expected, actual);
}

function isDuplicateCandidate(error: unknown): boolean {
  if (error instanceof ConcurrencyError) return true;
  const e = error as { code?: string; message?: string } | null;
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' && (e.message ?? '').includes('events.event_id');
}

export type { Database };
