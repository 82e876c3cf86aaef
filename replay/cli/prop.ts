/** clash prop show ACCOUNT_ID: an account's balances, positions and PnL, and the journal balance check. */
import { z } from 'zod';
import { PRICE, SIZE } from '../../adapters/market/units.ts';
import { NotFoundError } from '../../core/errors.ts';
import { formatDecimal, MICRO_USD } from '../../core/money.ts';
import { PropTradingQueries } from '../../projections/prop-trading/queries.ts';
import { openLedger } from '../../server/context.ts';
import { commonFlags, defineCommand, existingDb } from './command.ts';

const usd = (s: string) => formatDecimal(BigInt(s), MICRO_USD);

export const propShow = defineCommand({
  words: ['prop', 'show'],
  usage: 'clash prop show ACCOUNT_ID [--db PATH] [--json]',
  summary: 'balances, positions and PnL of a prop account; exit 1 if its journal does not balance or disagrees with it',
  schema: z.object({ ...commonFlags, positionals: z.array(z.string().min(1)).length(1, 'give one ACCOUNT_ID') }),
  run: (flags, ctx) => {
    const ledger = openLedger({ dbPath: existingDb(flags.db, ctx.env), composition: ctx.composition, readonly: true });
    try {
      const id = flags.positionals[0] as string;
      const q = new PropTradingQueries(ledger.store.db);
      const account = q.account(id);
      if (!account) throw new NotFoundError('prop account', id);
      const positions = q.positions(id);
      const journal = q.journalCheck(id);
      const mismatches = q.journalMismatches(id, journal);
      const ok = journal.balanced && mismatches.length === 0;
      ctx.out.data({ account, positions, journal, mismatches, ok });
      ctx.out.line(
        `prop account ${id} (clone ${account.clone_id}, ${account.purpose}) — ${account.status}${account.status_reason ? `: ${account.status_reason}` : ''}`,
      );
      ctx.out.line(
        `equity ${usd(account.equity)} USD = cash ${usd(account.cash)} + unrealized ${usd(account.unrealized_pnl)}; starting ${usd(account.starting_equity)}`,
      );
      ctx.out.line(
        `realized ${usd(account.realized_pnl)}, fees ${usd(account.fees)}, funding ${usd(account.funding)}, margin used ${usd(account.margin_used)}, drawdown ${usd(account.drawdown)} (max ${usd(account.max_drawdown)}), trades ${account.trades}, rejections ${account.rejections}`,
      );
      ctx.out.table(
        positions.map((p) => ({
          asset: p.asset,
          side: p.side,
          size: formatDecimal(BigInt(p.size), SIZE),
          entry: formatDecimal(BigInt(p.entry_price), PRICE),
          mark: formatDecimal(BigInt(p.mark_price), PRICE),
          unrealized: usd(p.unrealized_pnl),
          liquidation: p.liquidation_price === null ? '-' : formatDecimal(BigInt(p.liquidation_price), PRICE),
        })),
      );
      if (positions.length === 0) ctx.out.line('no open positions');
      ctx.out.line(`journal ${journal.balanced ? 'balances' : 'DOES NOT BALANCE'}: ${JSON.stringify(journal.totals)}`);
      for (const m of mismatches) ctx.out.line(`MISMATCH ${m}`);
      return ok ? 0 : 1;
    } finally {
      ledger.close();
    }
  },
});
