/**
 * Deciders and the command runtime. A decider is pure: `decide(command, state)` returns
 * events, `evolve(state, event)` folds one in. Time and ids arrive inside the command, so the
 * same log always folds to the same state. `CommandHandler.handle` loads, decides and appends
 * with optimistic concurrency, retrying a bounded number of times when another writer won;
 * outside facts the decision needs are fetched for the loaded state inside that loop (`prepare`).
 */
import { canonicalJson, parseCanonicalJson, sha256Hex } from './canonical-json.ts';
import { ConcurrencyError } from './errors.ts';
import type { AppendResult, DomainEvent, EventMetadata, EventStore, ExpectedVersion, RecordedEvent } from './event-store.ts';

export interface Command {
  readonly type: string;
}

export interface Decider<C extends Command, S, E extends DomainEvent> {
  /** Names the decider in snapshots. */
  readonly name: string;
  initialState(): S;
  decide(command: C, state: S): readonly E[];
  evolve(state: S, event: RecordedEvent<E>): S;
  /** Store the folded state every `every` events; bump `version` when the state's shape changes. */
  readonly snapshot?: { readonly version: number; readonly every: number };
}

export interface CommandEnvelope<C extends Command, S = unknown> {
  readonly streamId: string;
  readonly command: C;
  /**
   * Completes the command with facts from outside (prices, rates) for the state it will be
   * decided on: called inside the retry loop after every load, so a retry after another
   * writer's append fetches them again for the new state. Must not write; may read anything.
   */
  readonly prepare?: (command: C, state: S) => C;
  readonly metadata?: EventMetadata;
  /** The same key with the same payload returns the first result and appends nothing. */
  readonly idempotencyKey?: string;
  /**
   * What the key's payload hash covers; defaults to the command. Handlers pass the client's
   * request here, because the command also holds the time the server added, which differs
   * between an original request and its retry.
   */
  readonly idempotencyPayload?: unknown;
}

export interface HandleResult<S, E extends DomainEvent> {
  readonly append: AppendResult;
  /** The events this command appended (or, for an idempotent repeat, the ones the first call appended). */
  readonly events: readonly RecordedEvent<E>[];
  /** The stream's state after the command. */
  readonly state: S;
}

export interface LoadedState<S> {
  readonly state: S;
  readonly version: number;
}

export interface CommandHandlerOptions {
  /** Re-decide at most this many times after a ConcurrencyError (default 3). */
  readonly maxRetries?: number;
  /**
   * Streams whose folded state is kept in memory (least recently used first out; default
   * 10,000; 0 turns it off). A cached state only saves reading and folding the events it
   * already holds: every load still reads the events after it, so another process's appends
   * are always seen, and the append's expected version guards the rest. It relies on
   * `evolve` returning a new state rather than changing the one it is given.
   */
  readonly cacheSize?: number;
}

/**
 * A cached state; `vouched` when it can only be undone by a rollback the store hears of: it was
 * remembered outside any transaction (committed) or inside a reported one (`EventStore.inReportedTransaction`).
 */
interface Cached<S> extends LoadedState<S> {
  readonly vouched: boolean;
}

export class CommandHandler<C extends Command, S, E extends DomainEvent> {
  private readonly cache = new Map<string, Cached<S>>();
  private readonly cacheSize: number;
  /** The store's rollback count the cache was filled under (see `EventStore.rollbacks`). */
  private cacheRollbacks = 0;

  constructor(
    private readonly store: EventStore,
    readonly decider: Decider<C, S, E>,
    private readonly options: CommandHandlerOptions = {},
  ) {
    this.cacheSize = options.cacheSize ?? 10_000;
  }

  /** Folds a stream (from the cache or its snapshot when there is one), optionally up to a global position. */
  load(streamId: string, toPosition?: number): LoadedState<S> {
    return this.loadVouched(streamId, toPosition).loaded;
  }

  /**
   * `load`, saying whether the version it found is the file's: true unless it came from a cached
   * state that an unreported rollback could have undone (then only the append's check can tell).
   */
  private loadVouched(streamId: string, toPosition?: number): { loaded: LoadedState<S>; vouched: boolean } {
    if (this.store.rollbacks !== this.cacheRollbacks) {
      this.cache.clear();
      this.cacheRollbacks = this.store.rollbacks;
    }
    const cached = toPosition === undefined ? this.cache.get(streamId) : undefined;
    const base = toPosition === undefined ? (cached ?? this.readSnapshot(streamId)) : undefined;
    const loaded = this.fold(
      base ?? { state: this.decider.initialState(), version: 0 },
      this.store.readStream(streamId, {
        fromVersion: (base?.version ?? 0) + 1,
        ...(toPosition === undefined ? {} : { toPosition }),
      }) as RecordedEvent<E>[],
    );
    if (toPosition === undefined) this.remember(streamId, loaded);
    return { loaded, vouched: cached?.vouched ?? true };
  }

  private fold(from: LoadedState<S>, events: readonly RecordedEvent<E>[]): LoadedState<S> {
    let { state, version } = from;
    for (const event of events) {
      state = this.decider.evolve(state, event);
      version = event.streamVersion;
    }
    return { state, version };
  }

  private remember(streamId: string, loaded: LoadedState<S>): void {
    if (this.cacheSize === 0) return;
    this.cache.delete(streamId);
    this.cache.set(streamId, { ...loaded, vouched: !this.store.db.inTransaction || this.store.inReportedTransaction });
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
  }

  /**
   * Loads, decides and appends. Outside a transaction the append checks the version it was
   * given, and a ConcurrencyError (another writer, perhaps another process, got in between)
   * re-decides. Inside a reported transaction (a group commit's), the idempotency lookup and the
   * load hold the write lock's view, so the append takes them as given: one stream read per command.
   */
  handle(envelope: CommandEnvelope<C, S>): HandleResult<S, E> {
    const { streamId, command, idempotencyKey } = envelope;
    const reported = this.store.inReportedTransaction;
    const metadata: EventMetadata = {
      ...envelope.metadata,
      commandName: command.type,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    };
    const idempotency =
      idempotencyKey === undefined
        ? undefined
        : { key: idempotencyKey, payloadHash: sha256Hex(canonicalJson({ streamId, payload: envelope.idempotencyPayload ?? command })) };
    // A repeat is answered from the record, not re-decided: the state may have moved on since.
    const earlier = idempotency && this.store.idempotentResult(idempotency.key, idempotency.payloadHash);
    if (earlier) return this.replayed(streamId, earlier);
    const maxRetries = this.options.maxRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const { loaded, vouched } = this.loadVouched(streamId);
      const events = this.decider.decide(envelope.prepare ? envelope.prepare(command, loaded.state) : command, loaded.state);
      const expectedVersion: ExpectedVersion = loaded.version === 0 ? 'no_stream' : loaded.version;
      try {
        const append = this.store.append(streamId, events, {
          expectedVersion,
          metadata,
          ...(idempotency ? { idempotency } : {}),
          ...(reported && vouched ? { versionReadInTransaction: true } : {}),
        });
        if (append.duplicate) return this.replayed(streamId, append);
        const recorded = append.events as readonly RecordedEvent<E>[];
        const after = this.fold(loaded, recorded);
        this.remember(streamId, after);
        this.maybeSnapshot(streamId, loaded.version, after.state, after.version);
        return { append, events: recorded, state: after.state };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= maxRetries) throw error;
        // Another writer moved the stream (or the cache is ahead of a rolled-back write): reload.
        this.cache.delete(streamId);
      }
    }
  }

  /** An idempotent repeat: return what the first call appended and the stream's state now. */
  private replayed(streamId: string, append: AppendResult): HandleResult<S, E> {
    return { append, events: append.events as readonly RecordedEvent<E>[], state: this.load(streamId).state };
  }

  private readSnapshot(streamId: string): LoadedState<S> | undefined {
    const spec = this.decider.snapshot;
    if (!spec) return undefined;
    const row = this.snapshotSql().read.get(streamId, this.decider.name);
    if (!row || row.snapshot_version !== spec.version) return undefined;
    return { state: parseCanonicalJson(row.state) as S, version: row.stream_version };
  }

  /** Writes a snapshot when the append crossed a multiple of `every`. */
  private maybeSnapshot(streamId: string, before: number, state: S, after: number): void {
    const spec = this.decider.snapshot;
    if (!spec || Math.floor(after / spec.every) === Math.floor(before / spec.every)) return;
    this.snapshotSql().write.run(streamId, this.decider.name, spec.version, after, canonicalJson(state));
  }

  private snapshotStatements?: ReturnType<typeof prepareSnapshotSql>;
  private snapshotSql(): ReturnType<typeof prepareSnapshotSql> {
    this.snapshotStatements ??= prepareSnapshotSql(this.store);
    return this.snapshotStatements;
  }
}

function prepareSnapshotSql(store: EventStore) {
  return {
    read: store.db.prepare<[string, string], { snapshot_version: number; stream_version: number; state: string }>(
      'SELECT snapshot_version, stream_version, state FROM snapshots WHERE stream_id = ? AND decider = ?',
    ),
    // A snapshot only ever moves forward: a slower writer never replaces a newer one.
    write: store.db.prepare<[string, string, number, number, string]>(
      `INSERT INTO snapshots (stream_id, decider, snapshot_version, stream_version, state) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (stream_id, decider) DO UPDATE SET snapshot_version = excluded.snapshot_version,
         stream_version = excluded.stream_version, state = excluded.state
       WHERE excluded.stream_version > snapshots.stream_version`,
    ),
  };
}
