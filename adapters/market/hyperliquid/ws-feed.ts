/**
 * Hyperliquid's WebSocket (`HYPERLIQUID_WS_URL`, default `wss://api.hyperliquid.xyz/ws`):
 * subscribes to 1m `candle` for each asset and to `allMids`, validates every message with zod
 * and hands it on. Keeps itself alive:
 * - a `{"method":"ping"}` every `heartbeatMs`; no message at all for 2 × `heartbeatMs` means the
 *   connection is dead and it is closed;
 * - a closed or failed connection is reopened after a backoff of
 *   min(maxBackoffMs, baseBackoffMs · 2^attempt) scaled by a random factor in [0.5, 1) (jitter,
 *   so many clients do not return in step); the attempt count resets once a message arrives;
 * - every subscription is sent again on each new connection, and `onReconnect` tells the
 *   caller that it may have missed messages (the candle feed then backfills from REST).
 */
import WebSocket from 'ws';
import { z } from 'zod';
import { zAllMids, zCandle } from '../importers/hyperliquid.ts';
import { firstIssue } from '../sources/http-json.ts';

export interface WsFeedOptions {
  readonly url: string;
  readonly coins: readonly string[];
  readonly heartbeatMs?: number;
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly random?: () => number;
}

export interface WsFeedHandlers {
  /** Every message but the feed's own control messages (pong, subscription acknowledgements), validated, with when it arrived (ms). */
  onMessage(message: WsMessage, receivedAt: number): void;
  onOpen(): void;
  /** A connection after the first: messages may have been missed in between. */
  onReconnect(): void;
  onError(error: Error): void;
}

const zMessage = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('candle'), data: z.unknown() }),
  z.object({ channel: z.literal('allMids'), data: z.object({ mids: z.unknown() }) }),
  z.object({ channel: z.literal('pong') }),
  z.object({ channel: z.literal('subscriptionResponse') }),
  z.object({ channel: z.literal('error'), data: z.unknown() }),
]);

/** The channel of a message for counting, `unknown` when it has none. */
function channelOf(json: unknown): string {
  const c = (json as { channel?: unknown } | null)?.channel;
  return typeof c === 'string' && c.length <= 40 ? c : 'unknown';
}

export class HyperliquidWsFeed {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private connections = 0;
  private stopped = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private lastMessageAt = 0;

  constructor(
    private readonly options: WsFeedOptions,
    private readonly handlers: WsFeedHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.heartbeat) clearInterval(this.heartbeat);
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.terminate();
      });
    }
  }

  /** The delay before reconnect attempt `attempt` (0-based), in ms. */
  backoffMs(attempt: number): number {
    const base = this.options.baseBackoffMs ?? 500;
    const max = this.options.maxBackoffMs ?? 30_000;
    const random = this.options.random ?? Math.random;
    return Math.min(max, base * 2 ** Math.min(attempt, 20)) * (0.5 + random() / 2);
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = new WebSocket(this.options.url, { handshakeTimeout: 10_000 });
    this.socket = socket;
    socket.on('open', () => {
      this.connections += 1;
      this.lastMessageAt = Date.now();
      for (const coin of this.options.coins) {
        socket.send(JSON.stringify({ method: 'subscribe', subscription: { type: 'candle', coin, interval: '1m' } }));
      }
      socket.send(JSON.stringify({ method: 'subscribe', subscription: { type: 'allMids' } }));
      this.startHeartbeat(socket);
      this.handlers.onOpen();
      if (this.connections > 1) this.handlers.onReconnect();
    });
    socket.on('message', (raw) => this.receive(raw.toString()));
    socket.on('error', (err) => this.handlers.onError(err));
    socket.on('close', () => {
      if (this.heartbeat) clearInterval(this.heartbeat);
      if (this.socket !== socket || this.stopped) return;
      this.socket = null;
      const delay = this.backoffMs(this.attempt);
      this.attempt += 1;
      this.retry = setTimeout(() => this.connect(), delay);
      this.retry.unref();
    });
  }

  private startHeartbeat(socket: WebSocket): void {
    const every = this.options.heartbeatMs ?? 30_000;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastMessageAt > 2 * every) {
        this.handlers.onError(new Error(`no message for ${Date.now() - this.lastMessageAt} ms: reconnecting`));
        socket.terminate();
        return;
      }
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ method: 'ping' }));
    }, every);
    this.heartbeat.unref();
  }

  private receive(text: string): void {
    this.lastMessageAt = Date.now();
    this.attempt = 0;
    const m = parseWsMessage(text);
    if (m.kind !== 'control') this.handlers.onMessage(m, this.lastMessageAt);
  }
}

/** One WebSocket message, validated: a candle, the mids, a control message, an error, or invalid (with its channel). */
export type WsMessage =
  | { readonly kind: 'candle'; readonly candle: z.output<typeof zCandle> }
  | { readonly kind: 'mids'; readonly mids: z.output<typeof zAllMids> }
  | { readonly kind: 'control' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'invalid'; readonly channel: string; readonly problem: string };

/** Parses and validates one message text (JSON, then the channel's schema). */
export function parseWsMessage(text: string): WsMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'invalid', channel: 'unknown', problem: 'not JSON' };
  }
  const message = zMessage.safeParse(json);
  if (!message.success) return { kind: 'invalid', channel: channelOf(json), problem: firstIssue(message.error) };
  const m = message.data;
  if (m.channel === 'candle') {
    const candle = zCandle.safeParse(m.data);
    return candle.success
      ? { kind: 'candle', candle: candle.data }
      : { kind: 'invalid', channel: 'candle', problem: firstIssue(candle.error) };
  }
  if (m.channel === 'allMids') {
    const mids = zAllMids.safeParse(m.data.mids);
    return mids.success ? { kind: 'mids', mids: mids.data } : { kind: 'invalid', channel: 'allMids', problem: firstIssue(mids.error) };
  }
  if (m.channel === 'error') return { kind: 'error', message: String(m.data).slice(0, 200) };
  return { kind: 'control' };
}
