/**
 * A backtest's payloads as JSON-lines parts under `backtests/<id>/<kind>/<part>.jsonl`: lines
 * are buffered and written `PART_LINES` at a time, so a long run never holds its packets,
 * prompts or replies in memory, and retention deletes a kind by listing its folder.
 * Part names are zero-padded sequence numbers, so the store's key order is the write order.
 */
import type { ArtifactStore } from '../../adapters/artifacts/store.ts';
import type { ReplyArchive, StoredReply } from '../../adapters/models/recorded.ts';
import type { ArtifactRef } from './events.ts';

/** What `BacktestFinished` records of a run's artifacts: the summary and decision log durable, the rest expiring at `expiresAt` (ms). */
export function runArtifacts(backtestId: string, expiresAt: number): ArtifactRef[] {
  return [
    { key: summaryKey(backtestId), kind: 'summary', expiresAt: null },
    { key: partsPrefix(backtestId, 'decisions'), kind: 'decisions', expiresAt: null },
    ...expiringKinds.map((kind) => ({ key: partsPrefix(backtestId, kind), kind, expiresAt })),
  ];
}

/** Lines per part. */
export const PART_LINES = 256;

/** The artifact kinds a run writes as parts; `decisions` is durable, the others expire (doc/backtesting.md, "Retention"). */
const partKinds = ['decisions', 'packets', 'prompts', 'replies'] as const;
export type PartKind = (typeof partKinds)[number];
const expiringKinds: readonly PartKind[] = ['packets', 'prompts', 'replies'];

/** The folder of one kind of one run. */
export const partsPrefix = (backtestId: string, kind: string) => `backtests/${backtestId}/${kind}/`;
/** The durable report of one run. */
export const summaryKey = (backtestId: string) => `backtests/${backtestId}/summary.json`;

const encoder = new TextEncoder();

export class PartWriter {
  private lines: string[] = [];
  private part = 0;

  constructor(
    private readonly store: ArtifactStore,
    private readonly prefix: string,
  ) {}

  /** Adds one line (a JSON value); writes a part when `PART_LINES` are buffered. */
  async add(value: unknown): Promise<void> {
    this.lines.push(JSON.stringify(value));
    if (this.lines.length >= PART_LINES) await this.flush();
  }

  /** Writes the buffered lines as the next part (nothing when empty). */
  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const key = `${this.prefix}${String(this.part).padStart(6, '0')}.jsonl`;
    await this.store.put(key, encoder.encode(`${this.lines.join('\n')}\n`));
    this.part += 1;
    this.lines = [];
  }
}

/** Every line of every part under `prefix`, in write order (parsed JSON). */
export async function* readParts(store: ArtifactStore, prefix: string): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  for (const info of await store.list(prefix)) {
    const bytes = await store.get(info.key);
    if (!bytes) continue;
    for (const line of decoder.decode(bytes).split('\n')) if (line !== '') yield JSON.parse(line);
  }
}

/**
 * The replies the runs `backtestIds` recorded, by packet digest (the first run that has a
 * digest wins): the `recorded` engine's archive for a re-run. Replies deleted by retention are
 * simply absent; the engine then answers `recording_missing` for their packets.
 */
export async function recordedReplies(store: ArtifactStore, backtestIds: readonly string[]): Promise<ReplyArchive> {
  const replies = new Map<string, StoredReply>();
  for (const id of backtestIds) {
    for await (const line of readParts(store, partsPrefix(id, 'replies'))) {
      const r = line as { packetDigest: string; model: string; text: string };
      if (!replies.has(r.packetDigest)) replies.set(r.packetDigest, { model: r.model, text: r.text });
    }
  }
  return { get: async (digest) => replies.get(digest) };
}
