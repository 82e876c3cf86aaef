/**
 * The backtest report: one self-contained HTML file (issue 14, "CLI and a report";
 * doc/backtesting.md, "The report"). uPlot and its CSS are inlined and a Content-Security-Policy
 * forbids every fetch, so the page needs no network when it is opened; only the two inline
 * scripts whose SHA-256 the policy names may run, so a string that escaped its escaping still
 * could not execute. Every string of the data is escaped; money is printed from the exact
 * micro-USD strings; the charts are downsampled (`downsample.ts`) and the trade list is capped.
 * The same data gives the same bytes (nothing of the clock or the machine is written).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BacktestReport, ReportTrade } from '../../commands/backtests/report.ts';
import { chartSeries } from './chart-series.ts';
import { MAX_CHART_POINTS } from './downsample.ts';
import { duration, escapeHtml, fixed2, percent, scriptJson, usd } from './format.ts';
import { metricRows } from './metric-rows.ts';
import { REPORT_CSS } from './style.ts';

/** Trade rows the report lists by default; more trades are counted in a note (all count in the metrics). */
export const MAX_TRADE_ROWS = 1_000;

export interface RenderOptions {
  /** Points per chart curve before downsampling applies (default MAX_CHART_POINTS). */
  readonly maxChartPoints?: number;
  /** Trade rows listed (default MAX_TRADE_ROWS): the first trades to close. */
  readonly maxTradeRows?: number;
}

const requireAsset = createRequire(import.meta.url);
const asset = (specifier: string) => readFileSync(requireAsset.resolve(specifier), 'utf8');

interface Assets {
  readonly uplotJs: string;
  readonly uplotCss: string;
  readonly chartsJs: string;
}
let assets: Assets | undefined;

/** uPlot's browser build and CSS (npm `uplot`, MIT) and our chart script, read once. */
function loadAssets(): Assets {
  assets ??= {
    uplotJs: asset('uplot/dist/uPlot.iife.min.js'),
    uplotCss: asset('uplot/dist/uPlot.min.css'),
    chartsJs: readFileSync(new URL('./charts.js', import.meta.url), 'utf8'),
  };
  return assets;
}

/** Inline script text must not end its element early or enter the HTML parser's escaped state. */
function inlineScript(js: string): string {
  if (/<\/script|<!--/i.test(js)) throw new Error('an inlined script contains </script or <!--');
  return js;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const cell = (text: string, className?: string) => `<td${className ? ` class="${className}"` : ''}>${escapeHtml(text)}</td>`;
const moneyCell = (microUsd: string) => `<td class="num" data-micro-usd="${escapeHtml(microUsd)}">${escapeHtml(usd(microUsd))}</td>`;

function tradeRow(t: ReportTrade): string {
  return [
    '<tr>',
    cell(t.asset),
    cell(t.side),
    cell(t.openedAt),
    cell(t.closedAt),
    cell(t.entryPrice, 'num'),
    cell(t.exitPrice, 'num'),
    moneyCell(t.pnlMicroUsd),
    moneyCell(t.feesMicroUsd),
    '</tr>',
  ].join('');
}

function tradeNote(listed: number, all: number): string {
  if (all === 0) return 'No trade closed in this run.';
  return listed === all
    ? `All ${all.toLocaleString('en-US')} closed trades, in the order they closed.`
    : `${listed.toLocaleString('en-US')} of ${all.toLocaleString('en-US')} closed trades listed (the first to close); every trade counts in the metrics.`;
}

function downsamplingNote(counts: readonly [number, number], what: string): string {
  const [all, drawn] = counts;
  return all === drawn
    ? `${what}: all ${all.toLocaleString('en-US')} samples drawn.`
    : `${what}: ${drawn.toLocaleString('en-US')} of ${all.toLocaleString('en-US')} samples drawn (each bucket's lowest and highest, the first and the last).`;
}

/** The report of `data` (validated by the caller with `zBacktestReport`) as one HTML document. */
export function renderBacktestReport(data: BacktestReport, options: RenderOptions = {}): string {
  const { uplotJs, uplotCss, chartsJs } = loadAssets();
  const series = chartSeries(data, options.maxChartPoints ?? MAX_CHART_POINTS);
  const maxRows = options.maxTradeRows ?? MAX_TRADE_ROWS;
  const listed = data.trades.slice(0, maxRows);
  const scripts = [inlineScript(uplotJs), inlineScript(chartsJs)];
  const csp = `default-src 'none'; script-src ${scripts.map(sha256).join(' ')}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  const m = data.metrics;
  const title = `Backtest ${data.backtestId}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${uplotCss}
${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>Backtest <code id="backtest-id">${escapeHtml(data.backtestId)}</code></h1>
<p class="run">${escapeHtml(data.assets.join(', '))} · engine ${escapeHtml(data.engine)} · ${escapeHtml(data.window.from)} → ${escapeHtml(data.window.to)} · step ${escapeHtml(duration(data.stepMs))}</p>
<p class="summary">Return <strong>${escapeHtml(percent(m.totalReturn))}</strong> (buy and hold ${escapeHtml(percent(m.benchmarkReturn))}) · PnL <strong>${escapeHtml(usd(m.pnlMicroUsd))} USD</strong> · max drawdown ${escapeHtml(percent(m.maxDrawdown))} · ${m.trades.toLocaleString('en-US')} trades</p>
</header>
<section>
<h2>Equity and buy-and-hold benchmark (USD)</h2>
<div id="equity-chart" class="chart"></div>
<p class="note">${escapeHtml(downsamplingNote(series.counts.equity, 'Equity'))} ${escapeHtml(downsamplingNote(series.counts.benchmark, 'Benchmark'))}</p>
</section>
<section>
<h2>Drawdown from the running peak (%)</h2>
<div id="drawdown-chart" class="chart"></div>
<p class="note">${escapeHtml(downsamplingNote(series.counts.drawdown, 'Drawdown'))}</p>
</section>
<section>
<h2>Metrics</h2>
<table id="metrics-table">
<thead><tr><th>Metric</th><th>Value</th><th>Unit and definition</th></tr></thead>
<tbody>
${metricRows(m)
  .map(
    (r) =>
      `<tr><th scope="row">${escapeHtml(r.label)}</th>${'microUsd' in r ? moneyCell(r.microUsd) : cell(r.value, 'num')}${cell(r.unit)}</tr>`,
  )
  .join('\n')}
</tbody>
</table>
<p class="note">${escapeHtml(
    `Returns are simple returns between consecutive equity samples, one every ${duration(m.samplingIntervalMs)} (the replay step); Sharpe and Sortino are annualised by √${fixed2(m.periodsPerYear)} periods per year (365 days ÷ the sampling interval); the risk-free rate is 0. Money is shown in USD rounded half-even to the cent from exact micro-USD.`,
  )}</p>
</section>
<section>
<h2>Trades</h2>
<p class="note" id="trade-note">${escapeHtml(tradeNote(listed.length, data.trades.length))}</p>
<table id="trade-table">
<thead><tr><th>Asset</th><th>Side</th><th>Opened (UTC)</th><th>Closed (UTC)</th><th>Entry (USD)</th><th>Exit (USD)</th><th>PnL (USD, net of fees and funding)</th><th>Fees (USD)</th></tr></thead>
<tbody>
${listed.map(tradeRow).join('\n')}
</tbody>
</table>
</section>
<script type="application/json" id="report-series">${scriptJson({ equity: series.equity, drawdown: series.drawdown })}</script>
<script>${scripts[0]}</script>
<script>${scripts[1]}</script>
</body>
</html>
`;
}
