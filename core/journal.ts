/**
 * Double-entry journal entries. A line's amount is signed: debit positive, credit negative.
 * An entry is accepted only when its lines sum to zero for every asset, so value is never
 * created or destroyed by a single entry.
 */
import { DomainError } from './errors.ts';

export interface JournalLine {
  readonly account: string;
  readonly asset: string;
  /** Debit when positive, credit when negative, in the asset's base units. */
  readonly amount: bigint;
}

export interface JournalEntry {
  readonly lines: readonly JournalLine[];
}

export function debit(account: string, asset: string, amount: bigint): JournalLine {
  return { account, asset, amount };
}

export function credit(account: string, asset: string, amount: bigint): JournalLine {
  return { account, asset, amount: -amount };
}

/** Per-asset sum of the lines; all zero means balanced. */
export function imbalance(lines: readonly JournalLine[]): Map<string, bigint> {
  const sums = new Map<string, bigint>();
  for (const line of lines) sums.set(line.asset, (sums.get(line.asset) ?? 0n) + line.amount);
  return sums;
}

export function isBalanced(lines: readonly JournalLine[]): boolean {
  for (const sum of imbalance(lines).values()) if (sum !== 0n) return false;
  return true;
}

/** Builds an entry, dropping zero lines; throws `unbalanced_entry` naming the asset that is off. */
export function journalEntry(lines: readonly JournalLine[]): JournalEntry {
  for (const [asset, sum] of imbalance(lines)) {
    if (sum !== 0n) {
      throw new DomainError('unbalanced_entry', 'unprocessable', `journal entry is off by ${sum} ${asset}`, {
        asset,
        imbalance: sum.toString(),
      });
    }
  }
  return { lines: lines.filter((l) => l.amount !== 0n) };
}
