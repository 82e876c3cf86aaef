/** clash race show RACE_ID: a race's stage and times, entrants, pool per clone, and its settlement summary. */
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.ts';
import { formatDecimal, MICRO_USD, WEI } from '../../core/money.ts';
import { CompetitionQueries } from '../../projections/competition/queries.ts';
import { openLedger } from '../../server/context.ts';
import { commonFlags, defineCommand, existingDb } from './command.ts';

const eth = (wei: string) => `${formatDecimal(BigInt(wei), WEI)} ETH`;
const usd = (micro: string) => `${formatDecimal(BigInt(micro), MICRO_USD)} USD`;
const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

export const raceShow = defineCommand({
  words: ['race', 'show'],
  usage: 'clash race show RACE_ID [--db PATH] [--json]',
  summary: 'a race: stage, times, entrants, pool per clone, and its settlement summary',
  schema: z.object({ ...commonFlags, positionals: z.array(z.string().min(1)).length(1, 'give one RACE_ID') }),
  run: (flags, ctx) => {
    const ledger = openLedger({ dbPath: existingDb(flags.db, ctx.env), composition: ctx.composition, readonly: true });
    try {
      const raceId = flags.positionals[0] as string;
      const q = new CompetitionQueries(ledger.store.db);
      const race = q.race(raceId);
      if (!race) throw new NotFoundError('race', raceId);
      const pool = q.pool(raceId);
      const entrants = q.entrants(raceId);
      const settlement = q.settlement(raceId) ?? null;
      const ranking = q.ranking(raceId);
      ctx.out.data({ race, entrants, pool, settlement, ranking, payouts: q.payouts(raceId), royalties: q.royalties(raceId) });
      ctx.out.line(`race ${raceId} (#${race.sequence}) — ${race.stage}`);
      ctx.out.line(
        `launch ${when(race.launchAt)}, live ${when(race.liveAt)}, closes ${when(race.closesAt)}, settled ${when(race.settledAt)}`,
      );
      ctx.out.line(`pool ${eth(race.poolWei)} from ${race.tickets} ticket(s) at ${eth(race.ticketPriceWei)}`);
      ctx.out.table(pool.map((p) => ({ clone: p.cloneId, tickets: p.tickets, pool: eth(p.amountWei) })));
      ctx.out.table(
        entrants.map((e) => ({ clone: e.cloneId, creator: e.creator, account: e.propAccountId, start: usd(e.startingEquityMicroUsd) })),
      );
      if (!settlement) {
        ctx.out.line('not settled yet');
        return 0;
      }
      ctx.out.line(
        `gross ${eth(settlement.grossPoolWei)}, rake ${eth(settlement.rakeWei)}, creators ${eth(settlement.creatorPoolWei)}, distribution ${eth(settlement.distributionPoolWei)}, breakage ${eth(settlement.breakageWei)}${settlement.refund ? ' (refund path)' : ''}`,
      );
      ctx.out.line(`merkle root ${settlement.merkleRoot ?? '- (no payouts)'}`);
      ctx.out.table(
        ranking.map((r) => ({
          position: r.position,
          clone: r.cloneId,
          weightBps: r.weightBps,
          final: usd(r.finalEquityMicroUsd),
          tickets: r.tickets,
        })),
      );
      return 0;
    } finally {
      ledger.close();
    }
  },
});
