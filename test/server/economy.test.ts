/**
 * The payment flow through the HTTP API against a real anvil: quote, deposit from a viem wallet,
 * submit (pending until 3 confirmations, then verified), the audition credit and entitlement, the
 * ticket hand-off, a reorg, every refusal, and idempotent resubmission.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Hex, keccak256, toHex } from 'viem';
import { id32, startChainFixture, testAccount } from '../support/chain.ts';
import { FEE, startEconomyServer, ticketDoubles, userWithWallet } from '../support/economy.ts';
import { codeOf } from '../support/server.ts';

const chain = await startChainFixture();
const tickets = ticketDoubles();
const adminAddress = testAccount('carol-admin').address;
const server = await startEconomyServer(chain, tickets.ports, { CLASH_ADMIN_ADDRESSES: adminAddress });
const alice = await userWithWallet(server, chain, 'alice');
const bob = await userWithWallet(server, chain, 'bob');
const carolAdmin = await userWithWallet(server, chain, 'carol-admin');
const head = () => server.ledger.store.headPosition();
const mine = (blocks: number) => chain.testClient.mine({ blocks });

async function cloneOf(user: typeof alice, name: string): Promise<string> {
  const res = await user.call('POST', '/api/v1/clones', { name, modelTier: 'basic' });
  return (res.body as { id: string }).id;
}
const aliceClone = await cloneOf(alice, 'Alice Alpha');

test('audition fee: quote → deposit → pending until 3 confirmations → verified → credit and entitlement', async () => {
  const q = await alice.quote({ kind: 'audition_fee', cloneId: aliceClone });
  assert.is(q.quote.payer, alice.account.address);
  assert.is(q.quote.amount, FEE.toString());
  assert.is(q.quote.purpose, 1);
  const tx = await alice.pay(q);

  const pending = await alice.submit(q.quote.id, tx);
  assert.is(pending.status, 202);
  assert.equal(pending.body, { status: 'pending', txHash: tx, reason: 'awaiting_confirmations', confirmations: '1', required: '3' });
  const afterPending = head();
  assert.is((await alice.submit(q.quote.id, tx)).status, 202);
  assert.is(head(), afterPending, 'a pending resubmission appends nothing');
  assert.is(((await alice.call('GET', `/api/v1/economy/payments/${q.quote.id}`)).body as { status: string }).status, 'pending');

  await mine(2);
  const verified = await alice.submit(q.quote.id, tx);
  assert.is(verified.status, 200);
  const payment = verified.body as Record<string, unknown>;
  assert.is(payment.status, 'verified');
  assert.is(payment.txHash, tx);
  assert.is(payment.amountWei, FEE.toString());
  assert.is(payment.auditionCredit, 'available');

  const entitlement = (await alice.call('GET', `/api/v1/clones/${aliceClone}/entitlement`)).body as Record<string, unknown>;
  assert.is(entitlement.tier, 'starter');
  assert.is(entitlement.grantedBy, 'payment');

  const settled = head();
  const again = await alice.submit(q.quote.id, tx);
  assert.is(again.status, 200);
  assert.equal(again.body, verified.body);
  assert.is(head(), settled, 'the same (quoteId, txHash) again appends nothing');
});

test('tickets: refused when the race is not selling; a verified ticket payment is handed to the race', async () => {
  const closed = await alice.call('POST', '/api/v1/economy/quotes', {
    kind: 'race_tickets',
    raceId: 'race-closed',
    cloneId: aliceClone,
    tickets: 2,
  });
  assert.is(closed.status, 422);
  assert.is(codeOf(closed.body), 'race_not_accumulating');

  const q = await bob.quote({ kind: 'race_tickets', raceId: 'race-open', cloneId: aliceClone, tickets: 3 });
  assert.is(q.quote.amount, (3n * FEE).toString());
  assert.is(q.quote.purpose, 2);
  const tx = await bob.pay(q);
  await mine(2);
  assert.is((await bob.submit(q.quote.id, tx)).status, 200);
  assert.equal(tickets.bought, [
    { paymentId: q.quote.id, raceId: 'race-open', cloneId: aliceClone, holder: bob.account.address, count: 3, amountWei: 3n * FEE },
  ]);
  tickets.openRaces.set('race-dear', 5n * FEE);
  const dear = await bob.quote({ kind: 'race_tickets', raceId: 'race-dear', cloneId: aliceClone, tickets: 2 });
  assert.is(dear.quote.amount, (10n * FEE).toString(), 'tickets are quoted at their race’s price, not a configured one');
});

test('a ticket payment the race refuses once verified is refunded in full, once; a race that is down is retried', async () => {
  tickets.openRaces.set('race-late', FEE);
  const q = await bob.quote({ kind: 'race_tickets', raceId: 'race-late', cloneId: aliceClone, tickets: 2 });
  const tx = await bob.pay(q);
  await mine(2);
  tickets.state.down = true;
  const down = await bob.submit(q.quote.id, tx);
  assert.equal([down.status, codeOf(down.body)], [503, 'race_unreachable']);
  tickets.state.down = false;
  tickets.refusing.add('race-late'); // it launched before the payment reached it
  const res = await bob.submit(q.quote.id, tx);
  assert.is(res.status, 200);
  const payment = res.body as { status: string; refundWithdrawalId: Hex };
  assert.is(payment.status, 'refunded');
  const after = head();
  assert.is((await bob.submit(q.quote.id, tx)).status, 200);
  assert.is(head(), after, 'a refunded payment submitted again appends nothing');
  assert.equal(
    tickets.bought.filter((b) => b.raceId === 'race-late'),
    [],
  );

  const w = (await bob.call('GET', `/api/v1/economy/withdrawals/${payment.refundWithdrawalId}`)).body as {
    purpose: string;
    authorization: { id: Hex; recipient: Hex; amount: string; deadline: string };
    signature: Hex;
  };
  assert.equal([w.purpose, w.authorization.recipient, w.authorization.amount], ['ticket_refund', bob.account.address, q.quote.amount]);
  const before = await chain.client.getBalance({ address: bob.account.address });
  const redeem = { ...w.authorization, amount: BigInt(w.authorization.amount), deadline: BigInt(w.authorization.deadline) };
  await chain.withdraw(alice.wallet, redeem, w.signature);
  assert.is((await chain.client.getBalance({ address: bob.account.address })) - before, 2n * FEE);
});

test('refusals, each with its own code, appending nothing but a refused transaction', async () => {
  const [a, b, c] = [
    await alice.quote({ kind: 'audition_fee', cloneId: aliceClone }),
    await alice.quote({ kind: 'audition_fee', cloneId: aliceClone }),
    await alice.quote({ kind: 'audition_fee', cloneId: aliceClone }),
  ];
  const txA = await alice.pay(a);
  await mine(2);

  // A transaction that paid quote A is not a payment of quote B; the refusal is recorded once.
  const wrong = await alice.submit(b.quote.id, txA);
  assert.is(wrong.status, 422);
  assert.is(codeOf(wrong.body), 'quote_id_mismatch');
  const refusedAt = head();
  assert.is(codeOf((await alice.submit(b.quote.id, txA)).body), 'quote_id_mismatch');
  assert.is(head(), refusedAt);
  const shown = (await alice.call('GET', `/api/v1/economy/payments/${b.quote.id}`)).body as Record<string, unknown>;
  assert.equal([shown.status, shown.refusal], ['refused', 'quote_id_mismatch']);

  assert.is((await alice.submit(a.quote.id, txA)).status, 200);
  const cases: [string, () => Promise<{ status: number; body: unknown }>, number, string][] = [
    ['tx of another quote', () => alice.submit(c.quote.id, txA), 409, 'tx_already_used'],
    ['unknown quote', () => alice.submit(id32('never-quoted'), txA), 404, 'quote_not_found'],
    ['not the owner', () => bob.submit(c.quote.id, txA), 403, 'forbidden'],
    ['an admin, for someone else’s quote', () => carolAdmin.submit(c.quote.id, txA), 403, 'forbidden'],
    ['not the owner reads', () => bob.call('GET', `/api/v1/economy/payments/${c.quote.id}`), 403, 'forbidden'],
    [
      'no session',
      () => server.call('POST', '/api/v1/economy/payments', { body: { quoteId: c.quote.id, txHash: txA } }),
      401,
      'unauthorized',
    ],
    ['bad body', () => alice.call('POST', '/api/v1/economy/payments', { quoteId: 'x', txHash: 7 }), 400, 'validation_failed'],
    [
      'bad quote body',
      () => alice.call('POST', '/api/v1/economy/quotes', { kind: 'race_tickets', raceId: 'race-open', cloneId: aliceClone, tickets: 0 }),
      400,
      'validation_failed',
    ],
    [
      'someone else’s clone',
      () => bob.call('POST', '/api/v1/economy/quotes', { kind: 'audition_fee', cloneId: aliceClone }),
      403,
      'forbidden',
    ],
    [
      'unknown clone',
      () => alice.call('POST', '/api/v1/economy/quotes', { kind: 'audition_fee', cloneId: 'no-such-clone' }),
      404,
      'clone_not_found',
    ],
  ];
  for (const [name, call, status, code] of cases) {
    const before = head();
    const res = await call();
    assert.is(res.status, status, name);
    assert.is(codeOf(res.body), code, name);
    assert.is(head(), before, name);
  }
  const bad = await alice.call('POST', '/api/v1/economy/payments', { quoteId: 'x', txHash: 7 });
  const fields = ((bad.body as { error: { details: { issues: { path: string }[] } } }).error.details.issues ?? []).map((i) => i.path);
  assert.ok(fields.some((f) => f.includes('quoteId')) && fields.some((f) => f.includes('txHash')), JSON.stringify(fields));

  // A second transaction for a settled quote: B pays, then B's transaction is offered to A.
  const txB = await alice.pay(b);
  await mine(2);
  assert.is((await alice.submit(b.quote.id, txB)).status, 200);
  const second = await alice.submit(a.quote.id, txB);
  assert.equal([second.status, codeOf(second.body)], [409, 'payment_already_settled']);
});

test('a deposit reorged away before its confirmations is never verified', async () => {
  const q = await alice.quote({ kind: 'audition_fee', cloneId: aliceClone });
  const snapshot = await chain.testClient.snapshot();
  const tx = await alice.pay(q);
  assert.is((await alice.submit(q.quote.id, tx)).status, 202);
  await chain.testClient.revert({ id: snapshot });
  await mine(3);
  const res = await alice.submit(q.quote.id, tx);
  assert.is(res.status, 202);
  assert.is((res.body as { reason: string }).reason, 'not_found');
  assert.is(((await alice.call('GET', `/api/v1/economy/payments/${q.quote.id}`)).body as { status: string }).status, 'pending');
});

test('a quote expired with nothing in a block is refused', async () => {
  const q = await alice.quote({ kind: 'audition_fee', cloneId: aliceClone });
  server.clock.advance(901_000);
  const again = await userWithWallet(server, chain, 'alice'); // the old access token expired too
  const before = head();
  const res = await again.submit(q.quote.id, keccak256(toHex('a transaction nobody sent')));
  assert.equal([res.status, codeOf(res.body)], [422, 'quote_expired']);
  assert.is(head(), before);
});

test.after(async () => {
  await server.stop();
  await chain.stop();
});
test.run();
