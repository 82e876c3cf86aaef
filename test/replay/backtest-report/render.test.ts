/** The HTML report as text (doc/backtesting.md, "The report"); the browser test opens it for real. */
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { zBacktestReport } from '../../../commands/backtests/report.ts';
import { usd } from '../../../replay/backtest-report/format.ts';
import { renderBacktestReport } from '../../../replay/backtest-report/render.ts';
import { realRunReport } from '../../support/backtest-report-data.ts';
import { sharedData } from '../../support/prop-trading.ts';

const data = sharedData();
const report = data ? realRunReport(data, { days: 3 }) : undefined;

const inlineScripts = (html: string) => [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);

test('the run over the real candles is valid report data; the schema refuses a hostile asset name and an oversized id, naming the field', () => {
  if (!report) return;
  assert.ok(zBacktestReport.safeParse(report).success);
  assert.is(Math.max(...report.equity.map((p) => p.drawdown)), report.metrics.maxDrawdown);
  assert.equal(zBacktestReport.safeParse({ ...report, assets: ['<script>'] }).error?.issues[0]?.path, ['assets', 0]);
  assert.equal(zBacktestReport.safeParse({ ...report, backtestId: 'x'.repeat(201) }).error?.issues[0]?.path, ['backtestId']);
});

test('given the same data, then the same bytes (nothing of the clock or machine is written)', () => {
  if (!report) return;
  assert.is(renderBacktestReport(report), renderBacktestReport(structuredClone(report)));
});

test('the policy allows exactly the inline scripts by their SHA-256 and no fetch of any kind', () => {
  if (!report) return;
  const html = renderBacktestReport(report);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
  const hashes = inlineScripts(html).map((js) => `'sha256-${createHash('sha256').update(js).digest('base64')}'`);
  assert.is(hashes.length, 2);
  assert.ok(csp.startsWith(`default-src &#39;none&#39;; script-src ${hashes.join(' ').replaceAll("'", '&#39;')};`), csp);
  assert.not.match(html, /<(?:link|img|iframe)\b|\s(?:src|href)=/i);
});

test('money in the tables is the exact micro-USD, printed to the cent', () => {
  if (!report) return;
  const html = renderBacktestReport(report);
  const cells = [...html.matchAll(/<td class="num" data-micro-usd="(-?\d+)">([^<]*)<\/td>/g)];
  assert.ok(cells.length >= 2 * report.trades.length + 5, 'PnL and fees of every trade, and the money metrics');
  for (const [, micro, shown] of cells) assert.is(shown, usd(micro as string));
  assert.ok(html.includes(`data-micro-usd="${report.metrics.pnlMicroUsd}"`));
});

test('given more samples than a chart draws, then the note says how many were drawn, and the trade list is capped with a note', () => {
  if (!report) return;
  const html = renderBacktestReport(report, { maxChartPoints: 100, maxTradeRows: 2 });
  assert.match(html, new RegExp(`Equity: \\d+ of ${report.equity.length.toLocaleString('en-US')} samples drawn`));
  assert.match(html, `2 of ${report.trades.length} closed trades listed (the first to close)`);
  assert.is([...html.matchAll(/<tr><td>/g)].length, 2);
  assert.match(renderBacktestReport({ ...report, trades: [] }), '<p class="note" id="trade-note">No trade closed in this run.</p>');
  const whole = renderBacktestReport(report, { maxChartPoints: report.equity.length });
  assert.match(whole, `Equity: all ${report.equity.length.toLocaleString('en-US')} samples drawn.`);
});

test.run();
