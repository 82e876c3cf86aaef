/**
 * The competition worker: one `tick(now)` runs every due step at that time — the process
 * manager's hand-offs, the audition evaluator, admissions, and the race scheduler — through a
 * Competition whose clock is the tick's time, so every command it sends carries `now`.
 * Repeating a tick at the same time appends nothing. The server runs it on an interval
 * (`CLASH_COMPETITION_TICK_MS`); tests call `tick` directly with a manual clock's time.
 */
import { ManualClock } from '../../core/clock.ts';
import { evaluateAuditions } from './audition-evaluator.ts';
import { Competition, type CompetitionDeps } from './handlers.ts';
import { runHandOffs } from './process-manager.ts';
import { admitFromQueue, moveRaces, openArenaOnce, scheduleRace } from './race-scheduler.ts';

export interface TickReport {
  readonly handOffs: number;
  readonly evaluated: number;
  readonly waiting: { auditionId: string; reason: string }[];
}

export class CompetitionWorker {
  private readonly clock = new ManualClock(0);
  readonly competition: Competition;

  constructor(deps: Omit<CompetitionDeps, 'clock'>) {
    this.competition = new Competition({ ...deps, clock: this.clock });
  }

  /** Runs hand-offs until none is left, so steps that cause steps finish in the same tick. */
  private handOffs(): number {
    let total = 0;
    for (let n = runHandOffs(this.competition); n > 0; n = runHandOffs(this.competition)) total += n;
    return total;
  }

  tick(now: number): TickReport {
    this.clock.set(now);
    const c = this.competition;
    openArenaOnce(c);
    let handOffs = this.handOffs();
    const round = evaluateAuditions(c);
    handOffs += this.handOffs();
    admitFromQueue(c);
    scheduleRace(c);
    handOffs += this.handOffs();
    moveRaces(c, now);
    handOffs += this.handOffs();
    scheduleRace(c);
    handOffs += this.handOffs();
    return { handOffs, evaluated: round.evaluated, waiting: round.waiting };
  }
}
