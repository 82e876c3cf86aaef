/** Human or JSON output, and progress bars on stderr (never mixed into --json output). */
import cliProgress from 'cli-progress';
import { wireJson } from '../../core/canonical-json.ts';

export interface Output {
  readonly json: boolean;
  /** Writes a JSON document (bigints as decimal strings) when --json, else nothing. */
  data(value: unknown): void;
  /** Writes a human line when not --json. */
  line(text?: string): void;
  table(rows: readonly Record<string, unknown>[]): void;
  error(text: string): void;
  progress(label: string): Progress;
}

export interface Progress {
  update(value: number, total: number): void;
  stop(): void;
}

export interface Sinks {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly stderrIsTTY: boolean;
}

export const processSinks: Sinks = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrIsTTY: Boolean(process.stderr.isTTY),
};

export function createOutput(json: boolean, sinks: Sinks): Output {
  return {
    json,
    data: (value) => {
      if (json) sinks.stdout(`${wireJson(value, 2)}\n`);
    },
    line: (text = '') => {
      if (!json) sinks.stdout(`${text}\n`);
    },
    table: (rows) => {
      if (json || rows.length === 0) return;
      const cols = Object.keys(rows[0] as object);
      const cell = (v: unknown) => (typeof v === 'object' && v !== null ? wireJson(v).replace(/\s+/g, ' ') : String(v));
      const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
      const fmt = (vals: string[]) =>
        vals
          .map((v, i) => v.padEnd(widths[i] as number))
          .join('  ')
          .trimEnd();
      sinks.stdout(`${fmt(cols)}\n`);
      for (const r of rows) sinks.stdout(`${fmt(cols.map((c) => cell(r[c])))}\n`);
    },
    error: (text) => sinks.stderr(`error: ${text}\n`),
    progress: (label) => {
      if (json || !sinks.stderrIsTTY) return { update: () => {}, stop: () => {} };
      const bar = new cliProgress.SingleBar(
        { format: `${label} [{bar}] {percentage}% {value}/{total}`, stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      let started = false;
      return {
        update: (value, total) => {
          if (!started) {
            bar.start(total, value);
            started = true;
          } else {
            bar.setTotal(total);
            bar.update(value);
          }
        },
        stop: () => {
          if (started) bar.stop();
        },
      };
    },
  };
}
