/**
 * The time fields of a SIWE message: a time that names no finite instant never passes a check
 * (it used to: `Date.parse` gave NaN and every comparison with NaN is false), and a leap second
 * (`…:60`) is read as the last millisecond of its minute (doc/identity.md).
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSiweMessage } from '../../adapters/siwe/siwe-message.ts';
import { checkSiweFields, instantOf, type SiwePolicy } from '../../adapters/siwe/siwe-verifier.ts';
import type { ClashError } from '../../core/errors.ts';
import { formatMessage, type MessageFields } from '../support/siwe.ts';
import { fcRuns, fcSeed } from '../support/store.ts';

const policy: SiwePolicy = { domain: 'clash.example', origin: 'https://clash.example', chainId: 1, skewMs: 60_000 };
const base: MessageFields = {
  domain: 'clash.example',
  address: '0x71C7656EC7ab88b098defB751B7401B5f6d8976F',
  statement: 'Sign in to Clash of Clones',
  uri: 'https://clash.example/login',
  version: '1',
  chainId: 1,
  nonce: 'n0nce1234567',
  issuedAt: '2026-01-05T00:00:00.000Z',
};
const now = Date.parse('2026-01-05T00:00:10.000Z');

/** The refusal code of checking this message at `at`, or `accepted`. */
function outcome(fields: MessageFields, at = now): string {
  try {
    checkSiweFields(parseSiweMessage(formatMessage(fields)), policy, at);
    return 'accepted';
  } catch (error) {
    return (error as ClashError).code;
  }
}

test('an expiration at second 60 long ago is expired (it used to pass every check)', () => {
  assert.is(outcome({ ...base, expirationTime: '2016-12-31T23:59:60Z' }), 'siwe_expired');
  assert.is(outcome({ ...base, notBefore: '2030-06-30T23:59:60Z' }), 'siwe_not_yet_valid');
  assert.is(outcome({ ...base, issuedAt: '2030-06-30T23:59:60.5Z' }), 'siwe_issued_in_future');
});

test('a leap second is the last millisecond of its minute, in any offset', () => {
  assert.is(instantOf('2016-12-31T23:59:60Z'), Date.parse('2016-12-31T23:59:59.999Z'));
  assert.is(instantOf('2016-12-31T23:59:60.75Z'), Date.parse('2016-12-31T23:59:59.999Z'));
  assert.is(instantOf('2017-01-01T00:59:60+01:00'), Date.parse('2016-12-31T23:59:59.999Z'));
});

test('times out of range name no instant, even where Date.parse would roll them over', () => {
  for (const t of [
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:00:61Z',
    '2026-01-01T00:00:00+24:00',
    'tomorrow',
  ]) {
    assert.is(instantOf(t), undefined, t);
  }
  assert.is(instantOf('2024-02-29T00:00:00Z'), Date.parse('2024-02-29T00:00:00Z'));
});

const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
/** RFC 3339-shaped times whose fields may be out of range (and the `x5` fraction and `|` sign the siwe parser lets through), plus arbitrary text. */
const anyTime = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      two(99),
      two(99),
      two(99),
      two(99),
      two(99),
      fc.constantFrom('', '.5', '.123456', 'x5'),
      fc.constantFrom('Z', '+24:00', '-05:30', '+00:60', '|05:00'),
    )
    .map(([y, mo, d, h, mi, s, f, z]) => `${String(y).padStart(4, '0')}-${mo}-${d}T${h}:${mi}:${s}${f}${z}`),
  fc.string({ maxLength: 40 }),
);
const field = fc.constantFrom('issuedAt', 'notBefore', 'expirationTime') satisfies fc.Arbitrary<keyof MessageFields>;

test('property: a message whose time field names no finite instant is refused, at any time', () => {
  fc.assert(
    fc.property(
      anyTime.filter((t) => instantOf(t) === undefined),
      field,
      fc.integer({ min: 0, max: 4_102_444_800_000 }),
      (time, name, at) => {
        const verdict = outcome({ ...base, [name]: time }, at);
        return verdict === 'siwe_time_invalid' || verdict === 'siwe_parse_failed';
      },
    ),
    { seed: fcSeed, numRuns: fcRuns * 5 },
  );
});

test('property: an expiration at second 60 is expired exactly from the last millisecond of its minute (plus skew)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4_000_000 }), (minutes) => {
      const minute = Date.parse('2026-01-05T00:01:00.000Z') + minutes * 60_000;
      const expirationTime = `${new Date(minute).toISOString().slice(0, 17)}60Z`;
      const last = minute + 59_999;
      const at = (ms: number) => outcome({ ...base, issuedAt: '2026-01-05T00:00:00Z', expirationTime }, ms);
      return at(last + policy.skewMs) === 'siwe_expired' && at(last + policy.skewMs - 1) === 'accepted';
    }),
    { seed: fcSeed, numRuns: fcRuns * 5 },
  );
});

test.run();
