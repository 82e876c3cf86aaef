/** Timing and temp-file helpers for the benchmark. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Figure {
  /** What was measured. */
  readonly name: string;
  readonly unit: string;
  /** Our figure (higher is better). */
  readonly ours: number;
  /** The raw better-sqlite3 baseline doing the same rows with the same pragmas (or the peer), in the same run. */
  readonly baseline: number;
  /** What the baseline is when it is not raw better-sqlite3 (a peer event store). */
  readonly baselineName?: string;
  /** ours / baseline. */
  readonly ratio: number;
  /** The ratio the issue asks for, if any. */
  readonly target?: number;
  readonly note?: string;
}

export function figure(name: string, unit: string, ours: number, baseline: number, target?: number, note?: string): Figure {
  return { name, unit, ours, baseline, ratio: ours / baseline, ...(target === undefined ? {} : { target }), ...(note ? { note } : {}) };
}

/** Runs fn (which does `count` operations) and returns operations per second. */
export function rate(count: number, fn: () => void): number {
  const started = performance.now();
  fn();
  return count / ((performance.now() - started) / 1000);
}

/**
 * Best of `rounds` for ours and the baseline, interleaved (baseline, ours, baseline, ours…) so
 * a burst of noise on the machine hits both alike.
 */
export function compare(rounds: number, baseline: () => number, ours: () => number): { ours: number; baseline: number } {
  let b = 0;
  let o = 0;
  for (let i = 0; i < rounds; i++) {
    b = Math.max(b, baseline());
    o = Math.max(o, ours());
  }
  return { ours: o, baseline: b };
}

export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'clash-bench-'));
  private n = 0;
  file(label: string): string {
    this.n += 1;
    return join(this.dir, `${label}-${this.n}.db`);
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function heapUsedMb(): number {
  return process.memoryUsage().heapUsed / 1024 / 1024;
}
