/**
 * Server start (`openLedger`) on a large prop trading log, with its read models present and
 * absent (doc/event-store.md, "Start"). With them present, start reads each projection's
 * checkpoint and catches up on nothing, so the figure is beside a bare better-sqlite3 open of the
 * same file (WAL pragmas, the head position read). With them absent every read model is rebuilt
 * from the log: that time is printed in the note (measured once, it is a rebuild figure).
 */
import Database from 'better-sqlite3';
import { openLedger } from '../../server/context.ts';
import { type Figure, figure, type Scratch } from './measure.ts';
import { writeLog } from './prop-trading.ts';

/** Milliseconds `fn` took, best of `rounds`. */
function bestMs(rounds: number, fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    fn();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

export interface StartBenchOptions {
  readonly scratch: Scratch;
  readonly logEvents: number;
  readonly rounds: number;
  readonly onFigure: (f: Figure) => void;
}

export function runStartBench(o: StartBenchOptions): Figure[] {
  const path = o.scratch.file('start-log');
  const events = writeLog(path, o.logEvents);
  const absentMs = bestMs(1, () => openLedger({ dbPath: path }).close());
  const presentMs = bestMs(Math.max(3, o.rounds), () => openLedger({ dbPath: path }).close());
  const rawMs = bestMs(Math.max(3, o.rounds), () => {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.prepare('SELECT max(position) FROM events').get();
    db.close();
  });
  const f = figure(
    `server start (openLedger) on ${events.toLocaleString('en-US')} events with every read model present`,
    'starts/s',
    1000 / presentMs,
    1000 / rawMs,
    undefined,
    `${presentMs.toFixed(1)} ms (bare open ${rawMs.toFixed(1)} ms); with the read models absent the same start rebuilt them all in ${(absentMs / 1000).toFixed(1)} s`,
  );
  o.onFigure(f);
  return [f];
}
