/** HTTP routes for the example wallet domain, used to test the server's wiring and error mapping. */
import { createRoute, z } from '@hono/zod-openapi';
import { CommandHandler } from '../../../core/decider.ts';
import { zNonNegativeAmount } from '../../../core/money.ts';
import type { RouteModule } from '../../../server/route-module.ts';
import { walletDecider } from './decider.ts';

const DepositBody = z.object({
  amount: z.string().regex(/^(0|[1-9]\d*)$/, 'must be a non-negative integer string'),
  memo: z.string().max(40),
  expectedVersion: z.number().int().min(0).optional(),
});

const deposit = createRoute({
  method: 'post',
  path: '/api/v1/test/wallets/{walletId}/deposits',
  request: {
    params: z.object({ walletId: z.string().min(1).max(20) }),
    body: { content: { 'application/json': { schema: DepositBody } }, required: true },
  },
  responses: {
    201: { description: 'deposited', content: { 'application/json': { schema: z.object({ position: z.number(), balance: z.string() }) } } },
  },
});

export const walletRoutes: RouteModule = (app, { ledger }) => {
  const wallets = new CommandHandler(ledger.store, walletDecider);
  app.openapi(deposit, (c) => {
    const { walletId } = c.req.valid('param');
    const body = c.req.valid('json');
    const streamId = `wallet-${walletId}`;
    if (ledger.store.streamVersion(streamId) === 0) {
      wallets.handle({ streamId, command: { type: 'OpenWallet', walletId, owner: 'http', at: ledger.clock.now() } });
    }
    const command = {
      type: 'Deposit' as const,
      walletId,
      amount: zNonNegativeAmount.decode(body.amount),
      memo: body.memo,
      at: ledger.clock.now(),
    };
    const key = c.req.header('idempotency-key');
    const result =
      body.expectedVersion === undefined
        ? wallets.handle({ streamId, command, ...(key ? { idempotencyKey: key, idempotencyPayload: body } : {}) })
        : (() => {
            const append = ledger.store.append(streamId, wallets.decider.decide(command, wallets.load(streamId).state), {
              expectedVersion: body.expectedVersion,
            });
            return { append, state: wallets.load(streamId).state };
          })();
    return c.json({ position: result.append.positions[0] ?? 0, balance: result.state.balance.toString() }, 201);
  });
  app.get('/api/v1/test/boom', () => {
    throw new Error('secret internals: /etc/passwd');
  });
};
