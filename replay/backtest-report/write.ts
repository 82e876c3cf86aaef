/** Writing a report file: the one path behind `clash backtest run --report` and `clash backtest report`. */
import { writeFileSync } from 'node:fs';
import { zBacktestReport } from '../../commands/backtests/report.ts';
import { ValidationError } from '../../core/errors.ts';
import { issuesOf } from '../../core/event-registry.ts';
import { type RenderOptions, renderBacktestReport } from './render.ts';

export interface WrittenReport {
  readonly file: string;
  /** Size of the HTML file (bytes). */
  readonly bytes: number;
}

/**
 * Validates `report` against `zBacktestReport` (ValidationError naming the first bad field, and no
 * file written), renders it (`render.ts`) and writes it to `file` whole, replacing what was there.
 */
export function writeBacktestReport(file: string, report: unknown, options?: RenderOptions): WrittenReport {
  const parsed = zBacktestReport.safeParse(report);
  if (!parsed.success) throw new ValidationError('backtest report', issuesOf(parsed.error));
  const html = renderBacktestReport(parsed.data, options);
  writeFileSync(file, html);
  return { file, bytes: Buffer.byteLength(html) };
}
