/** clash settle --input FILE [--json]: the settlement rule as a pure calculator over a JSON file. */
import { z } from 'zod';
import { payoutTree } from '../../commands/competition/payout-tree.ts';
import { formatWeight } from '../../commands/competition/ranking.ts';
import { type Settlement, settle } from '../../commands/competition/settlement.ts';
import { parseSettlementFile } from '../../commands/competition/settlement-input.ts';
import { formatDecimal, WEI } from '../../core/money.ts';
import { commonFlags, defineCommand, UsageError } from './command.ts';
import { readBoundedText } from './input-file.ts';

/** The largest settlement input read (64 MiB): far above a race's entrants and ticket holders. */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

function readJson(path: string): unknown {
  const text = readBoundedText('--input', path, MAX_INPUT_BYTES);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--input: ${path} is not JSON: ${(error as Error).message}`);
  }
}

/** The settlement as the documented JSON shape (amounts become decimal strings on output). */
function settlementDocument(settlement: Settlement, merkleRoot: string | null) {
  return {
    grossPoolWei: settlement.grossPoolWei,
    rakeWei: settlement.rakeWei,
    creatorPoolWei: settlement.creatorPoolWei,
    distributionPoolWei: settlement.distributionPoolWei,
    refund: settlement.refund,
    ranking: settlement.ranking.map((p) => ({ cloneId: p.cloneId, position: p.position, weightBps: formatWeight(p.weight) })),
    payouts: settlement.payouts,
    royalties: settlement.royalties,
    breakageWei: settlement.breakageWei,
    merkleRoot,
  };
}

const eth = (wei: bigint) => `${formatDecimal(wei, WEI)} ETH`;

export const settleCommand = defineCommand({
  words: ['settle'],
  usage: 'clash settle --input FILE [--json]',
  summary: 'apply the settlement rule to a race file: pool split, ranking, payouts, royalties, breakage, merkle root',
  options: { input: { type: 'string' } },
  schema: z.object({ json: commonFlags.json, input: z.string().min(1), positionals: z.array(z.string()).max(0) }),
  run: (flags, ctx) => {
    const file = parseSettlementFile(readJson(flags.input));
    const settlement = settle(file);
    const tree = payoutTree(file.raceId, settlement.payouts);
    const doc = settlementDocument(settlement, tree.root);
    ctx.out.data(doc);
    ctx.out.line(`race ${file.raceId}${settlement.refund ? ' (refund: no placed clone was backed)' : ''}`);
    ctx.out.line(`gross pool    ${eth(doc.grossPoolWei)}`);
    ctx.out.line(`rake          ${eth(doc.rakeWei)}`);
    ctx.out.line(`creator pool  ${eth(doc.creatorPoolWei)}`);
    ctx.out.line(`distribution  ${eth(doc.distributionPoolWei)}`);
    ctx.out.line(`breakage      ${eth(doc.breakageWei)}`);
    ctx.out.line(`merkle root   ${doc.merkleRoot ?? '- (no payouts)'}`);
    ctx.out.line();
    ctx.out.table(doc.ranking);
    ctx.out.line();
    ctx.out.table(doc.payouts.map((p) => ({ ...p, amountWei: p.amountWei.toString() })));
    ctx.out.line();
    ctx.out.table(doc.royalties.map((r) => ({ ...r, amountWei: r.amountWei.toString() })));
    return 0;
  },
});
