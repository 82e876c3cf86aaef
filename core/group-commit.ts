/**
 * Group commit: durable commands that arrive together share one write transaction and so one
 * COMMIT (one WAL fsync at `synchronous=FULL`), the way databases amortize their log flush.
 *
 * Each command runs in its own savepoint inside the shared transaction (better-sqlite3 turns a
 * nested `db.transaction` into SAVEPOINT/RELEASE), so one command's refusal or failure rolls back
 * only that command. Every caller's promise settles only after the shared COMMIT has returned:
 * no answer precedes durability. If the COMMIT itself fails, every command of the group is
 * rejected with that error and nothing of the group is in the file.
 *
 * When to close a group: callers announce themselves with `enter()` as soon as a request starts
 * (before its body is read), so the committer knows how many commands are on their way. A group
 * closes when every announced caller has queued its command (zero wait for a lone request), when
 * it reaches `maxBatch` commands, or `maxWaitMs` after its first command (a slow client cannot
 * hold the others). The work itself is synchronous (better-sqlite3), so a group runs start to
 * end without interleaving with anything else on this connection.
 */
import type { Db } from './database.ts';

/** Limits of one group. */
export interface GroupCommitOptions {
  /** Most commands in one transaction (≥ 1). */
  readonly maxBatch: number;
  /** Longest a queued command waits for announced callers that have not queued yet, in ms (≥ 0). */
  readonly maxWaitMs: number;
}

interface Queued {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Who hears of a group's rollbacks: the event store (`EventStore.noteRollback`,
 * `EventStore.reporting`). Because every rollback of written work is told, each command runs in a
 * reported transaction, where an append may trust the stream version its handler just read.
 */
export interface RollbackListener {
  /** Called after a group in which work that had written was rolled back. */
  noteRollback(): void;
  /** Runs one command's work as part of the group's reported transaction. */
  reporting<T>(work: () => T): T;
}

const unheard: RollbackListener = { noteRollback: () => {}, reporting: (work) => work() };

/** Counts of what the committer has done, for metrics and benchmarks. */
export interface GroupCommitStats {
  groups: number;
  commands: number;
  largestGroup: number;
}

export class GroupCommit {
  readonly stats: GroupCommitStats = { groups: 0, commands: 0, largestGroup: 0 };
  #queue: Queued[] = [];
  #announced = 0;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  readonly #changes: { get(): unknown };
  /** One command's savepoint (better-sqlite3 nests `db.transaction` inside the group's BEGIN), made once, not per command. */
  readonly #savepoint: (work: () => unknown) => unknown;

  /**
   * `rollbacks.noteRollback` is called after a group in which work that had written was rolled
   * back (its own savepoint, or the whole group when the COMMIT failed): in-memory caches of what
   * was written (command handlers' state caches, through `EventStore.noteRollback`) must forget it.
   */
  constructor(
    private readonly db: Db,
    private readonly options: GroupCommitOptions,
    private readonly rollbacks: RollbackListener = unheard,
  ) {
    this.#changes = db.prepare('SELECT total_changes()').pluck();
    this.#savepoint = db.transaction((work: () => unknown) => this.rollbacks.reporting(work));
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError('maxBatch must be an integer ≥ 1');
    if (!(options.maxWaitMs >= 0)) throw new RangeError('maxWaitMs must be ≥ 0');
  }

  /**
   * Announces a caller that will `run` a command soon; returns the function that withdraws the
   * announcement (call it once, whether or not the caller ran a command: `run` does not).
   */
  enter(): () => void {
    this.#announced += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#announced -= 1;
      this.#schedule();
    };
  }

  /**
   * Runs `work` in its own savepoint of the next group and settles with its result once the
   * group's COMMIT is durable. Rejects with what `work` threw (only its savepoint is rolled
   * back), or with the COMMIT's error (the whole group is rolled back).
   */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.#queue.length >= this.options.maxBatch) this.#flush();
      else this.#schedule();
    });
  }

  /** Runs whatever is queued now (tests and shutdown). */
  flushNow(): void {
    this.#flush();
  }

  #schedule(): void {
    if (this.#queue.length === 0) return;
    // Every announced caller has queued (or left): close the group at the end of this turn of
    // the event loop; otherwise give the stragglers until maxWaitMs after the first command.
    const waitingFor = this.#announced - this.#queue.length;
    if (waitingFor <= 0) {
      this.#immediate ??= setImmediate(() => this.#flush());
    } else {
      this.#timer ??= setTimeout(() => this.#flush(), this.options.maxWaitMs);
    }
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
    const group = this.#queue.splice(0, this.options.maxBatch);
    if (group.length === 0) return;
    const outcomes = this.#runGroup(group);
    this.stats.groups += 1;
    this.stats.commands += group.length;
    this.stats.largestGroup = Math.max(this.stats.largestGroup, group.length);
    for (const [i, q] of group.entries()) {
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) q.resolve(outcome.value);
      else q.reject(outcome.error);
    }
    this.#schedule();
  }

  #runGroup(group: readonly Queued[]): Outcome[] {
    const outcomes: Outcome[] = [];
    let rolledBack = false;
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      return group.map(() => ({ ok: false, error }));
    }
    try {
      for (const q of group) {
        const before = this.#changes.get();
        try {
          outcomes.push({ ok: true, value: this.#savepoint(q.work) });
        } catch (error) {
          // A refusal thrown before any write rolls back nothing worth forgetting.
          if (this.#changes.get() !== before) rolledBack = true;
          outcomes.push({ ok: false, error });
        }
      }
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      rolledBack = true;
      outcomes.length = 0;
      for (const _ of group) outcomes.push({ ok: false, error });
    }
    if (rolledBack) this.rollbacks.noteRollback();
    return outcomes;
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
