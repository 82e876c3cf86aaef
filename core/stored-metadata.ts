/**
 * How event metadata is stored (doc/event-store.md, "Storage layout"). The engine's and the
 * callers' usual keys — `actor`, `correlationId`, `causationId`, `commandName`,
 * `idempotencyKey` — are stored as a JSON array of their values in that order (`null` where a
 * key is absent, trailing ones dropped): `["user:1","r7",null,"SubmitAction","k"]` instead of
 * the object, about half the bytes. Metadata with any other key is stored as the JSON object, as
 * every row was before. Reading accepts both, so older rows read unchanged; the Merkle leaf
 * covers the stored text either way (core/event-leaf.ts).
 */
import type { EventMetadata } from './event-store.ts';

/** The keys the array form holds, in order. Never reorder: stored rows depend on it. */
const KEYS = ['actor', 'correlationId', 'causationId', 'commandName', 'idempotencyKey'] as const;
const KNOWN: ReadonlySet<string> = new Set(KEYS);

/** The stored text of `metadata` (values are strings, validated by the caller). */
export function encodeMetadata(metadata: EventMetadata): string {
  for (const key in metadata) if (!KNOWN.has(key)) return JSON.stringify(metadata);
  const values: (string | null)[] = KEYS.map((k) => metadata[k] ?? null);
  while (values.length > 0 && values[values.length - 1] === null) values.pop();
  return JSON.stringify(values);
}

/** The metadata of a stored text in either form. Throws (SyntaxError, TypeError) on anything else. */
export function decodeMetadata(text: string): EventMetadata {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return parsed as EventMetadata;
  if (parsed.length > KEYS.length) throw new TypeError(`metadata array of ${parsed.length} values, at most ${KEYS.length}`);
  const metadata: Record<string, string> = {};
  parsed.forEach((v, i) => {
    if (v === null) return;
    if (typeof v !== 'string') throw new TypeError(`metadata value ${i} is not a string`);
    metadata[KEYS[i] as string] = v;
  });
  return metadata;
}
