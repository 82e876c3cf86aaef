/**
 * Whether tickets may be bought now, from the competition read models: the race exists and is
 * accumulating, and the clone holds an Arena slot; and the race's ticket price. The refusal codes
 * are the race decider's, so a quote is refused for the same reason the purchase would be.
 */
import type { TicketSaleCheck } from '../../commands/economy/ports.ts';
import type { Db } from '../../core/database.ts';

export function competitionTicketSales(db: Db): TicketSaleCheck {
  const race = db.prepare<[string], { stage: string; price: string }>(
    'SELECT stage, ticket_price_wei AS price FROM competition_races WHERE race_id = ?',
  );
  const seated = db.prepare<[string], { slot: number }>('SELECT slot FROM competition_arena_slots WHERE clone_id = ?');
  return {
    canBuy: (raceId, cloneId) => {
      const row = race.get(raceId);
      if (row === undefined) return { refused: 'race_not_found' };
      if (row.stage !== 'accumulating') return { refused: 'race_not_accumulating' };
      return seated.get(cloneId) ? { ok: true, ticketPriceWei: BigInt(row.price) } : { refused: 'clone_not_in_arena' };
    },
  };
}
