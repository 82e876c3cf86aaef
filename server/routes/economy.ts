/**
 * Economy routes: quotes, payment submission and status, withdrawal authorizations. Amounts are
 * wei as decimal strings. Writing routes need the chain (503 `chain_not_configured` without one);
 * reads come from the economy read model.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { getAddress, type Hash } from 'viem';
import { ClashError } from '../../core/errors.ts';
import { paymentOf, withdrawalOf, withdrawalsOf } from '../../projections/economy/queries.ts';
import { actorOf, Forbidden, type Principal, requireUser, Unauthorized } from '../auth.ts';
import type { Economy } from '../economy.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { ownedClone } from './clone-access.ts';
import {
  PaymentBody,
  PaymentSchema,
  PendingSchema,
  paymentView,
  QuoteBody,
  QuoteParams,
  QuoteSchema,
  quoteView,
  WithdrawalParams,
  WithdrawalSchema,
  withdrawalView,
} from './economy-schemas.ts';
import { errorsOf, json } from './schemas.ts';

const routes = {
  quote: createRoute({
    method: 'post',
    ...secured('user'),
    path: '/api/v1/economy/quotes',
    tags: ['economy'],
    summary: 'Quote an audition fee (for a clone you own) or race tickets: the signed EIP-712 quote to pay at the vault',
    request: { body: { content: json(QuoteBody), required: true } },
    responses: { 201: { description: 'Quoted', content: json(QuoteSchema) }, ...errorsOf(400, 401, 403, 404, 422, 503) },
  }),
  submit: createRoute({
    method: 'post',
    ...secured('user'),
    path: '/api/v1/economy/payments',
    tags: ['economy'],
    summary: 'Submit the transaction that paid a quote; 202 while it is pending (poll again), 200 once verified',
    request: { body: { content: json(PaymentBody), required: true } },
    responses: {
      200: { description: 'Verified', content: json(PaymentSchema) },
      202: { description: 'Pending: not yet in a block, or too few confirmations; submit again later', content: json(PendingSchema) },
      ...errorsOf(400, 401, 403, 404, 409, 422, 503),
    },
  }),
  payment: createRoute({
    method: 'get',
    ...secured('user_or_service'),
    path: '/api/v1/economy/payments/{quoteId}',
    tags: ['economy'],
    summary: 'A quote and its payment status',
    request: { params: QuoteParams },
    responses: { 200: { description: 'The payment', content: json(PaymentSchema) }, ...errorsOf(400, 401, 403, 404) },
  }),
  withdrawal: createRoute({
    method: 'get',
    ...secured('user_or_service'),
    path: '/api/v1/economy/withdrawals/{id}',
    tags: ['economy'],
    summary: 'A signed withdrawal authorization, for its owner to redeem at the vault',
    request: { params: WithdrawalParams },
    responses: { 200: { description: 'The withdrawal', content: json(WithdrawalSchema) }, ...errorsOf(400, 401, 403, 404) },
  }),
  mine: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/me/withdrawals',
    tags: ['economy'],
    summary: "The caller's withdrawal authorizations",
    responses: {
      200: { description: 'Withdrawals', content: json(z.object({ withdrawals: z.array(WithdrawalSchema) })) },
      ...errorsOf(401, 403),
    },
  }),
};

/** The economy, or 503 `chain_not_configured` when no chain is configured. */
export function requireChain(economy: Economy | null): Economy {
  if (!economy)
    throw new ClashError('chain_not_configured', 'unavailable', 'no chain is configured: set CHAIN_RPC_URL, CHAIN_ID and VAULT_ADDRESS');
  return economy;
}

/** Owners read their own; admins and services read everything. */
function requireOwner(p: Principal | null, ownerUserId: string, what: string): void {
  if (!p) throw new Unauthorized();
  if (p.kind === 'service' || p.admin) return;
  if (p.userId !== ownerUserId) throw new Forbidden(`this ${what} belongs to someone else`);
}

export const economyRoutes: RouteModule = (app, { ledger, economy }) => {
  const db = ledger.store.db;
  const existingPayment = (quoteId: string) => {
    const payment = paymentOf(db, quoteId.toLowerCase());
    if (!payment) throw new ClashError('quote_not_found', 'not_found', `quote ${quoteId} was never issued`);
    return payment;
  };

  app.openapi(routes.quote, async (c) => {
    const principal = c.get('principal');
    const user = requireUser(principal);
    const purchase = c.req.valid('json');
    if (purchase.kind === 'audition_fee') ownedClone(db, purchase.cloneId, principal);
    const quote = await requireChain(economy).quotes.quote(purchase, getAddress(user.address), actorOf(user));
    return c.json(quoteView(quote), 201);
  });

  app.openapi(routes.submit, async (c) => {
    const user = requireUser(c.get('principal'));
    const body = c.req.valid('json');
    const payment = existingPayment(body.quoteId);
    requireOwner(user, payment.ownerUserId, 'quote');
    const answer = await requireChain(economy).payments.submit(payment.quoteId as Hash, body.txHash.toLowerCase() as Hash, actorOf(user));
    if (answer.status === 'verified') return c.json(paymentView(existingPayment(answer.quoteId)), 200);
    const { txHash, reason, confirmations, required } = answer;
    return c.json(
      { status: 'pending' as const, txHash, reason, confirmations: confirmations.toString(), required: required.toString() },
      202,
    );
  });

  app.openapi(routes.payment, (c) => {
    const payment = existingPayment(c.req.valid('param').quoteId);
    requireOwner(c.get('principal'), payment.ownerUserId, 'quote');
    return c.json(paymentView(payment), 200);
  });

  app.openapi(routes.withdrawal, (c) => {
    const id = c.req.valid('param').id;
    const withdrawal = withdrawalOf(db, id.toLowerCase());
    if (!withdrawal) throw new ClashError('withdrawal_not_found', 'not_found', `withdrawal ${id} not found`);
    requireOwner(c.get('principal'), withdrawal.ownerUserId, 'withdrawal');
    return c.json(withdrawalView(withdrawal), 200);
  });

  app.openapi(routes.mine, (c) => {
    const user = requireUser(c.get('principal'));
    return c.json({ withdrawals: withdrawalsOf(db, user.userId).map(withdrawalView) }, 200);
  });
};
