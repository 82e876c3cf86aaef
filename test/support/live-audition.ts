/**
 * A live audition that trades by itself, for the live-window re-run tests: a real test server
 * over the recorded market (`replay/bench/decision-data.ts`: real BTC and ETH 1m candles, T at
 * their 1,800th minute), an owner's clone trading BTC and ETH, its audition paid and started at
 * T, then on a manual clock stepped 5 minutes at a time for `hours`: the marking worker (exit
 * plans, marks, funding) and the decision worker (a unit per asset every 5 minutes, with the
 * engine of `DECISION_MODEL_PROVIDER`). Nobody trades by hand.
 */
import * as assert from 'uvu/assert';
import { MarkingWorker } from '../../commands/prop-trading/marking.ts';
import { PropTradingQueries } from '../../projections/prop-trading/queries.ts';
import { loadDecisionMarket } from '../../replay/bench/decision-data.ts';
import { type Config, loadConfig } from '../../server/config.ts';
import { decisionWorkerOf } from '../../server/decision-worker.ts';
import { propTrading } from '../../server/prop-trading.ts';
import { TestEconomy } from './competition-economy.ts';
import { competitionClient } from './competition-http.ts';
import { chainGraph } from './graphs.ts';
import { startTestServer, type TestServer } from './server.ts';
import { newAccount } from './siwe.ts';
import { SessionUser } from './users.ts';

const MINUTE = 60_000;
const SERVICE = 'worker-secret-0123456789abcdef';

export interface LiveAudition {
  readonly server: TestServer;
  /** The server's configuration (what the backtest worker and the CLI read), and the environment it came from. */
  readonly config: Config;
  readonly env: Record<string, string>;
  readonly owner: SessionUser;
  readonly cloneId: string;
  readonly propAccountId: string;
  /** The audition's start and the last decision tick (ms). */
  readonly from: number;
  readonly to: number;
  /** Decision runs the worker completed. */
  readonly runs: number;
}

/** Runs the audition for `hours` (5-minute cadence); `env` adds to the server's (engine, Anthropic settings, artifact store). */
export async function givenALiveAudition(shared: string, env: Record<string, string>, hours = 2): Promise<LiveAudition> {
  const serverEnv = {
    CLASH_DEV_IDENTITY: 'true',
    CLASH_ARTIFACTS_URL: 'memory:', // `env` may name a file store the CLI can open too
    CLASH_SERVICE_TOKENS: `worker:${SERVICE}`,
    DECISION_CADENCE_SEC: '300',
    COMPETITION_AUDITION_WINDOW_SECONDS: String(24 * 3600),
    // every re-run of the tests is a job of the owner's day
    BACKTEST_STARTER_DAILY_RUNS: '50',
    BACKTEST_BUILDER_DAILY_RUNS: '50',
    BACKTEST_PRO_DAILY_RUNS: '50',
    ...env,
  };
  const economy = new TestEconomy();
  const server = await startTestServer(serverEnv, Date.UTC(2025, 0, 1), { competitionEconomy: economy });
  const db = server.ledger.store.db;
  const { decisionTime } = loadDecisionMarket(db, shared);
  server.clock.set(decisionTime);
  const api = competitionClient(server, SERVICE);
  const owner = await SessionUser.signIn(server, newAccount());
  const { id: cloneId } = await api.ok<{ id: string }>(201, 'POST', '/api/v1/clones', {
    auth: owner.auth,
    body: { name: 'Live rules', modelTier: 'basic' },
  });
  await api.ok(200, 'PUT', `/api/v1/clones/${cloneId}/draft`, {
    auth: owner.auth,
    body: { graph: chainGraph(['BTC', 'ETH']), layout: {} },
  });
  await api.ok(201, 'POST', `/api/v1/clones/${cloneId}/entitlement/dev-grant`, { auth: owner.auth });
  await api.publish(owner.auth, cloneId);
  economy.grantAuditionCredit(cloneId);
  const audition = await api.submitAudition(owner.auth, cloneId);

  const config = loadConfig({ ...serverEnv, NODE_ENV: 'test', CLASH_DB: ':memory:' });
  const decisions = decisionWorkerOf(server.ledger, config, server.ops);
  const marking = new MarkingWorker(propTrading(server.ledger), new PropTradingQueries(db), server.ops.units);
  let runs = 0;
  const to = decisionTime + hours * 60 * MINUTE;
  // The account is kept (marked, exit plans checked, funded) before the runs of the same instant, as a replay keeps it.
  for (let t = decisionTime; t <= to; t += 5 * MINUTE) {
    server.clock.set(t);
    await marking.tick(t);
    runs += (await decisions.tick(t)).done;
  }
  assert.ok(runs > 0, 'the decision worker ran the audition');
  return { server, config, env: serverEnv, owner, cloneId, propAccountId: audition.propAccountId, from: decisionTime, to, runs };
}
