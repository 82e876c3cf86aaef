/**
 * Text of the HTML report: escaping and the display of exact money, ratios and durations.
 * Money is formatted from integer micro-USD with bigint arithmetic only, so no float ever stands
 * between the ledger's figure and what is shown (doc/backtesting.md, "The report").
 */
import { divide } from '../../core/money.ts';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `s` as HTML text or a double- or single-quoted attribute value: & < > " ' escaped. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/**
 * A value as the text of a `<script type="application/json">` element: JSON with `<`, `>`, `&`
 * and the JS line separators U+2028/U+2029 as `\u` escapes, so no `</script>` or `<!--` can
 * close or change the element whatever the data holds.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const groupThousands = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * Micro-USD (an integer string) as USD with cents, rounded half-even in bigint arithmetic and
 * grouped by thousands: `"-1234567891"` → `"-1,234.57"`. Exact for any size of amount.
 */
export function usd(microUsd: string): string {
  const cents = divide(BigInt(microUsd), 10_000n, 'half_even');
  const negative = cents < 0n;
  const digits = (negative ? -cents : cents).toString().padStart(3, '0');
  const whole = groupThousands(digits.slice(0, -2));
  return `${negative ? '-' : ''}${whole}.${digits.slice(-2)}`;
}

/** A fraction as a percentage with two decimals (`0.2143` → `"21.43 %"`); `n/a` for null. */
export function percent(x: number | null): string {
  return x === null ? 'n/a' : `${(x * 100).toFixed(2)} %`;
}

/** A ratio with two decimals; `n/a` for null. */
export function fixed2(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(2);
}

const UNITS: readonly (readonly [number, string])[] = [
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1_000, 'second'],
];

/** A duration in ms in the largest whole unit: 300,000 → `"5 minutes"`, 3,600,000 → `"1 hour"`, 90,000 → `"90 seconds"`. */
export function duration(ms: number): string {
  const [size, name] = UNITS.find(([u]) => ms % u === 0) ?? [1, 'millisecond'];
  const n = ms / size;
  return `${n.toLocaleString('en-US')} ${name}${n === 1 ? '' : 's'}`;
}
