/** Candle interval names ("1m", "15m", "1h", "1d") in milliseconds. */
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function intervalMs(name: string): number | undefined {
  const m = /^(\d+)([mhdw])$/.exec(name);
  if (!m) return undefined;
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}
