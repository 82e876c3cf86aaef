/**
 * One `withdrawal-<id>` stream per payout or royalty withdrawal: authorized once, with its
 * signature. (Refunds live on the payment stream they return, so a deposit is refunded once.)
 */
import type { Hex } from 'viem';
import type { z } from 'zod';
import type { VaultRef, WithdrawalAuthorization } from '../../adapters/chain/typed-data.ts';
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import { liveDeadline } from './decider.ts';
import type { WithdrawalEvent, zPayoutPurpose } from './events.ts';

export const WITHDRAWAL_CATEGORY = 'withdrawal';
export const withdrawalStreamId = (withdrawalId: Hex) => `${WITHDRAWAL_CATEGORY}-${withdrawalId}`;

export type PayoutPurpose = z.output<typeof zPayoutPurpose>;

export type WithdrawalCommand = {
  type: 'AuthorizeWithdrawal';
  authorization: WithdrawalAuthorization;
  signature: Hex;
  owner: string;
  purpose: PayoutPurpose;
  reference: string;
  vault: VaultRef;
  at: number;
};
export type WithdrawalState = { readonly authorized: boolean };

export const withdrawalDecider: Decider<WithdrawalCommand, WithdrawalState, WithdrawalEvent> = {
  name: 'withdrawal',
  initialState: () => ({ authorized: false }),
  decide(command, state) {
    const { authorization, signature, owner, purpose, reference, vault, at } = command;
    if (state.authorized) throw new DomainError('withdrawal_exists', 'conflict', `withdrawal ${authorization.id} was already authorized`);
    const deadlineSeconds = liveDeadline(authorization.deadline, at, 'withdrawal_invalid', 'withdrawal');
    return [
      {
        type: 'WithdrawalAuthorized',
        data: {
          withdrawalId: authorization.id,
          owner,
          recipient: authorization.recipient,
          amountWei: authorization.amount,
          deadlineSeconds,
          signature,
          purpose,
          reference,
          chainId: vault.chainId,
          vault: vault.address,
          authorizedAt: at,
        },
      },
    ];
  },
  evolve: () => ({ authorized: true }),
};
