/**
 * Downsampling of a chart series (doc/backtesting.md, "The report"). A series of at most
 * `maxPoints` samples is drawn whole. A longer one is cut into ⌊(maxPoints − 2) ÷ 2⌋ buckets of
 * consecutive samples, equal in count (the last may be shorter); each bucket keeps its lowest and
 * its highest sample (the earliest of equals), and the first and last samples of the series are
 * always kept, all in time order. So a drawn curve has at most `maxPoints` points and still shows
 * every peak and trough at bucket resolution: the largest drawdown drawn is the true one.
 */

/** A chart sample: x (any increasing number) and its value. */
export interface ChartPoint {
  readonly x: number;
  readonly y: number;
}

/** Points per chart series by default: about two per horizontal pixel of a wide report. */
export const MAX_CHART_POINTS = 2_000;

/** The kept samples of `points` (in order) by the rule above. Throws RangeError when `maxPoints` < 4. */
export function downsample(points: readonly ChartPoint[], maxPoints = MAX_CHART_POINTS): ChartPoint[] {
  if (maxPoints < 4) throw new RangeError('downsampling keeps at least 4 points');
  if (points.length <= maxPoints) return [...points];
  const buckets = Math.floor((maxPoints - 2) / 2);
  const size = Math.ceil(points.length / buckets);
  const keep = new Set<number>([0, points.length - 1]);
  for (let start = 0; start < points.length; start += size) {
    let low = start;
    let high = start;
    for (let i = start + 1; i < Math.min(start + size, points.length); i++) {
      if ((points[i] as ChartPoint).y < (points[low] as ChartPoint).y) low = i;
      if ((points[i] as ChartPoint).y > (points[high] as ChartPoint).y) high = i;
    }
    keep.add(low).add(high);
  }
  return [...keep].sort((a, b) => a - b).map((i) => points[i] as ChartPoint);
}
