/**
 * The canonical bytes of a stored event, the leaf of the ledger's Merkle tree
 * (doc/ledger-integrity.md, "Canonical form"). They are built from the row exactly as stored —
 * the data and metadata JSON texts byte for byte, never a re-serialization — so any change to
 * any stored field changes the leaf, and the form never depends on the code's schemas:
 *
 *   offset  size  field
 *   0       1     form version, 0x01
 *   1       8     position          unsigned big-endian
 *   9       8     stream_version    unsigned big-endian
 *   17      8     recorded_at (ms)  unsigned big-endian
 *   25      4     schema_version    unsigned big-endian
 *   29      …     stream_id, event_id, type, data, metadata: each a 4-byte unsigned big-endian
 *                 byte length followed by the UTF-8 bytes
 *
 * The leaf hash is RFC 9162's SHA-256(0x00 ‖ canonical bytes).
 */
import { createHash } from 'node:crypto';
import type { Hash } from './merkle.ts';

/** The stored columns of one event row, as `events` holds them. */
export interface StoredEventRow {
  readonly position: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  /** The data JSON text exactly as stored. */
  readonly data: string;
  /** The metadata JSON text exactly as stored. */
  readonly metadata: string;
  /** ms since the epoch. */
  readonly recordedAt: number;
}

export const EVENT_ROW_COLUMNS = 'position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at';
export type RawEventRow = [number, string, number, string, string, number, string, string, number];

/** A stored event row (selected as EVENT_ROW_COLUMNS, raw) as the canonical form reads it. */
export function storedRow(r: RawEventRow): StoredEventRow {
  const [position, streamId, streamVersion, eventId, type, schemaVersion, data, metadata, recordedAt] = r;
  return { position, streamId, streamVersion, eventId, type, schemaVersion, data, metadata, recordedAt };
}

export const CANONICAL_FORM_VERSION = 1;
const FIXED = 29;
const TWO_32 = 2 ** 32;

function writeU64(buf: Buffer, value: number, offset: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${field} ${value} is not a non-negative safe integer`);
  buf.writeUInt32BE(Math.floor(value / TWO_32), offset);
  buf.writeUInt32BE(value % TWO_32, offset + 4);
}

/** The canonical bytes of a stored row, preceded by the RFC 9162 leaf prefix 0x00 (so one hash call covers both). */
function prefixedCanonicalBytes(row: StoredEventRow): Buffer {
  const strings = [row.streamId, row.eventId, row.type, row.data, row.metadata];
  const lengths = strings.map((s) => Buffer.byteLength(s, 'utf8'));
  const buf = Buffer.allocUnsafe(1 + FIXED + lengths.reduce((a, b) => a + b + 4, 0));
  buf[0] = 0x00;
  buf[1] = CANONICAL_FORM_VERSION;
  writeU64(buf, row.position, 2, 'position');
  writeU64(buf, row.streamVersion, 10, 'stream_version');
  writeU64(buf, row.recordedAt, 18, 'recorded_at');
  if (!Number.isInteger(row.schemaVersion) || row.schemaVersion < 0 || row.schemaVersion >= TWO_32) {
    throw new RangeError(`schema_version ${row.schemaVersion} does not fit 4 bytes`);
  }
  buf.writeUInt32BE(row.schemaVersion, 26);
  let offset = 1 + FIXED;
  strings.forEach((s, i) => {
    const length = lengths[i] as number;
    buf.writeUInt32BE(length, offset);
    buf.write(s, offset + 4, length, 'utf8');
    offset += 4 + length;
  });
  return buf;
}

/** The canonical bytes of a stored event (the table above). */
export function canonicalEventBytes(row: StoredEventRow): Buffer {
  return prefixedCanonicalBytes(row).subarray(1);
}

/** SHA-256(0x00 ‖ canonical bytes): the event's leaf hash in the ledger tree. */
export function eventLeafHash(row: StoredEventRow): Hash {
  return createHash('sha256').update(prefixedCanonicalBytes(row)).digest();
}
