/**
 * `npm run bench [-- --json] [--events N] [--scale X] [--rounds N] [--http-seconds N] [--only a,b]`: every
 * figure beside a raw better-sqlite3 baseline measured in the same run, as a ratio. `--only` runs
 * some sections: event-store, ledger, prop-trading, storage, start, market, decision,
 * decision-runs, backtest, peer, http (default: all).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { runBacktestBench } from './backtest.ts';
import { runDecisionBench } from './decision.ts';
import { runDecisionRunsBench } from './decision-runs.ts';
import { runEventStoreBench } from './event-store.ts';
import { runHttpBench } from './http.ts';
import { runLedgerIntegrityBench } from './ledger-integrity.ts';
import { runMarketBench } from './market.ts';
import { type Figure, Scratch } from './measure.ts';
import { runPeerBench } from './peer.ts';
import { runPropTradingBench } from './prop-trading.ts';
import { runStartBench } from './start.ts';
import { runStorageBench } from './storage.ts';

const SECTIONS = [
  'event-store',
  'ledger',
  'prop-trading',
  'storage',
  'start',
  'market',
  'decision',
  'decision-runs',
  'backtest',
  'peer',
  'http',
] as const;
const flags = z
  .object({
    json: z.boolean().default(false),
    events: z.coerce.number().int().min(1000).default(1_000_000),
    scale: z.coerce.number().positive().max(10).default(1),
    rounds: z.coerce.number().int().min(1).max(10).default(2),
    'http-seconds': z.coerce.number().int().min(1).max(120).default(10),
    only: z
      .string()
      .max(200)
      .transform((v) => v.split(','))
      .pipe(z.array(z.enum(SECTIONS)).max(SECTIONS.length))
      .optional(),
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
  const on = (section: (typeof SECTIONS)[number]) => flags.only === undefined || flags.only.includes(section);
  const actions = Math.max(100, Math.round(5_000 * flags.scale));
  const { events: logEvents, scale, rounds } = flags;
  const figures = [
    ...(on('event-store') ? runEventStoreBench({ scratch, logEvents, scale, rounds, onFigure: print }) : []),
    ...(on('ledger') ? runLedgerIntegrityBench({ scratch, logEvents, scale, rounds, onFigure: print }) : []),
    ...(on('prop-trading') ? runPropTradingBench({ scratch, actions, logEvents, rounds, onFigure: print }) : []),
    ...(on('storage') ? runStorageBench({ scratch, actions, onFigure: print }) : []),
    ...(on('start') ? runStartBench({ scratch, logEvents, rounds, onFigure: print }) : []),
    ...(on('market') ? await runMarketBench({ scratch, scale, rounds, onFigure: print }) : []),
    ...(on('decision') ? runDecisionBench({ scratch, scale, rounds, onFigure: print }) : []),
    ...(on('decision-runs') ? await runDecisionRunsBench({ scratch, scale, rounds, onFigure: print }) : []),
    ...(on('backtest') ? await runBacktestBench({ scratch, scale, rounds, onFigure: print }) : []),
    ...(on('peer') ? runPeerBench({ scratch, scale, rounds, onFigure: print }) : []),
    ...(on('http') ? await runHttpBench({ scratch, seconds: flags['http-seconds'], onFigure: print }) : []),
  ];
  if (flags.json) process.stdout.write(`${JSON.stringify({ node: process.version, figures }, null, 2)}\n`);
} finally {
  scratch.remove();
}
