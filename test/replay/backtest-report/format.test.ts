/** The report's text: exact money from micro-USD, escaping of HTML and of script JSON. */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { duration, escapeHtml, percent, scriptJson, usd } from '../../../replay/backtest-report/format.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

test('given micro-USD beyond a double, when shown, then every digit is exact and cents round half-even', () => {
  assert.is(usd('1234567890123456789'), '1,234,567,890,123.46'); // 2^53 ≈ 9.0e15: a float would drift here
  assert.is(usd('-1234567891'), '-1,234.57');
  assert.is(usd('5000'), '0.00'); // half a cent, to the even 0
  assert.is(usd('15000'), '0.02'); // 1.5 cents, to the even 2
  assert.is(usd('-25000'), '-0.02');
  assert.is(usd('0'), '0.00');
  assert.is(usd('999999'), '1.00');
});

test('property: usd(x) read back as cents is x ÷ 10,000 rounded half-even, whatever the size', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (micro) => {
      const shown = usd(micro.toString());
      const cents = BigInt(shown.replace(/[,.]/g, ''));
      const diff = micro - cents * 10_000n; // what rounding dropped, in micro-USD
      const abs = diff < 0n ? -diff : diff;
      return abs < 5_000n || (abs === 5_000n && cents % 2n === 0n);
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('ratios and durations read plainly', () => {
  assert.is(percent(0.21434), '21.43 %');
  assert.is(percent(null), 'n/a');
  assert.is(duration(300_000), '5 minutes');
  assert.is(duration(3_600_000), '1 hour');
  assert.is(duration(90_000), '90 seconds');
});

test('given a hostile string, when escaped, then no markup survives', () => {
  assert.is(escapeHtml(`<img src=x onerror="alert('x')">&`), '&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;');
});

test('given data holding </script> and <!--, when written as script JSON, then it cannot end the element and parses back the same', () => {
  const value = { name: '</script><script>alert(1)</script><!-- \u2028 & >' };
  const text = scriptJson(value);
  assert.not.ok(/[<>&\u2028\u2029]/.test(text));
  assert.equal(JSON.parse(text), value);
});

test.run();
