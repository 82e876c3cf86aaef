/**
 * The canonical bytes of a stored event, the leaf of the ledger's Merkle tree
 * (doc/ledger-integrity.md, "Canonical form"). They are built from the row exactly as stored —
 * the data and metadata texts byte for byte, never a re-serialization — so any change to any
 * stored field changes the leaf, and the form never depends on the code's schemas. The one
 * field stored in another form is the event id: a UUID stored as 16 bytes (`storedEventId`) is
 * hashed as its 36-character text, so the leaf is the same whichever way the file stores it:
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
import { hash } from 'node:crypto';
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
/** A row selected as EVENT_ROW_COLUMNS, raw: the event id as stored (text, or 16 bytes, see `storedEventId`). */
export type RawEventRow = [number, string, number, string | Buffer, string, number, string, string, number];

/** A stored event row (selected as EVENT_ROW_COLUMNS, raw) as the canonical form reads it. */
export function storedRow(r: RawEventRow): StoredEventRow {
  const [position, streamId, streamVersion, eventId, type, schemaVersion, data, metadata, recordedAt] = r;
  return { position, streamId, streamVersion, eventId: eventIdText(eventId), type, schemaVersion, data, metadata, recordedAt };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * How an event id is stored in a file whose `event_id` column takes blobs (schema 3,
 * core/database.ts): a lower-case hyphenated UUID as its 16 bytes, any other id as its text.
 * The two never meet (a text id is never a lower-case UUID), so the mapping is one-to-one.
 */
export function storedEventId(id: string): string | Buffer {
  return UUID.test(id) ? Buffer.from(id.replaceAll('-', ''), 'hex') : id;
}

/** The text of a stored event id (16 bytes back to the lower-case hyphenated UUID). */
export function eventIdText(stored: string | Buffer): string {
  if (typeof stored === 'string') return stored;
  const h = stored.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const CANONICAL_FORM_VERSION = 1;
/** The leaf prefix byte and the fixed fields (offsets 0..28 of the table above, shifted by one). */
const FIXED = 1 + 29;
const TWO_32 = 2 ** 32;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit; 4 more for each length prefix. */
const worstCaseBytes = (row: StoredEventRow) =>
  FIXED + 20 + 3 * (row.streamId.length + row.eventId.length + row.type.length + row.data.length + row.metadata.length);

/**
 * One buffer, reused by every leaf this process hashes (hashing is synchronous, so no two
 * callers share it at once); it grows to the largest event met. Appends and verification build
 * the canonical bytes here in one pass, with no intermediate buffer or concatenation
 * (doc/benchmarks.md, "The tamper-evident ledger").
 */
let scratch = Buffer.allocUnsafe(16 * 1024);

function writeU64(buf: Buffer, value: number, offset: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${field} ${value} is not a non-negative safe integer`);
  buf.writeUInt32BE(Math.floor(value / TWO_32), offset);
  buf.writeUInt32BE(value % TWO_32, offset + 4);
}

/** Writes a 4-byte length and the UTF-8 bytes of `s` at `offset`; returns the offset after them. */
function writeString(buf: Buffer, s: string, offset: number): number {
  const length = buf.write(s, offset + 4, 'utf8');
  buf.writeUInt32BE(length, offset);
  return offset + 4 + length;
}

/**
 * Writes 0x00 (the RFC 9162 leaf prefix) and the canonical bytes of `row` into the scratch
 * buffer; returns the view of them (valid until the next call).
 */
function prefixedCanonicalBytes(row: StoredEventRow): Buffer {
  const need = worstCaseBytes(row);
  if (scratch.length < need) scratch = Buffer.allocUnsafe(Math.max(need, 2 * scratch.length));
  const buf = scratch;
  buf[0] = 0x00;
  buf[1] = CANONICAL_FORM_VERSION;
  writeU64(buf, row.position, 2, 'position');
  writeU64(buf, row.streamVersion, 10, 'stream_version');
  writeU64(buf, row.recordedAt, 18, 'recorded_at');
  if (!Number.isInteger(row.schemaVersion) || row.schemaVersion < 0 || row.schemaVersion >= TWO_32) {
    throw new RangeError(`schema_version ${row.schemaVersion} does not fit 4 bytes`);
  }
  buf.writeUInt32BE(row.schemaVersion, 26);
  let offset = writeString(buf, row.streamId, FIXED);
  offset = writeString(buf, row.eventId, offset);
  offset = writeString(buf, row.type, offset);
  offset = writeString(buf, row.data, offset);
  offset = writeString(buf, row.metadata, offset);
  return buf.subarray(0, offset);
}

/** SHA-256(0x00 ‖ canonical bytes): the event's leaf hash in the ledger tree (one-shot `crypto.hash`, no hash object). */
export function eventLeafHash(row: StoredEventRow): Hash {
  return hash('sha256', prefixedCanonicalBytes(row), 'buffer');
}
