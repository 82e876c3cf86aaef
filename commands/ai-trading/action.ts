/**
 * The output contract of a decision run: the one action a model may answer for one asset.
 * Defined here so the prompt can state it (prompt template v1) and the decision runtime can
 * validate replies with the same schema. Amounts are decimal strings in USD (notional), never
 * floats; the prop-trading gates decide whether the action is executed.
 */
import { z } from 'zod';

const reason = z.string().min(1).max(500);
const notionalUsd = z.string().regex(/^\d{1,12}(\.\d{1,6})?$/, 'a USD amount with at most 6 decimals');

export const zTradingAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('hold'), reason }).strict(),
  z
    .object({
      action: z.enum(['open', 'increase']),
      side: z.enum(['long', 'short']),
      notionalUsd,
      leverage: z.number().int().min(1).max(50),
      reason,
    })
    .strict(),
  z.object({ action: z.literal('reduce'), side: z.enum(['long', 'short']), notionalUsd, reason }).strict(),
  z.object({ action: z.literal('close'), side: z.enum(['long', 'short']), reason }).strict(),
]);
export type TradingAction = z.output<typeof zTradingAction>;

/** The contract as the prompt states it (one line per action kind). */
export const ACTION_CONTRACT_TEXT = [
  'Answer with exactly one JSON object and nothing else, one of:',
  '{"action":"hold","reason":string}',
  '{"action":"open"|"increase","side":"long"|"short","notionalUsd":"decimal USD, up to 6 decimals","leverage":integer 1..50,"reason":string}',
  '{"action":"reduce","side":"long"|"short","notionalUsd":"decimal USD","reason":string}',
  '{"action":"close","side":"long"|"short","reason":string}',
  'reason: at most 500 characters.',
].join('\n');
