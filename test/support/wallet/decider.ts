/** The example domain's decider: a wallet that never goes below zero. */
import type { Decider } from '../../../core/decider.ts';
import { DomainError } from '../../../core/errors.ts';
import type { WalletEvent } from './events.ts';

export type WalletCommand =
  | { type: 'OpenWallet'; walletId: string; owner: string; at: number }
  | { type: 'Deposit'; walletId: string; amount: bigint; memo: string; at: number }
  | { type: 'Withdraw'; walletId: string; amount: bigint; at: number };

export interface WalletState {
  readonly open: boolean;
  readonly balance: bigint;
  readonly events: number;
}

export const walletDecider: Decider<WalletCommand, WalletState, WalletEvent> = {
  name: 'wallet',
  snapshot: { version: 1, every: 50 },
  initialState: () => ({ open: false, balance: 0n, events: 0 }),
  decide(command, state) {
    switch (command.type) {
      case 'OpenWallet':
        if (state.open) throw new DomainError('wallet_exists', 'conflict', `wallet ${command.walletId} exists`);
        return [{ type: 'WalletOpened', data: { walletId: command.walletId, owner: command.owner, openedAt: command.at } }];
      case 'Deposit':
        if (!state.open) throw new DomainError('wallet_not_open', 'unprocessable', 'wallet is not open');
        return [
          { type: 'FundsDeposited', data: { walletId: command.walletId, amount: command.amount, memo: command.memo, at: command.at } },
        ];
      case 'Withdraw':
        if (!state.open) throw new DomainError('wallet_not_open', 'unprocessable', 'wallet is not open');
        if (command.amount > state.balance) {
          throw new DomainError('insufficient_funds', 'unprocessable', 'insufficient funds', { balance: state.balance.toString() });
        }
        return [{ type: 'FundsWithdrawn', data: { walletId: command.walletId, amount: command.amount, at: command.at } }];
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'WalletOpened':
        return { ...state, open: true, events: state.events + 1 };
      case 'FundsDeposited':
        return { ...state, balance: state.balance + event.data.amount, events: state.events + 1 };
      case 'FundsWithdrawn':
        return { ...state, balance: state.balance - event.data.amount, events: state.events + 1 };
    }
  },
};
