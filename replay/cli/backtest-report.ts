/**
 * clash backtest report BACKTEST_ID --out FILE.html [--db PATH] [--json]: the HTML report of a
 * finished backtest, from its durable `summary` artifact (the report data, doc/backtesting.md,
 * "Report data") in the configured artifact store (`CLASH_ARTIFACTS_URL`, `CLASH_S3_*`).
 */
import { z } from 'zod';
import { assertCurrentReadModel } from '../../core/checkpoints.ts';
import { DomainError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { backtestsProjection, findBacktest } from '../../projections/backtests/backtests.ts';
import { loadConfig, openConfiguredArtifactStore } from '../../server/config.ts';
import { openLedger } from '../../server/context.ts';
import { writeBacktestReport } from '../backtest-report/write.ts';
import { type CliContext, commonFlags, defineCommand, existingDb } from './command.ts';

/**
 * The finished run's report data, unvalidated (`writeBacktestReport` validates it): `read_model_stale`
 * when the file's backtests read model is older than this build's; NotFoundError without the job; DomainError before it finished, without its summary, or with another run's;
 * ValidationError when the summary is not JSON.
 */
async function reportData(dbPath: string, backtestId: string, ctx: CliContext): Promise<unknown> {
  const ledger = openLedger({ dbPath, composition: ctx.composition, readonly: true });
  let key: string | undefined;
  try {
    assertCurrentReadModel(ledger.store.db, backtestsProjection);
    const job = findBacktest(ledger.store.db, backtestId);
    if (!job) throw new NotFoundError('backtest', backtestId);
    if (job.status !== 'finished') {
      throw new DomainError(
        'backtest_not_finished',
        'unprocessable',
        `backtest ${backtestId} is ${job.status}; a report needs a finished run`,
      );
    }
    key = job.artifacts.find((a) => a.kind === 'summary')?.key;
  } finally {
    ledger.close();
  }
  if (!key) throw new DomainError('report_data_missing', 'unprocessable', `backtest ${backtestId} finished without a summary artifact`);
  const store = openConfiguredArtifactStore(loadConfig(ctx.env));
  const bytes = await store.get(key);
  if (!bytes)
    throw new DomainError('report_data_missing', 'unprocessable', `the summary ${key} of backtest ${backtestId} is not in ${store.url}`);
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new ValidationError(`summary ${key}`, [{ path: '', message: (error as Error).message }]);
  }
  const named = (data as { backtestId?: unknown } | null)?.backtestId;
  if (named !== backtestId) {
    throw new DomainError(
      'report_data_mismatch',
      'unprocessable',
      `the summary ${key} is the report of ${JSON.stringify(named)}, not of ${backtestId}`,
    );
  }
  return data;
}

export const backtestReport = defineCommand({
  words: ['backtest', 'report'],
  usage: 'clash backtest report BACKTEST_ID --out FILE.html [--db PATH] [--json]',
  summary: 'write a finished backtest’s self-contained HTML report (equity, drawdown and benchmark curves, metrics, trades)',
  options: { out: { type: 'string' } },
  schema: z.object({
    ...commonFlags,
    out: z.string().min(1).max(4096),
    positionals: z.array(z.string().min(1).max(200)).length(1, 'give one BACKTEST_ID'),
  }),
  run: async (flags, ctx) => {
    const backtestId = flags.positionals[0] as string;
    const data = await reportData(existingDb(flags.db, ctx.env), backtestId, ctx);
    const written = writeBacktestReport(flags.out, data);
    ctx.out.data({ backtestId, ...written });
    ctx.out.line(`wrote the report of backtest ${backtestId} to ${written.file} (${written.bytes.toLocaleString('en-US')} bytes)`);
    return 0;
  },
});
