/* global uPlot */
// The report page's one script of ours (inlined after uPlot by render.ts): draws the equity chart
// (with the buy-and-hold benchmark) and the drawdown chart from the JSON in #report-series
// (chart-series.ts), in UTC. Each chart's element gets data-points, the number of x values drawn.
(() => {
  const series = JSON.parse(document.getElementById('report-series').textContent);
  const usd = (v) => (v == null ? '' : `$${v.toLocaleString('en-US', { maximumFractionDigits: 0 })}`);
  const pct = (v) => (v == null ? '' : `${v.toFixed(1)} %`);
  const utc = (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
  const HEIGHT = 300;
  const draw = (el, options, data) => {
    const chart = new uPlot({ ...options, tzDate: utc, width: Math.max(320, el.clientWidth), height: HEIGHT }, data, el);
    el.dataset.points = String(data[0].length);
    return chart;
  };
  const equityEl = document.getElementById('equity-chart');
  const drawdownEl = document.getElementById('drawdown-chart');
  const charts = [
    [
      equityEl,
      draw(
        equityEl,
        {
          series: [
            {},
            { label: 'Equity', stroke: '#1d4ed8', width: 2, value: (_, v) => usd(v), spanGaps: true },
            { label: 'Buy and hold', stroke: '#6b7280', width: 1.5, dash: [6, 4], value: (_, v) => usd(v), spanGaps: true },
          ],
          axes: [{}, { values: (_, vals) => vals.map(usd), size: 90 }],
        },
        [series.equity.x, series.equity.equity, series.equity.benchmark],
      ),
    ],
    [
      drawdownEl,
      draw(
        drawdownEl,
        {
          series: [{}, { label: 'Drawdown', stroke: '#b91c1c', fill: 'rgba(185, 28, 28, 0.15)', value: (_, v) => pct(v) }],
          axes: [{}, { values: (_, vals) => vals.map(pct), size: 90 }],
          scales: { y: { range: (_, min) => [Math.min(min, -1), 0] } },
        },
        [series.drawdown.x, series.drawdown.drawdown],
      ),
    ],
  ];
  window.addEventListener('resize', () => {
    for (const [el, chart] of charts) chart.setSize({ width: Math.max(320, el.clientWidth), height: HEIGHT });
  });
})();
