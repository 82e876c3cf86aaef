/**
 * The replay on a simulated clock over recorded market memory (real 1m BTC and ETH candles):
 * Given the same market and job, When it is replayed twice, Then the report and every artifact
 * are byte-identical; Given candles after T changed, Then nothing decided at or before T
 * changes; Given a finished run, When it is re-run with the `recorded` engine over its replies,
 * Then its decisions and metrics are reproduced exactly.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryArtifactStore } from '../../../adapters/artifacts/memory.ts';
import { recordedEngine } from '../../../adapters/models/recorded.ts';
import { partsPrefix, readParts, recordedReplies } from '../../../commands/backtests/artifact-parts.ts';
import { type Db, openDatabase } from '../../../core/database.ts';
import { loadDecisionMarket } from '../../../replay/bench/decision-data.ts';
import { replayJob, replayOver } from '../../support/backtest.ts';
import { sharedData } from '../../support/prop-trading.ts';
import { tempDir } from '../../support/store.ts';

const shared = sharedData();
const dir = tempDir('clash-replay-');
const HOUR = 3_600_000;

/** A market of the first 16 hours of the recorded candles; the replay window is hours 4 … 12. */
function market(name: string): { db: Db; from: number; to: number } {
  const db = openDatabase(dir.file(name), { synchronous: 'OFF' });
  const { decisionTime } = loadDecisionMarket(db, shared as string, 16 * 60);
  const start = decisionTime - 16 * HOUR;
  return { db, from: start + 4 * HOUR, to: start + 12 * HOUR };
}

async function allLines(store: MemoryArtifactStore, kind: string): Promise<unknown[]> {
  const lines: unknown[] = [];
  for await (const line of readParts(store, partsPrefix('bt1', kind))) lines.push(line);
  return lines;
}

async function snapshot(store: MemoryArtifactStore): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const info of await store.list('')) out[info.key] = new TextDecoder().decode(await store.get(info.key));
  return out;
}

if (shared) {
  test('determinism: the same market and job give byte-identical reports and artifacts', async () => {
    const { db, from, to } = market('det.db');
    const a = new MemoryArtifactStore();
    const b = new MemoryArtifactStore();
    const first = await replayOver(db, replayJob(from, to), { artifacts: a });
    const second = await replayOver(db, replayJob(from, to), { artifacts: b });
    assert.is(JSON.stringify(second.report), JSON.stringify(first.report));
    assert.equal(await snapshot(b), await snapshot(a));
    assert.ok(first.decisions.filled > 0, 'the rules engine traded');
    assert.ok(first.report.trades.length > 0);
    assert.is(first.report.equity.length, (to - from) / 300_000 + 1, 'one sample per step, both ends included');
    assert.is(first.report.equity[0]?.at, new Date(from).toISOString());
    assert.is(first.report.equity.at(-1)?.at, new Date(to).toISOString());
    assert.is(first.report.metrics.trades, first.report.trades.length);
    assert.type(first.report.metrics.benchmarkReturn, 'number');
    db.close();
  });

  test('lookahead: changing candles and indicators after T changes nothing decided at or before T', async () => {
    const base = market('base.db');
    const moved = market('moved.db');
    const cut = base.from + 4 * HOUR;
    // every candle that closes after the cut: prices doubled; every indicator row after it: nonsense
    moved.db
      .prepare('UPDATE market_candles SET close = CAST(close AS INTEGER) * 2, high = CAST(high AS INTEGER) * 2 WHERE close_time > ?')
      .run(cut);
    moved.db.prepare('UPDATE market_indicators SET rsi14 = 1, ema20 = 1, macd_histogram = -5 WHERE close_time > ?').run(cut);
    const a = new MemoryArtifactStore();
    const b = new MemoryArtifactStore();
    const before = await replayOver(base.db, replayJob(base.from, base.to), { artifacts: a });
    const after = await replayOver(moved.db, replayJob(moved.from, moved.to), { artifacts: b });
    const upTo = (lines: unknown[]) => lines.filter((l) => (l as { at: number }).at <= cut);
    const decided = upTo(await allLines(a, 'decisions'));
    assert.ok(decided.length > 0);
    assert.equal(upTo(await allLines(b, 'decisions')), decided, 'decisions at or before T');
    const packets = (await allLines(a, 'packets')).filter((p) => Date.parse((p as { decisionTime: string }).decisionTime) <= cut);
    const movedPackets = (await allLines(b, 'packets')).filter((p) => Date.parse((p as { decisionTime: string }).decisionTime) <= cut);
    assert.equal(movedPackets, packets, 'packets at or before T');
    const curve = (r: typeof before) => r.report.equity.filter((p) => Date.parse(p.at) <= cut);
    assert.equal(curve(after), curve(before), 'the equity curve up to T');
    assert.not.equal(after.report.metrics, before.report.metrics, 'the perturbation did change what came after T');
    base.db.close();
    moved.db.close();
  });

  test('recorded: a re-run over the replies of a past run reproduces its decisions and metrics exactly', async () => {
    const { db, from, to } = market('rec.db');
    const past = new MemoryArtifactStore();
    const original = await replayOver(db, replayJob(from, to), { artifacts: past });
    const again = new MemoryArtifactStore();
    const rerun = await replayOver(db, replayJob(from, to, { engine: 'recorded' }), {
      engine: recordedEngine(await recordedReplies(past, ['bt1'])),
      artifacts: again,
    });
    assert.equal(rerun.report.metrics, original.report.metrics);
    assert.equal(rerun.report.trades, original.report.trades);
    assert.equal(rerun.decisions, original.decisions);
    const strip = (lines: unknown[]) => lines.map((l) => ({ ...(l as object), model: undefined }));
    assert.equal(strip(await allLines(again, 'decisions')), strip(await allLines(past, 'decisions')));
    db.close();
  });
}

test.after(() => dir.remove());
test.run();
