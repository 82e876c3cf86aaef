/**
 * The HTML report in a real headless browser (issue 14, "CLI and a report"): Debian's `chromium`
 * driven by puppeteer-core opens the file from a file URL with no network; the page must log no
 * console error and throw nothing, fetch nothing, draw both charts (canvas pixels), list the
 * expected trade rows and show a hostile id as text. Screenshots go to test-output/ (git-ignored).
 * Skips, saying so, only when no chromium binary is found; `.ci/run` installs it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BacktestReport } from '../../../commands/backtests/report.ts';
import { openDatabase } from '../../../core/database.ts';
import { chartSeries } from '../../../replay/backtest-report/chart-series.ts';
import { usd } from '../../../replay/backtest-report/format.ts';
import { MAX_TRADE_ROWS, renderBacktestReport } from '../../../replay/backtest-report/render.ts';
import { loadDecisionMarket } from '../../../replay/bench/decision-data.ts';
import { replayJob, replayOver } from '../../support/backtest.ts';
import { realRunReport } from '../../support/backtest-report-data.ts';
import { sharedData } from '../../support/prop-trading.ts';
import { tempDir } from '../../support/store.ts';

const BROWSERS = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** The first browser binary on PATH, or undefined (the test then skips, saying so). */
function chromiumBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    for (const name of BROWSERS) if (existsSync(join(dir, name))) return join(dir, name);
  }
  console.log(`  (skipping: no chromium binary on PATH (${BROWSERS.join(', ')}); .ci/run installs Debian's chromium)`);
  return undefined;
}

const binary = chromiumBinary();
const data = sharedData();
const dir = tempDir();
const OUTPUT = resolve('test-output');
const HOUR = 3_600_000;

interface Visit {
  readonly page: Page;
  readonly problems: string[];
  readonly requests: string[];
}

/** Opens `html` from a file in a new page, recording console errors and warnings, page errors, dialogs and every request but the file's own. */
async function visit(name: string, html: string): Promise<Visit> {
  const file = dir.file(`${name}.html`);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const page = await (browser as Browser).newPage();
  await page.setViewport({ width: 1280, height: 1400 });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('request', (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, requests };
}

/** Size and painted pixels of the canvas in `selector`. */
const canvasInk = (page: Page, selector: string) =>
  page.$eval(selector, (el) => {
    const canvas = el.querySelector('canvas');
    if (!canvas) return { width: 0, height: 0, painted: 0, points: el.getAttribute('data-points') };
    const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] as number) > 0) painted++;
    return { width: canvas.width, height: canvas.height, painted, points: el.getAttribute('data-points') };
  });

const tradeRows = (page: Page) =>
  page.$$eval('#trade-table tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent)));

let browser: Browser | undefined;

test.before(async () => {
  if (!binary || !data) return;
  browser = await puppeteer.launch({
    executablePath: binary,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  mkdirSync(OUTPUT, { recursive: true });
});

test.after(async () => {
  await browser?.close();
});

/**
 * Opens `report`, then: nothing failed or was fetched; both charts have a canvas with painted
 * pixels and drew the downsampled point count; the trade table lists the expected rows with
 * exact money. Saves a screenshot as test-output/`name`.png.
 */
async function openedAndDrawn(name: string, report: BacktestReport): Promise<void> {
  const series = chartSeries(report);
  const { page, problems, requests } = await visit(name, renderBacktestReport(report));
  assert.equal(problems, []);
  assert.equal(requests, [], 'the report fetches nothing');
  for (const [selector, points] of [
    ['#equity-chart', series.equity.x.length],
    ['#drawdown-chart', series.drawdown.x.length],
  ] as const) {
    const ink = await canvasInk(page, selector);
    assert.ok(ink.width > 300 && ink.height > 100, `${selector} has a canvas of size ${ink.width}×${ink.height}`);
    assert.ok(ink.painted > 2_000, `${selector} drew (${ink.painted} pixels painted)`);
    assert.is(ink.points, String(points), `${selector} drew the downsampled series`);
  }
  const rows = await tradeRows(page);
  assert.is(rows.length, Math.min(report.trades.length, MAX_TRADE_ROWS));
  const first = report.trades[0];
  assert.equal(rows[0]?.slice(0, 2), [first?.asset, first?.side]);
  assert.is(rows[0]?.[6], usd(first?.pnlMicroUsd ?? ''));
  const shot = join(OUTPUT, `${name}.png`);
  await page.screenshot({ path: shot });
  assert.equal([...readFileSync(shot).subarray(1, 4)], [...Buffer.from('PNG')]);
  console.log(`  screenshot: ${shot}`);
}

test('given a replayed run (rules engine over the real BTC and ETH candles), when opened offline, then both charts draw, every trade lists and nothing fails', async () => {
  if (!browser || !data) return;
  const db = openDatabase(dir.file('replay.db'), { synchronous: 'OFF' });
  const { decisionTime } = loadDecisionMarket(db, data, 16 * 60);
  const start = decisionTime - 16 * HOUR;
  const { report } = await replayOver(db, replayJob(start + 4 * HOUR, start + 12 * HOUR));
  db.close();
  assert.ok(report.trades.length > 0, 'the replay traded');
  await openedAndDrawn('backtest-report-replayed', report);
});

test('given 30 days of a rule over the real candles at 5-minute steps, then the downsampled charts draw and the trades list', async () => {
  if (!browser || !data) return;
  const report = realRunReport(data);
  assert.ok(report.equity.length > 8_000, 'the run is long enough to be downsampled');
  assert.ok(report.trades.length > 0, 'the rule traded');
  await openedAndDrawn('backtest-report-30-days', report);
});

test('given a hostile id and asset name and a capped list, then they show as text, nothing runs, and the note counts the rest', async () => {
  if (!browser || !data) return;
  const real = realRunReport(data, { days: 2 });
  assert.ok(real.trades.length > 3);
  const hostile = `<img src=x onerror="alert(1)"></script><script>alert(2)</script>"'&`;
  // the schema refuses such an asset name; the renderer escapes it anyway
  const report = {
    ...real,
    backtestId: hostile,
    assets: [hostile, ...real.assets],
    trades: real.trades.map((t, i) => (i === 0 ? { ...t, asset: hostile } : t)),
  };
  const { page, problems, requests } = await visit('hostile', renderBacktestReport(report, { maxTradeRows: 3 }));
  assert.equal(problems, []);
  assert.equal(requests, []);
  assert.is(await page.$eval('#backtest-id', (el) => el.textContent), hostile);
  assert.is(await page.$$eval('img', (els) => els.length), 0);
  assert.is(await page.$$eval('script', (els) => els.length), 3, 'only the report’s own scripts');
  const rows = await tradeRows(page);
  assert.is(rows.length, 3);
  assert.is(rows[0]?.[0], hostile);
  assert.is(
    await page.$eval('#trade-note', (el) => el.textContent),
    `3 of ${real.trades.length} closed trades listed (the first to close); every trade counts in the metrics.`,
  );
  await page.screenshot({ path: join(OUTPUT, 'backtest-report-hostile.png') });
});

test('given a script slipped into the page, then the policy refuses to run it (only the hashed scripts run)', async () => {
  if (!browser || !data) return;
  const html = renderBacktestReport(realRunReport(data, { days: 1 }));
  const tampered = html.replace('</body>', `<script>document.title = 'ran'</script></body>`);
  const { page, problems } = await visit('tampered', tampered);
  assert.is.not(await page.title(), 'ran');
  assert.ok(
    problems.some((p) => /Content Security Policy/.test(p)),
    problems.join('\n'),
  );
  assert.ok((await canvasInk(page, '#equity-chart')).painted > 0, 'the report’s own scripts still ran');
});

test.run();
