/**
 * Canonical JSON: object keys sorted, bigints written as `{"$bigint":"123"}`, no whitespace.
 * Used wherever a byte-stable form matters: idempotency payload hashes, decider snapshots and
 * the row hashes that `verify` compares.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(value: unknown): unknown {
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (Array.isArray(value)) return value.map(normalize);
  if (value instanceof Map) return { $map: [...value.entries()].map(([k, v]) => [normalize(k), normalize(v)]) };
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = normalize(v);
    }
    return out;
  }
  return value;
}

/** Inverse of canonicalJson for snapshots: revives bigints and maps. */
export function parseCanonicalJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.$bigint === 'string' && Object.keys(o).length === 1) return BigInt(o.$bigint);
      if (Array.isArray(o.$map) && Object.keys(o).length === 1) return new Map(o.$map as [unknown, unknown][]);
    }
    return v;
  });
}

/** Hex SHA-256 of `data` (a string is hashed as its UTF-8 bytes). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON as on the wire: bigints become decimal strings (the form every amount takes outside memory). */
export function wireJson(value: unknown, space?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), space);
}

/** A plain JSON value of `value` as on the wire: bigints as decimal strings, no `undefined`. */
export function toWire<T = unknown>(value: unknown): T {
  return JSON.parse(wireJson(value)) as T;
}
