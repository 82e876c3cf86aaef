/**
 * Competition rules from the environment: every variable validated (a bad value stops start-up
 * naming it), the defaults are the deciders' own, and a server freezes the configured values
 * into the Arena, the first race and a submitted audition. The worker ticks once at start and
 * logs the state changes it made at info and its work at debug.
 */

import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultArenaRules, zArenaRules } from '../../commands/competition/arena-events.ts';
import { defaultAuditionRules, zAuditionRules } from '../../commands/competition/audition-events.ts';
import { defaultRaceRules, zRaceRules } from '../../commands/competition/race-events.ts';
import { frozenRules } from '../../commands/competition/refusal.ts';
import { formatDecimal, MICRO_USD, parseDecimal } from '../../core/money.ts';
import { competitionRules } from '../../server/competition-config.ts';
import { loadConfig } from '../../server/config.ts';
import { TestEconomy } from '../support/competition-economy.ts';
import { competitionClient } from '../support/competition-http.ts';
import { configProblems } from '../support/config.ts';
import { startTestServer } from '../support/server.ts';
import { newAccount } from '../support/siwe.ts';
import { fcRuns, fcSeed } from '../support/store.ts';
import { SessionUser } from '../support/users.ts';

/** For every competition variable, values it refuses. */
const refused: Record<string, string[]> = {
  COMPETITION_AUDITION_WINDOW_SECONDS: ['0', '59', '1.5', 'a day', String(366 * 86_400)],
  COMPETITION_AUDITION_STARTING_EQUITY_USD: ['0', '-5', '10.1234567', 'ten', '1e4'],
  COMPETITION_AUDITION_PROFIT_TARGET_BPS: ['-1', '10001', '5%'],
  COMPETITION_AUDITION_MAX_DAILY_LOSS_BPS: ['-1', '10001'],
  COMPETITION_AUDITION_MAX_TOTAL_LOSS_BPS: ['-1', '10001'],
  COMPETITION_AUDITION_MIN_FILLS: ['-1', '0.5', '1000001'],
  COMPETITION_AUDITION_FREE_RETRIES: ['-1', '101'],
  COMPETITION_ARENA_SLOTS: ['0', '1001', 'eight'],
  COMPETITION_STRIKE_BACKING_BPS: ['-1', '10001'],
  COMPETITION_STRIKES_TO_RETIRE: ['0', '1001'],
  COMPETITION_RACE_MIN_ENTRANTS: ['1', '1001'],
  COMPETITION_RACE_PERIOD_SECONDS: ['0', '59', String(31 * 86_400)],
  COMPETITION_RACE_LIVE_SECONDS: ['0', '59', String(31 * 86_400)],
  COMPETITION_RACE_RAKE_BPS: ['-1', '10001'],
  COMPETITION_RACE_CREATOR_BPS: ['-1', '10001'],
  COMPETITION_RACE_RANK_WEIGHTS_BPS: ['', '5000,,2000', '5000,-1', '10001', '50%', Array(101).fill('1').join(',')],
};

test('given a bad value of any competition variable, then the configuration is refused naming exactly that variable', () => {
  for (const [variable, values] of Object.entries(refused)) {
    for (const value of values) assert.equal(configProblems({ [variable]: value }), [variable], `${variable}=${JSON.stringify(value)}`);
  }
  assert.equal(configProblems({ COMPETITION_RACE_RAKE_BPS: '6000', COMPETITION_RACE_CREATOR_BPS: '4001' }), [
    'COMPETITION_RACE_CREATOR_BPS',
  ]);
  assert.equal(configProblems({ COMPETITION_RACE_RAKE_BPS: '6000', COMPETITION_RACE_CREATOR_BPS: '4000' }), []);
});

test('given no competition variables, then the rules are the deciders’ defaults', () => {
  assert.equal(competitionRules(loadConfig({})), { audition: defaultAuditionRules, arena: defaultArenaRules, race: defaultRaceRules });
});

test('given competition variables, then the rules carry them in the deciders’ units (ms, micro-USD, wei)', () => {
  const rules = competitionRules(
    loadConfig({
      COMPETITION_AUDITION_WINDOW_SECONDS: '300',
      COMPETITION_AUDITION_STARTING_EQUITY_USD: '2500.5',
      COMPETITION_RACE_PERIOD_SECONDS: '120',
      COMPETITION_RACE_LIVE_SECONDS: '600',
      COMPETITION_RACE_RANK_WEIGHTS_BPS: '7000, 3000',
      ECONOMY_TICKET_PRICE_WEI: '5',
    }),
  );
  assert.is(rules.audition.windowMs, 300_000);
  assert.is(rules.audition.startingEquityMicroUsd, 2500n * MICRO_USD.one + MICRO_USD.one / 2n);
  assert.equal([rules.race.launchPeriodMs, rules.race.liveWindowMs, rules.race.ticketPriceWei], [120_000, 600_000, 5n]);
  assert.equal(rules.race.rankWeightsBps, [7_000, 3_000]);
});

test('property: any configuration that loads gives rules every decider accepts as they are (config and deciders agree on bounds)', () => {
  const env = fc.record({
    COMPETITION_AUDITION_WINDOW_SECONDS: fc.integer({ min: 60, max: 365 * 86_400 }),
    COMPETITION_AUDITION_STARTING_EQUITY_USD: fc.bigInt({ min: 1n, max: 10n ** 12n }).map((micro) => formatDecimal(micro, MICRO_USD)),
    COMPETITION_AUDITION_PROFIT_TARGET_BPS: fc.integer({ min: 0, max: 10_000 }),
    COMPETITION_AUDITION_MIN_FILLS: fc.integer({ min: 0, max: 1_000_000 }),
    COMPETITION_ARENA_SLOTS: fc.integer({ min: 1, max: 1_000 }),
    COMPETITION_STRIKES_TO_RETIRE: fc.integer({ min: 1, max: 1_000 }),
    COMPETITION_RACE_MIN_ENTRANTS: fc.integer({ min: 2, max: 1_000 }),
    COMPETITION_RACE_PERIOD_SECONDS: fc.integer({ min: 60, max: 30 * 86_400 }),
    COMPETITION_RACE_RAKE_BPS: fc.integer({ min: 0, max: 10_000 }),
    COMPETITION_RACE_CREATOR_BPS: fc.integer({ min: 0, max: 10_000 }),
    COMPETITION_RACE_RANK_WEIGHTS_BPS: fc
      .array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 100 })
      .map((w) => w.join(',')),
  });
  fc.assert(
    fc.property(env, (values) => {
      const vars = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
      const problems = configProblems(vars);
      const overfull = values.COMPETITION_RACE_RAKE_BPS + values.COMPETITION_RACE_CREATOR_BPS > 10_000;
      assert.equal(problems, overfull ? ['COMPETITION_RACE_CREATOR_BPS'] : []);
      if (overfull) return;
      const rules = competitionRules(loadConfig(vars));
      // What the deciders do with rules in a command (commands/competition/refusal.ts): nothing refused, nothing changed.
      assert.equal(frozenRules(zAuditionRules, defaultAuditionRules, rules.audition, 'refused'), rules.audition);
      assert.equal(frozenRules(zArenaRules, defaultArenaRules, rules.arena, 'refused'), rules.arena);
      assert.equal(frozenRules(zRaceRules, defaultRaceRules, rules.race, 'refused'), rules.race);
      assert.is(rules.audition.startingEquityMicroUsd, parseDecimal(values.COMPETITION_AUDITION_STARTING_EQUITY_USD, MICRO_USD));
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('given a bad competition variable, then `clash serve` stops before listening, naming it', () => {
  const run = spawnSync(process.execPath, ['replay/bin.mjs', 'serve', '--db', ':memory:'], {
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', COMPETITION_ARENA_SLOTS: 'eight' },
  });
  assert.is(run.status, 2, `${run.signal ?? ''} ${run.error?.message ?? ''} ${run.stderr}`);
  assert.match(run.stderr, /COMPETITION_ARENA_SLOTS="eight"/);
});

test('given configured rules, when the server starts, then the worker ticks at once, freezes them into the Arena, the first race and an audition, and logs it', async () => {
  const lines: { level: number; msg: string; event?: string; changes?: number }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const economy = new TestEconomy();
  const server = await startTestServer(
    {
      CLASH_DEV_IDENTITY: 'true',
      CLASH_COMPETITION_TICK_MS: '3600000',
      COMPETITION_AUDITION_WINDOW_SECONDS: '600',
      COMPETITION_AUDITION_MIN_FILLS: '3',
      COMPETITION_AUDITION_PROFIT_TARGET_BPS: '200',
      COMPETITION_ARENA_SLOTS: '3',
      COMPETITION_STRIKES_TO_RETIRE: '2',
      COMPETITION_RACE_PERIOD_SECONDS: '300',
      COMPETITION_RACE_LIVE_SECONDS: '900',
      COMPETITION_RACE_MIN_ENTRANTS: '3',
      COMPETITION_RACE_RANK_WEIGHTS_BPS: '6000,4000',
    },
    undefined,
    { competitionEconomy: economy, log: pino({ level: 'debug' }, sink) },
  );
  try {
    let arena = (await server.call('GET', '/api/v1/arena')).body as { open: boolean; slots: number };
    for (let i = 0; i < 50 && !arena.open; i++) {
      await new Promise((r) => setTimeout(r, 20));
      arena = (await server.call('GET', '/api/v1/arena')).body as { open: boolean; slots: number };
    }
    assert.equal(arena, { ...arena, open: true, slots: 3 }, 'the Arena is open at start-up, not one interval later');
    const first = (type: string) => [...server.ledger.store.readAll()].find((e) => e.type === type)?.data as Record<string, unknown>;
    assert.equal(first('ArenaOpened').rules, { slots: 3, strikeBackingBps: 200, strikesToRetire: 2 });
    const race = first('RaceOpened') as { rules: Record<string, unknown>; launchAt: number; openedAt: number };
    assert.equal(race.rules, {
      ...defaultRaceRules,
      minEntrants: 3,
      launchPeriodMs: 300_000,
      liveWindowMs: 900_000,
      rankWeightsBps: [6_000, 4_000],
    });
    assert.is(race.launchAt - race.openedAt, 300_000);

    const owner = await SessionUser.signIn(server, newAccount());
    const api = competitionClient(server, 'unused-service-token-0123456789');
    const cloneId = await api.draftClone(owner.auth, 'Configured');
    await api.ok(201, 'POST', `/api/v1/clones/${cloneId}/entitlement/dev-grant`, { auth: owner.auth });
    await api.publish(owner.auth, cloneId);
    economy.grantAuditionCredit(cloneId);
    await api.submitAudition(owner.auth, cloneId);
    assert.equal(first('AuditionSubmitted').rules, { ...defaultAuditionRules, windowMs: 600_000, minFills: 3, profitTargetBps: 200 });

    const changes = lines.filter((l) => l.msg === 'competition state change');
    assert.ok(
      changes.every((l) => l.level === 30),
      'state changes at info',
    );
    assert.equal(
      changes.map((l) => l.event),
      ['ArenaOpened', 'RaceScheduled', 'RaceOpened'].filter((t) => changes.some((l) => l.event === t)),
    );
    assert.ok(changes.some((l) => l.event === 'ArenaOpened') && changes.some((l) => l.event === 'RaceOpened'));
    const ticks = lines.filter((l) => l.msg === 'competition tick');
    assert.is(ticks.length, 1, 'one tick at start; the next is an hour away');
    assert.equal([ticks[0]?.level, ticks[0]?.changes], [20, changes.length], 'the tick’s work at debug');
  } finally {
    await server.stop();
  }
});

test.run();
