/**
 * `npm run bench [-- --json] [--events N] [--scale X] [--rounds N] [--http-seconds N] [--only SECTION]`: every figure beside a raw
 * better-sqlite3 baseline measured in the same run, as a ratio.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { runDecisionBench } from './decision.ts';
import { runDecisionRunsBench } from './decision-runs.ts';
import { runEventStoreBench } from './event-store.ts';
import { runHttpBench } from './http.ts';
import { runMarketBench } from './market.ts';
import { type Figure, Scratch } from './measure.ts';
import { runPeerBench } from './peer.ts';
import { runPropTradingBench } from './prop-trading.ts';

const flags = z
  .object({
    json: z.boolean().default(false),
    events: z.coerce.number().int().min(1000).default(1_000_000),
    scale: z.coerce.number().positive().max(10).default(1),
    rounds: z.coerce.number().int().min(1).max(10).default(2),
    'http-seconds': z.coerce.number().int().min(1).max(120).default(10),
    /** One section only (default: all). */
    only: z.enum(['event-store', 'prop-trading', 'peer', 'market', 'decision', 'decision-runs', 'http']).optional(),
  })
  .parse(
    parseArgs({
      options: {
        json: { type: 'boolean' },
        events: { type: 'string' },
        scale: { type: 'string' },
        rounds: { type: 'string' },
        'http-seconds': { type: 'string' },
        only: { type: 'string' },
      },
    }).values,
  );

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
function print(f: Figure): void {
  if (flags.json) return;
  const verdict = f.target === undefined ? '' : f.ratio >= f.target ? `  (target ≥ ${f.target}: met)` : `  (target ≥ ${f.target}: NOT met)`;
  process.stdout.write(
    `${f.name}\n  ours ${fmt(f.ours)} ${f.unit}   ${f.baselineName ?? 'raw'} ${fmt(f.baseline)} ${f.unit}   ratio ${f.ratio.toFixed(2)}${verdict}\n`,
  );
  if (f.note) process.stdout.write(`  ${f.note}\n`);
}

const scratch = new Scratch();
try {
  if (!flags.json)
    process.stdout.write(
      `clash bench: node ${process.version}, log of ${fmt(flags.events)} events, scale ${flags.scale}, best of ${flags.rounds}\n\n`,
    );
  const runs = (section: NonNullable<typeof flags.only>) => flags.only === undefined || flags.only === section;
  const figures = [
    ...(runs('event-store')
      ? runEventStoreBench({ scratch, logEvents: flags.events, scale: flags.scale, rounds: flags.rounds, onFigure: print })
      : []),
    ...(runs('prop-trading')
      ? runPropTradingBench({
          scratch,
          actions: Math.max(100, Math.round(5_000 * flags.scale)),
          logEvents: flags.events,
          rounds: flags.rounds,
          onFigure: print,
        })
      : []),
    ...(runs('market') ? await runMarketBench({ scratch, scale: flags.scale, rounds: flags.rounds, onFigure: print }) : []),
    ...(runs('decision') ? runDecisionBench({ scratch, scale: flags.scale, rounds: flags.rounds, onFigure: print }) : []),
    ...(runs('decision-runs') ? await runDecisionRunsBench({ scratch, scale: flags.scale, rounds: flags.rounds, onFigure: print }) : []),
    ...(runs('peer') ? runPeerBench({ scratch, scale: flags.scale, rounds: flags.rounds, onFigure: print }) : []),
    ...(runs('http') ? await runHttpBench({ scratch, seconds: flags['http-seconds'], onFigure: print }) : []),
  ];
  if (flags.json) process.stdout.write(`${JSON.stringify({ node: process.version, figures }, null, 2)}\n`);
} finally {
  scratch.remove();
}
