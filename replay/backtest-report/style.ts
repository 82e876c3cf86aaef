/** The report's own CSS (after uPlot's): system fonts only, so the page fetches nothing. */
export const REPORT_CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111827; margin: 0 auto; padding: 16px 24px 48px; max-width: 1200px; }
h1 { font-size: 22px; margin: 8px 0; word-break: break-all; }
h2 { font-size: 17px; margin: 28px 0 8px; }
code { font: 13px ui-monospace, "SFMono-Regular", Menlo, monospace; }
.run, .note { color: #4b5563; }
.note { font-size: 12px; }
.chart { width: 100%; min-height: 300px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e5e7eb; }
thead th { background: #f9fafb; position: sticky; top: 0; }
td.num { text-align: right; white-space: nowrap; }
#trade-table td { white-space: nowrap; }
`;
