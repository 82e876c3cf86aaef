/**
 * Decision runs per second through the runtime (`DecisionRuns.run`: schedule, store packet and
 * prompt, the engine, store and parse the reply, validate, the order through Prop Trading with its
 * fill, the run's events in one append, artifacts to `memory:`) with the `none` and `rules` engines, beside
 * plain better-sqlite3 writing the same rows (events, prop and decision read models, captured in an
 * untimed run, one transaction per run) in the same run; issue 13 asks for a ratio ≥ 0.3.
 * The context is a fixed small packet (the decision-context compiler is measured by the
 * `decision` section), and the raw loop computes no digests and stores no artifacts. The note
 * also gives both sides' CPU time per run (user + system, the least of the rounds), which other
 * processes on a shared machine move less than wall time.
 */
import { MemoryArtifactStore } from '../../adapters/artifacts/memory.ts';
import type { AssetInfo } from '../../adapters/market/price-source.ts';
import { PRICE } from '../../adapters/market/units.ts';
import type { DecisionEngine } from '../../adapters/models/engine.ts';
import { noneEngine } from '../../commands/decisions/engines/none.ts';
import { rulesEngine } from '../../commands/decisions/engines/rules.ts';
import { DecisionRuns } from '../../commands/decisions/handlers.ts';
import { PropTrading } from '../../commands/prop-trading/handlers.ts';
import { ManualClock, SequentialIds } from '../../core/clock.ts';
import { decisionRunsProjection } from '../../projections/decisions/runs.ts';
import { propTradingProjections } from '../../projections/prop-trading/index.ts';
import { openLedger } from '../../server/context.ts';
import { artifactSink, propTradingOrders } from '../../server/decisions.ts';
import { btcRunContext } from '../../test/support/decision-context.ts';
import { type Figure, figure, type Scratch } from './measure.ts';
import { captureRowWrites, writeRowsCost } from './row-capture.ts';

const tables = [...propTradingProjections, decisionRunsProjection].flatMap((p) => p.tables);
const BTC: AssetInfo = { name: 'BTC', szDecimals: 5, maxLeverage: 50, kind: 'perp', enabled: true };
const START = Date.UTC(2026, 0, 5);

const context = btcRunContext();

/** A ledger with `runs` prop accounts opened (untimed) and a function running one decision run per account. */
function workload(path: string, engine: DecisionEngine, runs: number) {
  const clock = new ManualClock(START);
  const ledger = openLedger({ dbPath: path, synchronous: 'NORMAL', clock, ids: new SequentialIds() });
  const market = {
    asset: (name: string) => (name === 'BTC' ? BTC : undefined),
    priceAt: (asset: string, at: number) =>
      asset === 'BTC' ? { asset, price: 100_000n * PRICE.one, time: START, ageMs: at - START } : undefined,
    fundingAt: () => undefined,
  };
  const prop = new PropTrading({ store: ledger.store, clock, ids: ledger.ids, market });
  for (let i = 0; i < runs; i++)
    prop.open({ accountId: `acc-${i}`, cloneId: `clone-${i}`, strategyVersionId: 'v1', purpose: 'audition' }, 'bench');
  const decisions = new DecisionRuns({
    store: ledger.store,
    clock,
    engine,
    context: { compile: async () => context },
    artifacts: artifactSink(new MemoryArtifactStore()),
    orders: propTradingOrders(prop),
  });
  return {
    db: ledger.store.db,
    async run(before: () => void = () => {}): Promise<void> {
      for (let i = 0; i < runs; i++) {
        before();
        await decisions.run({ runId: `run-${i}`, propAccountId: `acc-${i}`, cloneId: `clone-${i}`, asset: 'BTC', dueAt: START });
      }
    },
    close: () => ledger.close(),
  };
}

async function engineFigure(scratch: Scratch, engine: DecisionEngine, runs: number, rounds: number): Promise<Figure> {
  const capturing = workload(scratch.file('decisions-capture'), engine, runs);
  const capture = captureRowWrites(capturing.db, tables);
  await capturing.run(capture.next);
  const groups = capture.stop();
  capturing.close();
  const rows = groups.reduce((n, g) => n + g.length, 0);
  let ours = 0;
  let baseline = 0;
  // CPU µs per run (user + system), the least of the rounds: steadier than wall time on a loaded machine.
  let oursCpu = Number.POSITIVE_INFINITY;
  let baselineCpu = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const raw = writeRowsCost(scratch.file('decisions-raw'), 'NORMAL', tables, groups);
    baseline = Math.max(baseline, (raw.rate * groups.length) / runs);
    baselineCpu = Math.min(baselineCpu, raw.cpuMicros / runs);
    const w = workload(scratch.file('decisions'), engine, runs);
    const cpu = process.cpuUsage();
    const started = performance.now();
    await w.run();
    ours = Math.max(ours, runs / ((performance.now() - started) / 1000));
    const used = process.cpuUsage(cpu);
    oursCpu = Math.min(oursCpu, (used.user + used.system) / runs);
    w.close();
  }
  const us = (n: number) => Math.round(n).toLocaleString('en-US');
  return figure(
    `decision runs through the runtime, engine ${engine.name} (synchronous=NORMAL)`,
    'runs/s',
    ours,
    baseline,
    0.3,
    `baseline: the same ${rows.toLocaleString('en-US')} rows (decision and prop events, prop and decision read models) written raw, one transaction per run; ` +
      `CPU per run ${us(oursCpu)} µs, raw ${us(baselineCpu)} µs (ratio ${(baselineCpu / oursCpu).toFixed(2)})`,
  );
}

/** The decision-runs figures, `none` then `rules`. */
export async function runDecisionRunsBench(options: {
  scratch: Scratch;
  scale: number;
  rounds: number;
  onFigure: (f: Figure) => void;
}): Promise<Figure[]> {
  const runs = Math.max(20, Math.round(1_000 * options.scale));
  const figures: Figure[] = [];
  for (const engine of [noneEngine, rulesEngine]) {
    const f = await engineFigure(options.scratch, engine, runs, options.rounds);
    options.onFigure(f);
    figures.push(f);
  }
  return figures;
}
