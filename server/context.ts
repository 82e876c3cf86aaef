/**
 * Opening the ledger: the store with every event type registered and every projection started,
 * and its checkpoints signed with the ledger key (configured, or the development key beside the
 * database, read only when the first checkpoint is signed).
 */
import { dataDirLedgerKey, type LedgerKey } from '../adapters/ledger-key/ledger-key.ts';
import { LedgerCheckpoints } from '../commands/ledger/handlers.ts';
import { type Clock, type IdSource, systemClock, timeOrderedIds } from '../core/clock.ts';
import type { Synchronous } from '../core/database.ts';
import { EventRegistry } from '../core/event-registry.ts';
import { EventStore } from '../core/event-store.ts';
import { GroupCommit, type GroupCommitOptions } from '../core/group-commit.ts';
import type { ProgressFn } from '../core/projection-rebuild.ts';
import { ProjectionRunner } from '../core/projection-runner.ts';
import { type Composition, productComposition } from './composition.ts';

export interface Ledger {
  readonly store: EventStore;
  readonly projections: ProjectionRunner;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Signed checkpoints of the log's Merkle tree (commands/ledger). */
  readonly checkpoints: LedgerCheckpoints;
  /** The ledger key, resolved on first use. */
  readonly ledgerKey: () => LedgerKey;
  /** Group commit for durable writes that arrive together (`core/group-commit.ts`). */
  readonly commits: GroupCommit;
  close(): void;
}

export interface OpenLedgerOptions {
  readonly dbPath: string;
  readonly synchronous?: Synchronous;
  readonly composition?: Composition;
  readonly clock?: Clock;
  readonly ids?: IdSource;
  /** Group commit limits (default: 64 commands, 2 ms wait for announced callers). */
  readonly groupCommit?: GroupCommitOptions;
  /** Progress of a rebuild forced at start (a projection whose version changed). */
  readonly onProgress?: ProgressFn;
  /** The key that signs checkpoints (default: the development key file beside the database). */
  readonly ledgerKey?: () => LedgerKey;
  /**
   * Open for reading only (read commands): the file must already be a ledger, nothing is
   * created or written, projections are read as they stand (not started, not caught up).
   */
  readonly readonly?: boolean;
}

export function openLedger(options: OpenLedgerOptions): Ledger {
  const composition = options.composition ?? productComposition;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? timeOrderedIds;
  const store = EventStore.open(options.dbPath, {
    registry: new EventRegistry(composition.events),
    clock,
    ids,
    synchronous: options.synchronous ?? 'FULL',
    readonly: options.readonly ?? false,
  });
  const projections = new ProjectionRunner(store, composition.projections);
  if (!options.readonly) projections.start(options.onProgress);
  const commits = new GroupCommit(store.db, options.groupCommit ?? { maxBatch: 64, maxWaitMs: 2 }, store);
  let key: LedgerKey | undefined;
  const ledgerKey = () => {
    key ??= options.ledgerKey ? options.ledgerKey() : dataDirLedgerKey(options.dbPath);
    return key;
  };
  const checkpoints = new LedgerCheckpoints({ store, clock, signer: ledgerKey });
  return { store, projections, clock, ids, commits, checkpoints, ledgerKey, close: () => store.close() };
}
