/**
 * clash audit race RACE_ID: proves every event the settlement rests on included in the signed
 * ledger checkpoint RaceSettled recorded (inclusion proofs, against the trusted ledger key), then
 * recomputes the settlement from those raw events only (tickets from the race stream, final
 * equities folded from each entrant's prop-account events) and compares it line by line with
 * the recorded RaceSettled and the settlement read models. Exit 0 when all agree, 1 naming the
 * first difference.
 */
import { z } from 'zod';
import { auditRaceSettlement } from '../../commands/competition/settlement-audit.ts';
import { LedgerProofs } from '../../commands/ledger/proofs.ts';
import { competitionReadModel } from '../../server/competition.ts';
import { openLedger } from '../../server/context.ts';
import { commonFlags, defineCommand, existingDb } from './command.ts';
import { publicKeyFlag, trustedLedgerKey } from './ledger.ts';

export const auditRace = defineCommand({
  words: ['audit', 'race'],
  usage: 'clash audit race RACE_ID [--db PATH] [--public-key HEX] [--json]',
  summary:
    'prove the race’s events in the signed checkpoint its settlement recorded, recompute the settlement from them and compare it with the recorded one and the read models; exit 1 on a difference',
  options: { 'public-key': { type: 'string' } },
  schema: z.object({
    ...commonFlags,
    'public-key': publicKeyFlag,
    positionals: z.array(z.string().min(1)).length(1, 'give one RACE_ID'),
  }),
  run: (flags, ctx) => {
    const dbPath = existingDb(flags.db, ctx.env);
    const trusted = trustedLedgerKey(flags['public-key'], ctx, dbPath);
    const ledger = openLedger({ dbPath, composition: ctx.composition, readonly: true });
    try {
      const raceId = flags.positionals[0] as string;
      const audit = auditRaceSettlement(
        ledger.store,
        competitionReadModel(ledger.store.db),
        raceId,
        new LedgerProofs(ledger.store, trusted),
      );
      const ok = audit.differences.length === 0;
      ctx.out.data({
        raceId,
        ok,
        differences: audit.differences,
        merkleRoot: audit.recomputed?.merkleRoot ?? null,
        provenEvents: audit.proven,
      });
      if (ok) {
        const s = audit.recomputed;
        ctx.out.line(
          audit.proven === null
            ? `race ${raceId}: settled before ledger checkpoints existed: its events are not proven against a signed checkpoint`
            : `race ${raceId}: ${audit.proven} events proven included in the signed checkpoint of tree size ${s?.checkpoint?.treeSize}`,
        );
        ctx.out.line(`race ${raceId}: settlement recomputed from raw events agrees with RaceSettled and the read models`);
        ctx.out.line(
          `${s?.ranking.length ?? 0} entrants, ${s?.payouts.length ?? 0} payout lines, ${s?.royalties.length ?? 0} royalties, merkle root ${s?.merkleRoot ?? '-'}`,
        );
        return 0;
      }
      ctx.out.error(`race ${raceId}: first difference: ${audit.differences[0]}`);
      ctx.out.line(`${audit.differences.length} difference(s)`);
      for (const d of audit.differences) ctx.out.line(`  ${d}`);
      return 1;
    } finally {
      ledger.close();
    }
  },
});
