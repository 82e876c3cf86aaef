/** An in-memory Economy for competition tests: audition credits granted by hand, and every refund and withdrawal it was asked for. */
import { type Address, getAddress } from 'viem';
import type { CompetitionFacts } from '../../commands/competition/facts.ts';
import type { CompetitionEconomy, RefundAuthorizer, TicketPurchaseSink, WithdrawalAuthorizer } from '../../commands/competition/ports.ts';

/** Facts for worker tests: clone `x` is owned by `user-x`, whose wallet is derived from the id; version v1; every profile approved. */
export const testFacts: CompetitionFacts = {
  ownerOf: (cloneId) => `user-${cloneId}`,
  walletOf: (userId) => getAddress(`0x${Buffer.from(userId.padEnd(20, '.')).toString('hex').slice(0, 40)}`),
  activeVersionOf: () => 'v1',
  approved: (cloneIds) => [...cloneIds],
  auditionFigures: () => undefined,
};

export class TestEconomy implements CompetitionEconomy {
  private paid = 0;
  /** cloneId → unused audition fee payment ids. */
  private readonly unused = new Map<string, string[]>();
  readonly refundRequests: Parameters<RefundAuthorizer['refund']>[0][] = [];
  readonly withdrawalRequests: Parameters<WithdrawalAuthorizer['authorize']>[0][] = [];

  /** The dev/admin path: a verified audition fee for this clone. */
  grantAuditionCredit(cloneId: string): string {
    const paymentId = `fee-${++this.paid}`;
    this.unused.set(cloneId, [...(this.unused.get(cloneId) ?? []), paymentId]);
    return paymentId;
  }

  /** A verified ticket payment handed to the competition; returns the payment id. */
  buyTickets(sink: TicketPurchaseSink, raceId: string, holder: Address, cloneId: string, count: number, priceWei: bigint): string {
    const paymentId = `tickets-${++this.paid}`;
    sink.recordTicketPurchase({ paymentId, raceId, cloneId, holder, count, amountWei: BigInt(count) * priceWei });
    return paymentId;
  }

  readonly credits: CompetitionEconomy['credits'] = {
    consume: ({ cloneId }) => {
      const [paymentId, ...rest] = this.unused.get(cloneId) ?? [];
      if (!paymentId) return { refused: 'no_unused_fee' };
      this.unused.set(cloneId, rest);
      return { paymentId };
    },
  };

  readonly refunds: RefundAuthorizer = {
    refund: (request) => {
      if (!this.refundRequests.some((r) => r.refundId === request.refundId)) this.refundRequests.push(request);
    },
  };

  readonly withdrawals: WithdrawalAuthorizer = {
    authorize: (request) => {
      if (!this.withdrawalRequests.some((r) => r.withdrawalId === request.withdrawalId)) this.withdrawalRequests.push(request);
    },
  };
}
