/**
 * Backtests with the `anthropic` engine use the deployment's Anthropic settings
 * (`server/decision-config.ts`): Given a ledger file with the recorded market and a tiny job
 * (BTC and ETH, 6 hours, a decision every 2 hours) and a local stub of the Messages API, When the
 * backtest worker runs it with `ANTHROPIC_API_KEY` and `ANTHROPIC_BASE_URL` set, Then every
 * decision step asks the stub the basic model and the job finishes with the stub's replies stored;
 * Given no key, Then the same job fails `engine_not_configured` without a call.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openArtifactStore } from '../../adapters/artifacts/open.ts';
import { partsPrefix, readParts } from '../../commands/backtests/artifact-parts.ts';
import { Leases } from '../../core/operations/leases.ts';
import { defaultRetryPolicy } from '../../core/operations/retry.ts';
import { WorkUnits } from '../../core/operations/work-units.ts';
import { findBacktest } from '../../projections/backtests/backtests.ts';
import { backtestWorkerOf } from '../../server/backtests.ts';
import { loadConfig } from '../../server/config.ts';
import { openLedger } from '../../server/context.ts';
import { startAnthropicStub } from '../support/anthropic-stub.ts';
import { backtestLedger } from '../support/backtest-jobs.ts';
import { sharedData } from '../support/prop-trading.ts';
import { tempDir } from '../support/store.ts';

const shared = sharedData();
const dir = tempDir('clash-bt-anthropic-');
const hold = (asset: string) => JSON.stringify({ action: 'hold', asset, confidence: 0.7, reason: `stub hold ${asset}` });

/** Runs the one job of a fresh ledger file under `env`; answers its row and the artifact store. */
async function runJob(name: string, env: Record<string, string>) {
  const path = dir.file(`${name}.db`);
  const url = `file:${dir.file(`${name}-artifacts`)}`;
  const { backtestIds } = await backtestLedger(
    path,
    url,
    shared as string,
    ['u1'],
    {},
    { engine: 'anthropic', decisionIntervalMs: 7_200_000 },
  );
  const ledger = openLedger({ dbPath: path, synchronous: 'OFF' });
  try {
    const artifacts = openArtifactStore(url);
    const db = ledger.store.db;
    const worker = backtestWorkerOf(ledger, loadConfig({ NODE_ENV: 'test', ...env }), {
      artifacts,
      leases: new Leases(db),
      units: new WorkUnits(db, defaultRetryPolicy),
    });
    await worker.tick(ledger.clock.now());
    await worker.drain();
    const id = backtestIds[0] as string;
    return { id, row: findBacktest(db, id), artifacts };
  } finally {
    ledger.close();
  }
}

if (shared) {
  test('an anthropic job asks the configured Messages API at every decision step and finishes; without a key it fails engine_not_configured', async () => {
    const stub = await startAnthropicStub();
    try {
      stub.script([
        { text: hold('BTC') },
        { text: hold('ETH') },
        { text: hold('BTC') },
        { text: hold('ETH') },
        { text: hold('BTC') },
        { text: hold('ETH') },
      ]);
      const env = { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: stub.url, ANTHROPIC_MAX_RETRIES: '0' };
      const { id, row, artifacts } = await runJob('stub', env);
      assert.is(row?.status, 'finished', JSON.stringify(row?.failure));
      assert.is(stub.requests.length, 6, '6 hours / 2 hours × 2 assets');
      assert.ok(
        stub.requests.every(
          (r) => r.body.model === 'claude-3-5-haiku-latest' && `${r.headers.authorization} ${r.headers['x-api-key']}`.includes('test-key'),
        ),
        'the basic clone asks the configured basic model with the configured key',
      );
      assert.ok(stub.requests[0]?.body.messages[0]?.content.includes('# Decision for'), 'the prompt is the compiled one');
      // The job's stored replies (what a `recorded` re-run replays, by packet digest) are the stub's answers.
      const stored: { model: string; text: string }[] = [];
      for await (const line of readParts(artifacts, partsPrefix(id, 'replies'))) stored.push(line as { model: string; text: string });
      assert.equal(
        stored.map((r) => r.model),
        Array(6).fill('claude-3-5-haiku-latest'),
      );
      assert.equal(new Set(stored.map((r) => r.text)), new Set([hold('BTC'), hold('ETH')]));

      const bare = await runJob('bare', {});
      assert.equal([bare.row?.status, bare.row?.failure?.code], ['failed', 'engine_not_configured']);
      assert.is(stub.requests.length, 6, 'no call without a key');
    } finally {
      await stub.close();
    }
  });
}

test.after(() => dir.remove());
test.run();
