/**
 * The competition loop over real HTTP with a manual clock on real BTC prices: sign in, create
 * and publish clones, audition (pass, fail, retry, void), queue, Arena, tickets through the
 * ticket sink, launch, trade, settle, payout proofs, authorizations at the Economy double, and
 * the settlement audit by replay — which passes, then fails on a copy with one tampered event.
 */
import { join } from 'node:path';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PrivateKeyAccount } from 'viem/accounts';
import { importMarketFile } from '../../adapters/market/importers/import-file.ts';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { Competition } from '../../commands/competition/handlers.ts';
import { TicketsBought } from '../../commands/competition/race-events.ts';
import { CompetitionWorker } from '../../commands/competition/worker.ts';
import { storedDataOf } from '../../core/stored-data.ts';
import { competitionDeps } from '../../server/competition.ts';
import { clash } from '../support/cli.ts';
import { TestEconomy } from '../support/competition-economy.ts';
import { type Audition, competitionClient, copyOfDb, startCompetitionServer, tamperedCopy } from '../support/competition-http.ts';
import { sharedData } from '../support/prop-trading.ts';
import { codeOf } from '../support/server.ts';
import { newAccount } from '../support/siwe.ts';
import { SessionUser } from '../support/users.ts';

const HOUR = 3_600_000;
/** Auditions start at 22:00 UTC on 2025-06-05: BTC rises about 2.9% by 14:40 the next day without falling 1%. */
const T0 = Date.UTC(2025, 5, 5, 21, 0);
const SERVICE = 'worker-secret-0123456789abcdef';
const PRICE = 10n ** 16n;

const data = sharedData();
const economy = new TestEconomy();
const { server, adminAccount } = await startCompetitionServer(T0, SERVICE, economy);
const worker = new CompetitionWorker(competitionDeps(server.ledger, economy));
const sink = new Competition({ ...competitionDeps(server.ledger, economy), clock: server.clock });
const signedIn = (account: PrivateKeyAccount) => SessionUser.signIn(server, account);
const admin = await signedIn(adminAccount);
const [alice, bob, carol, backer1, backer2] = [
  await signedIn(newAccount()),
  await signedIn(newAccount()),
  await signedIn(newAccount()),
  await signedIn(newAccount()),
  await signedIn(newAccount()),
];
/** Moves the clock (renewing every session) and ticks the competition worker there. */
async function at(ms: number) {
  server.clock.set(ms);
  for (const u of [admin, alice, bob, carol, backer1, backer2]) await u.renew();
  return worker.tick(ms);
}

const api = competitionClient(server, SERVICE);
const { ok, trade } = api;
async function publishedClone(owner: SessionUser, name: string): Promise<string> {
  const id = await api.draftClone(owner.auth, name);
  await ok(201, 'POST', `/api/v1/clones/${id}/entitlement/dev-grant`, { auth: owner.auth });
  await api.publish(owner.auth, id);
  return id;
}
const lifecycle = (owner: SessionUser, cloneId: string) => api.lifecycle(owner.auth, cloneId);

test('without an audition credit, or for someone else’s clone, an audition is refused; bad input names the field', async () => {
  const id = await publishedClone(carol, 'No Fee');
  assert.is(codeOf((await server.call('POST', `/api/v1/clones/${id}/auditions`, { auth: carol.auth })).body), 'audition_credit_required');
  assert.is((await server.call('POST', `/api/v1/clones/${id}/auditions`, { auth: bob.auth })).status, 403);
  assert.is((await server.call('POST', `/api/v1/clones/${id}/auditions`)).status, 401);
  const bad = await server.call('POST', `/api/v1/races/r/tickets`, {
    auth: `Bearer ${SERVICE}`,
    body: { paymentId: 'p', cloneId: id, holder: 'nope', count: 1, amountWei: '1' },
  });
  assert.is(bad.status, 400);
  assert.match(JSON.stringify(bad.body), 'holder');
  assert.is((await server.call('GET', '/api/v1/races/nope')).status, 404);
  const doc = await ok<{ paths: Record<string, unknown> }>(200, 'GET', '/api/v1/openapi.json');
  for (const path of [
    '/api/v1/arena',
    '/api/v1/races/{id}/payouts/{address}/proof',
    '/api/v1/clones/{id}/auditions',
    '/api/v1/me/payouts',
  ]) {
    assert.ok(doc.paths[path], path);
  }
});

test('the loop: auditions pass and fail, queue, Arena, tickets, launch, trade, settle, proofs, payouts, audit', async () => {
  if (!data) return;
  const memory = new MarketMemory(server.ledger.store.db);
  importMarketFile(memory, join(data, 'market/hyperliquid/python-sdk/responses/meta.2023-07-17.json'));
  importMarketFile(memory, join(data, 'market/candles-1m/bybit-linear/BTCUSDT_1m.csv'));
  await at(T0);
  const arena = await ok<{ open: boolean; slots: number }>(200, 'GET', '/api/v1/arena');
  assert.equal([arena.open, arena.slots], [true, 8]);
  const first = await ok<{ raceId: string; stage: string; launchAt: string }>(200, 'GET', '/api/v1/races/current');
  assert.equal([first.stage, first.launchAt], ['accumulating', new Date(T0 + 6 * HOUR).toISOString()]);

  const [a, b, c, d] = await Promise.all([
    publishedClone(alice, 'Alpha'),
    publishedClone(bob, 'Bravo'),
    publishedClone(carol, 'Charlie'),
    publishedClone(alice, 'Delta'),
  ]);
  for (const id of [a, b, c, d]) economy.grantAuditionCredit(id);
  economy.grantAuditionCredit(c);
  await at(T0 + HOUR);
  const submit = (owner: SessionUser, id: string) => api.submitAudition(owner.auth, id);
  const [ua, ub, uc, ud] = [await submit(alice, a), await submit(bob, b), await submit(carol, c), await submit(alice, d)];
  assert.is(ua.status, 'running');
  assert.is(await lifecycle(alice, a), 'audition_running');
  assert.is(codeOf((await server.call('POST', `/api/v1/clones/${a}/auditions`, { auth: alice.auth })).body), 'audition_running');
  for (const u of [ua, ub, ud]) await trade(u.propAccountId, { action: 'open', side: 'long', notionalUsd: '40000', leverage: 10 });
  await trade(uc.propAccountId, { action: 'open', side: 'short', notionalUsd: '40000', leverage: 10 });

  for (let t = T0 + 2 * HOUR; t <= T0 + 17 * HOUR; t += HOUR) await at(t);
  const failed = await ok<Audition>(200, 'GET', `/api/v1/auditions/${uc.auditionId}`, { auth: carol.auth });
  assert.is(failed.status, 'failed');
  assert.ok(['daily_loss_limit', 'total_loss_limit'].includes(failed.failureReason ?? ''), failed.failureReason ?? '');
  assert.is(await lifecycle(carol, c), 'audition_failed');
  assert.is((await server.call('GET', `/api/v1/auditions/${uc.auditionId}`, { auth: bob.auth })).status, 403);
  // A decided audition's account is closed to trading, with its result snapshot.
  await at(T0 + 17 * HOUR);
  const closedAccount = await ok<{ status: string; result: { finalEquityMicroUsd: string } | null }>(
    200,
    'GET',
    `/api/v1/prop-accounts/${uc.propAccountId}`,
    { auth: carol.auth },
  );
  assert.is(closedAccount.status, 'finalized');
  assert.ok(closedAccount.result?.finalEquityMicroUsd, 'the result snapshot');
  const late = await trade(uc.propAccountId, { action: 'open', side: 'long', notionalUsd: '1000', leverage: 2 });
  assert.equal(
    late.events.map((e) => e.type),
    ['ActionRejected'],
  );
  assert.equal(
    late.rejections.map((r) => r.reasonCode),
    ['account_finalized'],
  );

  await at(Date.UTC(2025, 5, 6, 14, 40));
  for (const u of [ua, ub, ud]) await trade(u.propAccountId, { action: 'close', side: 'long' });
  for (let t = T0 + 18 * HOUR; t <= T0 + 25 * HOUR; t += HOUR) await at(t);
  const passed = await ok<Audition>(200, 'GET', `/api/v1/auditions/${ua.auditionId}`, { auth: alice.auth });
  assert.is(passed.status, 'passed');
  assert.is(
    (await ok<{ status: string }>(200, 'GET', `/api/v1/prop-accounts/${ua.propAccountId}`, { auth: alice.auth })).status,
    'finalized',
  );
  assert.is(await lifecycle(alice, a), 'competing');
  const slots = await ok<{ occupied: { cloneId: string; name: string }[] }>(200, 'GET', '/api/v1/arena');
  assert.equal(slots.occupied.map((s) => s.name).sort(), ['Alpha', 'Bravo', 'Delta']);
  assert.equal((await ok<{ queue: unknown[] }>(200, 'GET', '/api/v1/queue')).queue, []);

  // Carol retries on the same fee, then an admin voids the audition: the fee is refunded.
  const retried = await ok<Audition>(200, 'POST', `/api/v1/auditions/${uc.auditionId}/retry`, { auth: carol.auth });
  assert.equal([retried.status, retried.attempt], ['running', 2]);
  const voided = await ok<Audition>(200, 'POST', `/api/v1/admin/auditions/${uc.auditionId}/void`, {
    auth: admin.auth,
    body: { reason: 'strategy copied' },
  });
  assert.is(voided.status, 'voided');
  assert.is(await lifecycle(carol, c), 'audition_voided', 'voided, not failed: a new audition is available');
  await at(T0 + 26 * HOUR);
  assert.is(
    (await ok<{ status: string }>(200, 'GET', `/api/v1/prop-accounts/${retried.propAccountId}`, { auth: carol.auth })).status,
    'finalized',
    'the voided attempt’s account is closed to trading too',
  );
  assert.is(
    (await server.call('POST', `/api/v1/admin/auditions/${uc.auditionId}/void`, { auth: alice.auth, body: { reason: 'x y z' } })).status,
    403,
  );

  // Tickets through the sink while the race accumulates; Delta is removed before the launch, so its tickets are refunded.
  const race = await ok<{ raceId: string; launchAt: string }>(200, 'GET', '/api/v1/races/current');
  assert.is(race.launchAt, new Date(T0 + 30 * HOUR).toISOString());
  const holder1 = backer1.address;
  const holder2 = backer2.address;
  economy.buyTickets(sink, race.raceId, holder1, a, 3, PRICE);
  economy.buyTickets(sink, race.raceId, holder1, b, 1, PRICE);
  const repeat = economy.buyTickets(sink, race.raceId, holder2, b, 2, PRICE);
  const refunded = economy.buyTickets(sink, race.raceId, holder1, d, 2, PRICE);
  sink.recordTicketPurchase({ paymentId: repeat, raceId: race.raceId, cloneId: b, holder: holder2, count: 2, amountWei: 2n * PRICE });
  const viaRoute = await server.call('POST', `/api/v1/races/${race.raceId}/tickets`, {
    auth: `Bearer ${SERVICE}`,
    body: { paymentId: repeat, cloneId: b, holder: holder2, count: 2, amountWei: String(2n * PRICE) },
  });
  assert.is(viaRoute.status, 201, 'the same payment again changes nothing');
  // access is checked before input: a user is refused whatever the body; a service's bad body is a 400
  assert.is((await server.call('POST', `/api/v1/races/${race.raceId}/tickets`, { auth: alice.auth, body: {} })).status, 403);
  assert.is((await server.call('POST', `/api/v1/races/${race.raceId}/tickets`, { auth: `Bearer ${SERVICE}`, body: {} })).status, 400);
  const pool = await ok<{ tickets: number; pool: { cloneId: string; tickets: number }[] }>(200, 'GET', `/api/v1/races/${race.raceId}`);
  assert.is(pool.tickets, 8);
  await ok(200, 'POST', `/api/v1/admin/arena/${d}/remove`, { auth: admin.auth, body: { reason: 'creator asked' } });

  await at(T0 + 30 * HOUR);
  const launched = await ok<{ stage: string; entrants: { cloneId: string; propAccountId: string }[]; tickets: number }>(
    200,
    'GET',
    `/api/v1/races/${race.raceId}`,
  );
  assert.equal([launched.stage, launched.entrants.length, launched.tickets], ['live', 2, 6]);
  assert.ok(economy.refundRequests.some((r) => r.paymentId === refunded && r.purpose === 'ticket'));
  assert.ok(economy.refundRequests.some((r) => r.purpose === 'audition_fee' && r.reference === uc.auditionId));
  const account = (id: string) => launched.entrants.find((e) => e.cloneId === id)?.propAccountId as string;
  await trade(account(a), { action: 'open', side: 'long', notionalUsd: '20000', leverage: 5 });
  await trade(account(b), { action: 'open', side: 'short', notionalUsd: '20000', leverage: 5 });
  const mine = await ok<{ positions: { tickets: number }[]; purchases: { status: string }[] }>(200, 'GET', '/api/v1/me/tickets', {
    auth: backer1.auth,
  });
  assert.equal(mine.purchases.map((p) => p.status).sort(), ['held', 'held', 'refund_owed']);

  for (let t = T0 + 31 * HOUR; t <= T0 + 36 * HOUR; t += HOUR) await at(t);
  const settled = await ok<{ ranking: { cloneId: string; position: number }[]; merkleRoot: string; claims: { holder: string }[] }>(
    200,
    'GET',
    `/api/v1/races/${race.raceId}/settlement`,
  );
  assert.equal(
    settled.ranking.map((r) => [r.cloneId, r.position]),
    [
      [a, 1],
      [b, 2],
    ],
  );
  assert.is((await ok<{ stage: string }>(200, 'GET', `/api/v1/races/${race.raceId}`)).stage, 'archived');
  for (const backer of [backer1, backer2]) {
    const proof = await ok<{ amountWei: string; proof: string[]; holder: string }>(
      200,
      'GET',
      `/api/v1/races/${race.raceId}/payouts/${backer.address.toLowerCase()}/proof`,
    );
    const leaf = [race.raceId, proof.holder, proof.amountWei];
    assert.ok(StandardMerkleTree.verify(settled.merkleRoot, ['string', 'address', 'uint256'], leaf, proof.proof));
    const withdrawal = economy.withdrawalRequests.find((w) => w.purpose === 'race_payout' && w.recipient === proof.holder);
    assert.is(withdrawal?.amountWei.toString(), proof.amountWei);
    const payouts = await ok<{ totalWei: string }>(200, 'GET', '/api/v1/me/payouts', { auth: backer.auth });
    assert.is(payouts.totalWei, proof.amountWei);
  }
  assert.is((await server.call('GET', `/api/v1/races/${race.raceId}/payouts/${carol.address}/proof`)).status, 404);
  const royalties = economy.withdrawalRequests.filter((w) => w.purpose === 'creator_royalty').map((w) => w.recipient);
  assert.equal(royalties.sort(), [alice.address, bob.address].sort());
  assert.is((await ok<{ stage: string }>(200, 'GET', '/api/v1/races/current')).stage, 'accumulating');
  assert.equal((await at(T0 + 36 * HOUR)).handOffs, 0, 'a repeated tick appends nothing');
  const retired = await ok<{ place: string }>(200, 'POST', `/api/v1/admin/arena/${b}/retire`, {
    auth: admin.auth,
    body: { reason: 'creator retired it' },
  });
  assert.is(retired.place, 'retired');
  const fame = await ok<{ entries: { cloneId: string; name: string; cause: string; career: { races: number; royaltiesWei: string } }[] }>(
    200,
    'GET',
    '/api/v1/hall-of-fame',
  );
  assert.equal(
    fame.entries.map((e) => [e.cloneId, e.name, e.career.races, e.cause]),
    [[b, 'Bravo', 1, 'admin']],
  );
  assert.match(fame.entries[0]?.career.royaltiesWei ?? '', /^\d+$/);
  assert.is(await lifecycle(bob, b), 'retired');

  const dbFile = copyOfDb(server.ledger.store.db);
  const trusted = ['--public-key', server.ledger.ledgerKey().publicKeyHex];
  const audited = await clash(['audit', 'race', race.raceId, '--db', dbFile, ...trusted]);
  assert.is(audited.code, 0, audited.stderr + audited.stdout);
  const shown = await clash(['race', 'show', race.raceId, '--db', dbFile]);
  assert.is(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, 'archived');

  const tampered = tamperedCopy(
    dbFile,
    `UPDATE events SET data = json_set(data, '${storedDataOf(TicketsBought.schema).path('tickets')}', 4) WHERE event_id = (SELECT event_id FROM events WHERE type = 'TicketsBought' AND stream_id = ? LIMIT 1)`,
    `race-${race.raceId}`,
  );
  // The altered ticket event is no longer the one the settlement's signed checkpoint covers: the
  // audit refuses it before recomputing, and `ledger verify` names its position.
  const caught = await clash(['audit', 'race', race.raceId, '--db', tampered, ...trusted]);
  assert.is(caught.code, 1);
  assert.match(caught.stderr, /first difference: inclusion in checkpoint \d+: position (\d+): the stored event is not the one included/);
  const position = /position (\d+)/.exec(caught.stderr)?.[1];
  const verified = await clash(['ledger', 'verify', '--db', tampered, ...trusted]);
  assert.is(verified.code, 1);
  assert.match(
    verified.stderr,
    `ledger differs at position ${position}: event at position ${position} differs from the leaf`,
    verified.stderr,
  );
});

test.after(async () => {
  await server.stop();
});

test.run();
