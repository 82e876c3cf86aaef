/** A decision run's context for BTC at 100,000 in an up-trend: what the runtime tests and the bench feed the engines. */
import type { RunContext } from '../../commands/decisions/ports.ts';

/** Indicators of a rising market: price above EMA 20, RSI 60, MACD above its signal. */
const UP_TREND = { ema20: 99_000, rsi14: 60, macd: 120, macdSignal: 80, macdHistogram: 40 };

/** BTC the only candidate, enabled, 10,000 USD equity, wide headroom; `overrides` replace fields. */
export function btcRunContext(overrides: Partial<RunContext> = {}): RunContext {
  return {
    packet: { symbol: 'BTC', lastPrice: '100000', indicators: { ema20: 99_000, rsi14: 60, macdHistogram: 40 } },
    promptTemplateVersion: 'prompt-v1',
    system: 'You trade BTC on a paper prop account. Answer with one JSON action.',
    prompt: 'BTC 1m closes and indicators …',
    modelStrength: 'basic',
    candidates: ['BTC'],
    assetEnabled: true,
    confidenceThreshold: 0.5,
    tierMaxLeverage: 20,
    assetMaxLeverage: 50,
    headroomMicroUsd: 100_000_000_000n,
    equityMicroUsd: 10_000_000_000n,
    lastPrice: '100000',
    indicators: UP_TREND,
    position: null,
    ...overrides,
  };
}
