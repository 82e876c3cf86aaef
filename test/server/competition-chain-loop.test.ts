/**
 * The competition loop through the HTTP API against a real anvil and the real Economy (no
 * doubles: the server's own competition-economy adapter): sign in with wallets, pay audition
 * fees on chain, create and publish clones, audition on real BTC prices (pass, fail, retry,
 * void with the fee refunded on chain), queue, Arena, tickets bought on chain and handed to the
 * race, launch, trade, settle, Merkle proofs, payout and royalty withdrawals redeemed on chain,
 * the settlement audit by replay, and conservation of the vault's balance.
 */
import { join } from 'node:path';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Address, getAddress, type Hex } from 'viem';
import { importMarketFile } from '../../adapters/market/importers/import-file.ts';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { TicketsBought } from '../../commands/competition/race-events.ts';
import { CompetitionWorker } from '../../commands/competition/worker.ts';
import { storedDataOf } from '../../core/stored-data.ts';
import { competitionDeps } from '../../server/competition.ts';
import { competitionRules } from '../../server/competition-config.ts';
import { loadConfig } from '../../server/config.ts';
import { startChainFixture, testAccount } from '../support/chain.ts';
import { clash } from '../support/cli.ts';
import { competitionClient, copyOfDb, tamperedCopy } from '../support/competition-http.ts';
import { FEE, startEconomyServer, userWithWallet } from '../support/economy.ts';
import { sharedData } from '../support/prop-trading.ts';

const HOUR = 3_600_000;
/** As in competition-loop.test.ts: BTC rises about 2.9% from 22:00 UTC on 2025-06-05 to 14:40 the next day without falling 1%. */
const T0 = Date.UTC(2025, 5, 5, 21, 0);
const SERVICE = 'worker-secret-0123456789abcdef';
/** Not the default: tickets must be quoted at the race's own price. */
const TICKET_PRICE = 2n * FEE;
const started = Date.now();

const data = sharedData();
// The chain starts a minute before T0 (the server's clock starts at the chain's time), so quote deadlines
// (manual clock + TTL) hold on chain; `at` keeps the chain following the clock.
const chain = await startChainFixture({ timestamp: T0 / 1000 - 60 });
const server = await startEconomyServer(chain, undefined, {
  CLASH_ADMIN_ADDRESSES: testAccount('admin').address,
  CLASH_SERVICE_TOKENS: `worker:${SERVICE}`,
  CLASH_COMPETITION_TICK_MS: '0',
  ECONOMY_TICKET_PRICE_WEI: String(TICKET_PRICE),
});
// The worker the server would run (its rules from the configuration), ticked by hand.
const rules = competitionRules(loadConfig({ ECONOMY_TICKET_PRICE_WEI: String(TICKET_PRICE) }));
const worker = new CompetitionWorker({ ...competitionDeps(server.ledger, server.competitionEconomy), rules });
const api = competitionClient(server, SERVICE);
const { ok } = api;
const wallet = (name: string) => userWithWallet(server, chain, name);
const [admin, alice, bob, carol, backer1, backer2] = [
  await wallet('admin'),
  await wallet('alice'),
  await wallet('bob'),
  await wallet('carol'),
  await wallet('backer1'),
  await wallet('backer2'),
];
type Wallet = typeof alice;
/** Redeems every withdrawal, so a recipient's balance moves by exactly the amount (no gas of theirs). */
const relayer = await chain.wallet('relayer');
const balance = (address: Address) => chain.client.getBalance({ address });

/** Moves the clock (and the chain's next block), renews every session, and ticks the competition worker there. */
async function at(ms: number) {
  server.clock.set(ms);
  await chain.follow(ms);
  for (const u of [admin, alice, bob, carol, backer1, backer2]) await u.user.renew();
  return worker.tick(ms);
}

let deposited = 0n;
let redeemed = 0n;

/** Quote → deposit from the buyer's wallet → pending until 3 confirmations → verified. */
async function pay(buyer: Wallet, purchase: Record<string, unknown>) {
  const q = await buyer.quote(purchase);
  const tx = await buyer.pay(q);
  const pending = await buyer.submit(q.quote.id, tx);
  assert.equal([pending.status, (pending.body as { reason: string }).reason], [202, 'awaiting_confirmations']);
  await chain.testClient.mine({ blocks: 2 });
  const verified = await buyer.submit(q.quote.id, tx);
  assert.is(verified.status, 200, JSON.stringify(verified.body));
  deposited += BigInt(q.quote.amount);
  return { ...q.quote, payment: verified.body as { status: string; auditionCredit: string | null } };
}

interface Withdrawal {
  withdrawalId: Hex;
  purpose: string;
  reference: string;
  authorization: { id: Hex; recipient: Address; amount: string; deadline: string };
  signature: Hex;
}
const withdrawalsOf = async (owner: Wallet) =>
  (await ok<{ withdrawals: Withdrawal[] }>(200, 'GET', '/api/v1/me/withdrawals', { auth: owner.user.auth })).withdrawals;

/** The relayer redeems the withdrawal at the vault; the recipient's balance moves by exactly its amount. */
async function redeem(w: Withdrawal) {
  const amount = BigInt(w.authorization.amount);
  const before = await balance(w.authorization.recipient);
  await chain.withdraw(relayer, { ...w.authorization, amount, deadline: BigInt(w.authorization.deadline) }, w.signature);
  assert.is((await balance(w.authorization.recipient)) - before, amount, `${w.purpose} ${w.reference}`);
  redeemed += amount;
}

interface RaceDetail {
  raceId: string;
  stage: string;
  launchAt: string;
  ticketPriceWei: string;
  tickets: number;
  poolWei: string;
  pool: { cloneId: string; tickets: number; amountWei: string }[];
  entrants: { cloneId: string; creator: string; propAccountId: string }[];
}
interface Settlement {
  grossPoolWei: string;
  ranking: { cloneId: string; position: number }[];
  royalties: { creator: string; cloneId: string; amountWei: string }[];
  claims: { holder: string; amountWei: string }[];
  merkleRoot: string;
}

test('the loop on chain: fees, auditions, tickets, launch, settlement, proofs, withdrawals redeemed, audit, conservation', async () => {
  if (!data) return;
  const memory = new MarketMemory(server.ledger.store.db);
  importMarketFile(memory, join(data, 'market/hyperliquid/python-sdk/responses/meta.2023-07-17.json'));
  importMarketFile(memory, join(data, 'market/candles-1m/bybit-linear/BTCUSDT_1m.csv'));
  const vaultBefore = await balance(chain.vault.address);
  await at(T0);

  // Clones: drafted, the audition fee paid on chain (it grants the Starter entitlement), then published.
  async function paidClone(owner: Wallet, name: string): Promise<string> {
    const id = await api.draftClone(owner.user.auth, name);
    const fee = await pay(owner, { kind: 'audition_fee', cloneId: id });
    assert.equal([fee.amount, fee.payment.auditionCredit], [FEE.toString(), 'available']);
    await api.publish(owner.user.auth, id);
    return id;
  }
  const [a, b, c, d] = [
    await paidClone(alice, 'Alpha'),
    await paidClone(bob, 'Bravo'),
    await paidClone(carol, 'Charlie'),
    await paidClone(alice, 'Delta'),
  ];

  // Auditions on the audition credits; three go long and pass, Charlie goes short and fails.
  await at(T0 + HOUR);
  const submit = (owner: Wallet, cloneId: string) => api.submitAudition(owner.user.auth, cloneId);
  const [ua, ub, uc, ud] = [await submit(alice, a), await submit(bob, b), await submit(carol, c), await submit(alice, d)];
  assert.is(ua.status, 'running');
  const feeOfC = await ok<{ auditionCredit: string }>(200, 'GET', `/api/v1/economy/payments/${uc.feePaymentId}`, { auth: carol.user.auth });
  assert.is(feeOfC.auditionCredit, 'consumed');
  for (const u of [ua, ub, ud]) await api.trade(u.propAccountId, { action: 'open', side: 'long', notionalUsd: '40000', leverage: 10 });
  await api.trade(uc.propAccountId, { action: 'open', side: 'short', notionalUsd: '40000', leverage: 10 });
  for (let t = T0 + 2 * HOUR; t <= T0 + 17 * HOUR; t += HOUR) await at(t);
  assert.is((await api.audition(carol.user.auth, uc.auditionId)).status, 'failed');
  await at(Date.UTC(2025, 5, 6, 14, 40));
  for (const u of [ua, ub, ud]) await api.trade(u.propAccountId, { action: 'close', side: 'long' });
  for (let t = T0 + 18 * HOUR; t <= T0 + 25 * HOUR; t += HOUR) await at(t);
  for (const [u, owner] of [
    [ua, alice],
    [ub, bob],
    [ud, alice],
  ] as const) {
    assert.is((await api.audition(owner.user.auth, u.auditionId)).status, 'passed');
  }
  const arena = await ok<{ occupied: { cloneId: string }[] }>(200, 'GET', '/api/v1/arena');
  assert.equal(arena.occupied.map((s) => s.cloneId).sort(), [a, b, d].sort());

  // Carol retries on the same fee; an admin voids it; the adapter authorizes the refund; Carol's fee comes back on chain.
  const retried = await ok<{ attempt: number }>(200, 'POST', `/api/v1/auditions/${uc.auditionId}/retry`, { auth: carol.user.auth });
  assert.is(retried.attempt, 2);
  await ok(200, 'POST', `/api/v1/admin/auditions/${uc.auditionId}/void`, { auth: admin.user.auth, body: { reason: 'strategy copied' } });
  await at(T0 + 26 * HOUR);
  const [refund, ...others] = await withdrawalsOf(carol);
  assert.equal(others, []);
  assert.equal(
    [refund?.purpose, refund?.reference, refund?.authorization.recipient, refund?.authorization.amount],
    ['audition_refund', uc.feePaymentId, carol.account.address, FEE.toString()],
  );
  const shown = await ok<Withdrawal>(200, 'GET', `/api/v1/economy/withdrawals/${refund?.withdrawalId}`, { auth: carol.user.auth });
  assert.is(shown.signature, refund?.signature);
  await redeem(refund as Withdrawal);
  const refunded = await ok<{ status: string }>(200, 'GET', `/api/v1/economy/payments/${uc.feePaymentId}`, { auth: carol.user.auth });
  assert.is(refunded.status, 'refunded');

  // Tickets bought on chain for the current race and handed to it by the Economy.
  const race = await ok<RaceDetail>(200, 'GET', '/api/v1/races/current');
  assert.equal([race.launchAt, race.ticketPriceWei], [new Date(T0 + 30 * HOUR).toISOString(), TICKET_PRICE.toString()]);
  const buy = (buyer: Wallet, cloneId: string, tickets: number) =>
    pay(buyer, { kind: 'race_tickets', raceId: race.raceId, cloneId, tickets });
  const q1 = await buy(backer1, a, 3);
  assert.is(BigInt(q1.amount), 3n * TICKET_PRICE, 'a ticket quote is priced at the race’s ticket price');
  await buy(backer1, b, 1);
  await buy(backer2, b, 2);
  await buy(backer1, d, 2);
  const current = await ok<RaceDetail>(200, 'GET', '/api/v1/races/current');
  assert.equal([current.tickets, current.poolWei], [8, (8n * TICKET_PRICE).toString()]);
  const counts = (lines: { cloneId: string; tickets: number }[]) => Object.fromEntries(lines.map((l) => [l.cloneId, l.tickets]));
  assert.equal(counts(current.pool), { [a]: 3, [b]: 3, [d]: 2 });
  const mine = await ok<{ positions: { cloneId: string; tickets: number }[] }>(200, 'GET', '/api/v1/me/tickets', {
    auth: backer1.user.auth,
  });
  assert.equal(counts(mine.positions), { [a]: 3, [b]: 1, [d]: 2 });

  // Delta leaves the Arena before the launch: its tickets are refunded through the adapter.
  await ok(200, 'POST', `/api/v1/admin/arena/${d}/remove`, { auth: admin.user.auth, body: { reason: 'creator asked' } });
  // A ticket payment the race can no longer take: quoted and deposited while the race sold tickets, verified after its launch.
  const late = await backer2.quote({ kind: 'race_tickets', raceId: race.raceId, cloneId: a, tickets: 1 });
  const lateTx = await backer2.pay(late);
  deposited += BigInt(late.quote.amount);
  await at(T0 + 30 * HOUR);
  await chain.testClient.mine({ blocks: 2 });
  const lateAnswer = await backer2.submit(late.quote.id, lateTx);
  assert.equal([lateAnswer.status, (lateAnswer.body as { status: string }).status], [200, 'refunded'], JSON.stringify(lateAnswer.body));
  const head = server.ledger.store.headPosition();
  assert.is((await backer2.submit(late.quote.id, lateTx)).status, 200);
  assert.is(server.ledger.store.headPosition(), head, 'the refused payment submitted again appends nothing');
  const lateRefund = (await withdrawalsOf(backer2)).find((w) => w.reference === late.quote.id);
  assert.equal([lateRefund?.purpose, lateRefund?.authorization.amount], ['ticket_refund', late.quote.amount]);
  await redeem(lateRefund as Withdrawal);
  const launched = await ok<RaceDetail>(200, 'GET', `/api/v1/races/${race.raceId}`);
  assert.equal([launched.stage, launched.entrants.length, launched.tickets], ['live', 2, 6]);
  const ticketRefunds = (await withdrawalsOf(backer1)).filter((w) => w.purpose === 'ticket_refund');
  assert.equal(
    ticketRefunds.map((w) => w.authorization.amount),
    [(2n * TICKET_PRICE).toString()],
  );
  await redeem(ticketRefunds[0] as Withdrawal);

  // The race: Alpha long, Bravo short, on real prices; close and settle by ticks.
  const account = (id: string) => launched.entrants.find((e) => e.cloneId === id)?.propAccountId as string;
  await api.trade(account(a), { action: 'open', side: 'long', notionalUsd: '20000', leverage: 5 });
  await api.trade(account(b), { action: 'open', side: 'short', notionalUsd: '20000', leverage: 5 });
  for (let t = T0 + 31 * HOUR; t <= T0 + 36 * HOUR; t += HOUR) await at(t);
  const settled = await ok<Settlement>(200, 'GET', `/api/v1/races/${race.raceId}/settlement`);
  assert.equal(
    settled.ranking.map((r) => [r.cloneId, r.position]),
    [
      [a, 1],
      [b, 2],
    ],
  );
  assert.is(settled.grossPoolWei, (6n * TICKET_PRICE).toString());
  assert.is((await ok<{ stage: string }>(200, 'GET', `/api/v1/races/${race.raceId}`)).stage, 'archived');

  // Each holder's proof verifies against the recorded root; their payout withdrawal is theirs, for the claim; redeemed on chain.
  for (const backer of [backer1, backer2]) {
    const proof = await ok<{ amountWei: string; proof: string[]; holder: string }>(
      200,
      'GET',
      `/api/v1/races/${race.raceId}/payouts/${backer.account.address.toLowerCase()}/proof`,
    );
    assert.is(getAddress(proof.holder), backer.account.address);
    assert.ok(
      StandardMerkleTree.verify(
        settled.merkleRoot,
        ['string', 'address', 'uint256'],
        [race.raceId, proof.holder, proof.amountWei],
        proof.proof,
      ),
    );
    const payouts = (await withdrawalsOf(backer)).filter((w) => w.purpose === 'race_payout');
    assert.equal(
      payouts.map((w) => [w.reference, w.authorization.recipient, w.authorization.amount]),
      [[race.raceId, backer.account.address, proof.amountWei]],
    );
    await redeem(payouts[0] as Withdrawal);
  }
  // Royalties for both placed creators; Alice's redeemed on chain.
  for (const [creator, cloneId] of [
    [alice, a],
    [bob, b],
  ] as [Wallet, string][]) {
    const line = settled.royalties.find((r) => r.cloneId === cloneId);
    const royalties = (await withdrawalsOf(creator)).filter((w) => w.purpose === 'royalty');
    assert.equal(
      royalties.map((w) => [w.reference, w.authorization.recipient, w.authorization.amount]),
      [[race.raceId, creator.account.address, line?.amountWei]],
    );
    if (creator === alice) await redeem(royalties[0] as Withdrawal);
  }
  assert.equal((await at(T0 + 36 * HOUR)).handOffs, 0, 'a repeated tick asks for nothing again');

  // The audit by replay over the server's own database; then over a copy with one ticket count changed.
  const audited = await clash(['audit', 'race', race.raceId, '--db', server.ledger.store.db.name]);
  assert.is(audited.code, 0, audited.stderr + audited.stdout);
  const tampered = tamperedCopy(
    copyOfDb(server.ledger.store.db),
    `UPDATE events SET data = json_set(data, '${storedDataOf(TicketsBought.schema).path('tickets')}', 4) WHERE event_id = (SELECT event_id FROM events WHERE type = 'TicketsBought' AND stream_id = ? ORDER BY position LIMIT 1)`,
    `race-${race.raceId}`,
  );
  const caught = await clash(['audit', 'race', race.raceId, '--db', tampered, '--public-key', server.ledger.ledgerKey().publicKeyHex]);
  assert.is(caught.code, 1);
  assert.match(caught.stderr, /first difference: inclusion in checkpoint \d+: position \d+: the stored event is not the one included/);

  // Conservation: the vault holds exactly what was deposited minus what was redeemed.
  assert.is((await balance(chain.vault.address)) - vaultBefore, deposited - redeemed);
  console.log(`  (competition chain loop: ${Date.now() - started} ms)`);
});

test.after(async () => {
  await server.stop();
  await chain.stop();
});

test.run();
