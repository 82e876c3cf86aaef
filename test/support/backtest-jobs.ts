/**
 * A ledger file ready for backtest workers: the recorded market (16 hours of BTC and ETH),
 * a clone, its trend strategy as a draft snapshot in a file artifact store, and jobs requested
 * through `BacktestCommands` (accepted under the configured limits).
 */
import { putContent } from '../../adapters/artifacts/content.ts';
import { openArtifactStore } from '../../adapters/artifacts/open.ts';
import type { RunShape } from '../../commands/backtests/request.ts';
import { loadDecisionMarket } from '../../replay/bench/decision-data.ts';
import { backtestCommandsOf } from '../../server/backtests.ts';
import { cloneCommandsOf } from '../../server/clones.ts';
import { loadConfig } from '../../server/config.ts';
import { openLedger } from '../../server/context.ts';
import { trendGraph } from './backtest.ts';

const HOUR = 3_600_000;

/** Creates the file at `path` with the market, a clone of `owners[0]` and a snapshot; requests one job per entry of `owners`. */
export async function backtestLedger(
  path: string,
  artifactsUrl: string,
  shared: string,
  owners: readonly string[],
  env: Record<string, string>,
  shape: Partial<RunShape> = {},
): Promise<{ backtestIds: string[]; cloneIds: string[]; from: number; to: number }> {
  const config = loadConfig({ NODE_ENV: 'test', ...env });
  const ledger = openLedger({ dbPath: path, synchronous: 'OFF' });
  try {
    const { decisionTime } = loadDecisionMarket(ledger.store.db, shared, 16 * 60);
    const start = decisionTime - 16 * HOUR;
    const from = start + 4 * HOUR;
    const to = from + 6 * HOUR;
    const artifacts = openArtifactStore(artifactsUrl, {});
    const snapshot = await putContent(artifacts, 'drafts', new TextEncoder().encode(JSON.stringify({ graph: trendGraph })));
    const clones = cloneCommandsOf(ledger, config);
    const backtests = backtestCommandsOf(ledger, config);
    const backtestIds: string[] = [];
    const cloneIds: string[] = [];
    for (const owner of owners) {
      const cloneId = clones.create(owner, `Trend ${owner}`, 'basic');
      cloneIds.push(cloneId);
      const run: RunShape = {
        strategy: { kind: 'draft', snapshotKey: snapshot.key, sha256: snapshot.sha256 },
        fromMs: from,
        toMs: to,
        assets: ['BTC', 'ETH'],
        engine: 'rules',
        stepMs: 300_000,
        decisionIntervalMs: 900_000,
        ...shape,
      };
      const { backtestId, state } = backtests.request(cloneId, owner, run);
      if (state.status !== 'queued') throw new Error(`job ${backtestId} was not accepted: ${state.status}`);
      backtestIds.push(backtestId);
    }
    return { backtestIds, cloneIds, from, to };
  } finally {
    ledger.close();
  }
}
