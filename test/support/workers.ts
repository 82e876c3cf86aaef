/** Helpers for worker tests: a ledger on a temporary file with its operations and a `WorkerContext` over it. */
import pino from 'pino';
import { MemoryArtifactStore } from '../../adapters/artifacts/memory.ts';
import { unconnectedEconomy } from '../../commands/competition/ports.ts';
import type { Clock, IdSource } from '../../core/clock.ts';
import type { Composition } from '../../server/composition.ts';
import { loadConfig } from '../../server/config.ts';
import { openLedger } from '../../server/context.ts';
import { openOperations } from '../../server/operations.ts';
import type { WorkerContext } from '../../server/workers.ts';
import { tempDir } from './store.ts';

/**
 * A ledger named `name` on a temporary file (backups off, `env` on top of the test config; the
 * product's composition unless another is given), its
 * operations over a memory artifact store, and `context(extra)`: the workers' context with a
 * silent log, no chain and no competition module. `close()` closes the ledger and removes the file.
 */
export function workerFixture(name: string, env: Record<string, string>, clock: Clock, ids?: IdSource, composition?: Composition) {
  const dir = tempDir(`clash-${name}-`);
  const ledger = openLedger({
    dbPath: dir.file(`${name}.db`),
    synchronous: 'NORMAL',
    clock,
    ...(ids ? { ids } : {}),
    ...(composition ? { composition } : {}),
  });
  const config = loadConfig({ NODE_ENV: 'test', CLASH_BACKUP_INTERVAL_SECONDS: '0', ...env });
  const ops = openOperations(ledger, config, new MemoryArtifactStore());
  const context = (extra: Partial<WorkerContext> = {}): WorkerContext => ({
    ledger,
    config,
    log: pino({ level: 'silent' }),
    ops,
    economy: null,
    competitionEconomy: unconnectedEconomy,
    competing: false,
    ...extra,
  });
  const close = () => {
    ledger.close();
    dir.remove();
  };
  return { ledger, config, ops, context, close };
}
