/**
 * The whole loop offline (issue 13 "Real parts in tests"): `DECISION_MODEL_PROVIDER=rules`, short
 * competition timings, market data fetched from the local Hyperliquid stub (registry, contexts
 * and 1m candles synthesized from the shared Bybit CSVs, indicators derived from them). Nobody
 * trades by hand: on a manual clock stepped 5 minutes at a time, the decision worker runs each
 * strategy's due units (a 15-minute cadence) for every running audition account and, later,
 * every live race account; the marking worker marks them and fires their exit plans; the
 * competition worker decides the auditions (3 h windows), admits the ones that passed to the
 * Arena, launches a race with them, closes it and settles it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DerivedSeries } from '../../adapters/market/derived/derived-series.ts';
import { HyperliquidInfo } from '../../adapters/market/hyperliquid/info-client.ts';
import { fetchCandles } from '../../adapters/market/ingestion/hyperliquid-ingestion.ts';
import { LiveRows } from '../../adapters/market/live-rows.ts';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { CompetitionWorker } from '../../commands/competition/worker.ts';
import { decisionStream } from '../../commands/decisions/handlers.ts';
import { MarkingWorker } from '../../commands/prop-trading/marking.ts';
import { type AuditionRow, CompetitionQueries } from '../../projections/competition/queries.ts';
import { PropTradingQueries } from '../../projections/prop-trading/queries.ts';
import { competitionDeps } from '../../server/competition.ts';
import { competitionRules } from '../../server/competition-config.ts';
import { loadConfig } from '../../server/config.ts';
import { decisionWorkerOf } from '../../server/decision-worker.ts';
import { propTrading } from '../../server/prop-trading.ts';
import { TestEconomy } from '../support/competition-economy.ts';
import { type Audition, competitionClient } from '../support/competition-http.ts';
import { chainGraph } from '../support/graphs.ts';
import { csvCandles, startHyperliquidStub } from '../support/hyperliquid-stub.ts';
import { sharedData } from '../support/prop-trading.ts';
import { startTestServer } from '../support/server.ts';
import { newAccount } from '../support/siwe.ts';
import { SessionUser } from '../support/users.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 2025-06-05 21:00 UTC: inside the shared 1m CSVs, with a day of history before it. */
const T0 = Date.UTC(2025, 5, 1, 12, 0);
const CADENCE_SEC = 900;
const WINDOW_H = 3;
const SERVICE = 'worker-secret-0123456789abcdef';
const env = {
  CLASH_DEV_IDENTITY: 'true',
  CLASH_SERVICE_TOKENS: `worker:${SERVICE}`,
  DECISION_MODEL_PROVIDER: 'rules',
  DECISION_CADENCE_SEC: String(CADENCE_SEC),
  COMPETITION_AUDITION_WINDOW_SECONDS: String(WINDOW_H * 3600),
  COMPETITION_AUDITION_PROFIT_TARGET_BPS: '1',
  COMPETITION_RACE_PERIOD_SECONDS: String((WINDOW_H + 2) * 3600),
  COMPETITION_RACE_LIVE_SECONDS: String(3 * 3600),
};

/** One clone per strategy: the assets its asset selection enables. */
const COINS = ['BTC', 'SOL', 'ETH+SOL'];
const data = sharedData();

test('clones audition and trade by themselves, some pass into the Arena, a race launches, its accounts trade, are marked and it settles', async () => {
  if (!data) return;
  const stub = await startHyperliquidStub(data);
  for (const [coin, file] of [
    ['BTC', 'BTCUSDT_1m.csv'],
    ['ETH', 'ETHUSDT_1m.csv'],
    ['SOL', 'SOLUSDT_1m.csv'],
  ] as const) {
    stub.candles.set(coin, csvCandles(data, file));
  }
  const economy = new TestEconomy();
  const server = await startTestServer(env, T0 - 25 * HOUR, { competitionEconomy: economy });
  try {
    // Market memory from the stub: registry and contexts, then 1m candles day by day, indicators derived from them.
    const db = server.ledger.store.db;
    const memory = new MarketMemory(db);
    const info = new HyperliquidInfo(stub.infoUrl);
    new LiveRows(db, memory).writeMetaAndContexts(await info.metaAndAssetCtxs(), T0 - 25 * HOUR);
    const derived = new DerivedSeries(db);
    for (const coin of ['BTC', 'ETH', 'SOL']) {
      for (let from = T0 - 24 * HOUR; from < T0 + (WINDOW_H + 8) * HOUR; from += 24 * HOUR) {
        const candles = await fetchCandles(info, coin, from, Math.min(from + 24 * HOUR, T0 + (WINDOW_H + 8) * HOUR));
        memory.write({ assets: [], candles, mids: [], funding: [] });
        derived.applyFinal(candles);
      }
    }
    assert.ok(
      stub.requests.some((r) => r.type === 'candleSnapshot'),
      'candles came from the stub',
    );

    const config = loadConfig({ ...env, NODE_ENV: 'test', CLASH_DB: ':memory:' });
    const decisions = decisionWorkerOf(server.ledger, config, server.ops);
    if (typeof decisions === 'string') throw new Error(decisions);
    const competition = new CompetitionWorker({ ...competitionDeps(server.ledger, economy), rules: competitionRules(config) });
    const marking = new MarkingWorker(propTrading(server.ledger), new PropTradingQueries(db), server.ops.units);
    const api = competitionClient(server, SERVICE);
    server.clock.set(T0);
    await competition.tick(T0);

    const users = [await SessionUser.signIn(server, newAccount()), await SessionUser.signIn(server, newAccount())];
    const clones: string[] = [];
    for (const [i, coin] of COINS.entries()) {
      const owner = users[i % 2] as SessionUser;
      const { id } = await api.ok<{ id: string }>(201, 'POST', '/api/v1/clones', {
        auth: owner.auth,
        body: { name: `Rules ${coin}`, modelTier: 'basic' },
      });
      await api.ok(200, 'PUT', `/api/v1/clones/${id}/draft`, {
        auth: owner.auth,
        body: { graph: chainGraph(coin.split('+')), layout: {} },
      });
      await api.ok(201, 'POST', `/api/v1/clones/${id}/entitlement/dev-grant`, { auth: owner.auth });
      await api.publish(owner.auth, id);
      economy.grantAuditionCredit(id);
      clones.push(id);
    }
    const auditions: Audition[] = [];
    for (const [i, id] of clones.entries()) auditions.push(await api.submitAudition((users[i % 2] as SessionUser).auth, id));

    // Auditions: every 5 minutes the decision worker (units due every 15), the marking and the competition workers.
    let ran = 0;
    for (let t = T0; t <= T0 + WINDOW_H * HOUR + 10 * MINUTE; t += 5 * MINUTE) {
      server.clock.set(t);
      ran += (await decisions.tick(t)).done;
      await marking.tick(t);
      await competition.tick(t);
    }
    assert.ok(ran >= (COINS.length * WINDOW_H * 3600) / CADENCE_SEC, `${ran} decision runs during the auditions`);
    // Reads after the simulated hours go to the read models (the HTTP sessions would have expired hours ago).
    const queries = new CompetitionQueries(db);
    const decided = auditions.map((a) => queries.audition(a.auditionId) as AuditionRow);
    const fills = (accountId: string) =>
      db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM prop_fills WHERE account_id = ? AND kind = 'order'").get(accountId)
        ?.n ?? 0;
    for (const a of auditions) assert.ok(fills(a.propAccountId) > 0, `the rules engine traded audition account ${a.propAccountId}`);
    const passed = decided.filter((a) => a.status === 'passed');
    // On these hours of the recorded data the rules lose a little on BTC and gain on SOL and ETH+SOL.
    assert.equal(
      decided.map((a) => [a.status, a.failureReason]),
      [
        ['failed', 'target_not_met'],
        ['passed', null],
        ['passed', null],
      ],
    );
    const runs = server.ledger.store.readStream(decisionStream(auditions[0]?.propAccountId ?? '')).map((e) => e.type);
    assert.ok(runs.includes('DecisionActionAccepted') && runs.includes('DecisionRunCompleted'));

    // The race: it launches with the Arena clones, the worker trades their race accounts while it is live, then it settles.
    assert.is(queries.slots().length, passed.length, 'the clones that passed hold Arena slots');
    const [race] = queries.racesAt('accumulating');
    if (!race) throw new Error('no race accumulating');
    const launchAt = race.launchAt;
    let raceRuns = 0;
    for (let t = T0 + WINDOW_H * HOUR + 15 * MINUTE; t <= launchAt + 3 * HOUR + 30 * MINUTE; t += 5 * MINUTE) {
      server.clock.set(t);
      const report = await decisions.tick(t);
      if (t > launchAt) raceRuns += report.done;
      await marking.tick(t);
      await competition.tick(t);
    }
    const settled = { stage: queries.race(race.raceId)?.stage, entrants: queries.entrants(race.raceId) };
    assert.ok(['settled', 'archived'].includes(settled.stage ?? ''), settled.stage);
    assert.is(settled.entrants.length, passed.length);
    assert.ok(raceRuns >= (passed.length * 3 * 3600) / CADENCE_SEC - passed.length, `${raceRuns} decision runs during the race`);
    server.ledger.projections.catchUpAll(); // prop_marks is an async read model
    for (const e of settled.entrants) {
      const decisionsOf = server.ledger.store.readStream(decisionStream(e.propAccountId));
      assert.ok(
        decisionsOf.some((d) => d.type === 'DecisionRunCompleted'),
        `race account ${e.propAccountId} ran decisions`,
      );
      const marks =
        db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM prop_marks WHERE account_id = ?').get(e.propAccountId)?.n ?? 0;
      assert.ok(marks > 0, `race account ${e.propAccountId} was marked`);
    }
    assert.ok(
      settled.entrants.some((e) => fills(e.propAccountId) > 0),
      'race accounts traded',
    );
    assert.ok(queries.settlement(race.raceId), 'the settlement is recorded');
    assert.equal(
      queries
        .ranking(race.raceId)
        .map((r) => r.cloneId)
        .sort(),
      settled.entrants.map((e) => e.cloneId).sort(),
    );
  } finally {
    await server.stop();
    await stub.close();
  }
});

test.run();
