/**
 * The names of every worker, in start order: what `CLASH_SERVE_WORKERS` may list (checked with
 * the rest of the configuration, before anything starts) and the keys of `workerCatalog`
 * (`server/workers.ts`, which must name exactly these).
 */
export const WORKER_NAMES = [
  'projections',
  'competition',
  'marking',
  'reconciliation',
  'backups',
  'alerts',
  'checkpoints',
  'anchors',
  'ingestion',
  'decisions',
  'backtests',
] as const;
export type WorkerName = (typeof WORKER_NAMES)[number];

/** Whether `name` is a worker's name. */
export const isWorkerName = (name: string): name is WorkerName => (WORKER_NAMES as readonly string[]).includes(name);
