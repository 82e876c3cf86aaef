/**
 * The rows of the report's metrics table: each metric of `zBacktestMetrics` with its value and
 * its unit and definition (doc/backtesting.md, "Metrics"). Money rows carry the exact micro-USD
 * string, printed by `usd`; ratio rows carry their text.
 */
import type { BacktestMetrics } from '../../commands/backtests/metrics.ts';
import { fixed2, percent } from './format.ts';

/** A money row carries its exact amount (micro-USD); a ratio or count row its printed value. */
export type MetricRow = { readonly label: string; readonly unit: string } & ({ readonly microUsd: string } | { readonly value: string });

const money = (label: string, microUsd: string, unit: string): MetricRow => ({ label, microUsd, unit });
const ratio = (label: string, value: string, unit: string): MetricRow => ({ label, value, unit });

/** Every metric in the order of doc/backtesting.md, "Metrics". */
export function metricRows(m: BacktestMetrics): MetricRow[] {
  return [
    money('Start equity', m.startEquityMicroUsd, 'USD'),
    money('End equity', m.endEquityMicroUsd, 'USD'),
    money('PnL', m.pnlMicroUsd, 'USD, end − start equity'),
    ratio('Total return', percent(m.totalReturn), 'end ÷ start equity − 1'),
    ratio('Benchmark return', percent(m.benchmarkReturn), 'equal-weight buy and hold of the same assets over the same window'),
    ratio('Max drawdown', percent(m.maxDrawdown), 'largest fall from a running peak, of that peak'),
    ratio('Sharpe', fixed2(m.sharpe), 'annualised; mean ÷ sample standard deviation of the returns'),
    ratio('Sortino', fixed2(m.sortino), 'annualised; mean ÷ downside deviation of the returns'),
    ratio('Calmar', fixed2(m.calmar), 'compound annual return ÷ max drawdown'),
    ratio('Trades', m.trades.toLocaleString('en-US'), 'closed trades'),
    ratio('Win rate', percent(m.winRate), 'trades with net PnL > 0 ÷ trades'),
    ratio('Profit factor', fixed2(m.profitFactor), 'Σ winning PnL ÷ |Σ losing PnL|'),
    m.expectancyMicroUsd === null
      ? ratio('Expectancy', 'n/a', 'USD per trade')
      : money('Expectancy', m.expectancyMicroUsd, 'USD per trade, net'),
    money('Fees', m.feesMicroUsd, 'USD, all fills'),
    money('Funding', m.fundingMicroUsd, 'USD, paid is negative'),
    ratio('Exposure', percent(m.exposure), 'samples with an open position ÷ samples'),
    ratio('Turnover', `${fixed2(m.turnover)} ×`, 'traded notional ÷ mean equity'),
  ];
}
