/**
 * A local Hyperliquid: `POST /info` answering from the recorded payloads in
 * `shared/data/market/hyperliquid/` (metaAndAssetCtxs, fundingHistory) and from candles
 * synthesized from the 30-day Bybit 1m CSVs (candleSnapshot), plus a WebSocket at `/ws` that
 * acknowledges subscriptions and streams whatever the test pushes. The test can drop every
 * connection, refuse new ones, send raw text, and change the registry between polls.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { parseBybitCsv } from '../../adapters/market/importers/bybit-csv.ts';
import type { HyperliquidIngestionOptions } from '../../adapters/market/ingestion/hyperliquid-ingestion.ts';
import type { Candle } from '../../adapters/market/market-memory.ts';
import { PRICE, SIZE } from '../../adapters/market/units.ts';
import { formatDecimal } from '../../core/money.ts';

/** A candle as Hyperliquid sends it. */
export interface WireCandle {
  t: number;
  T: number;
  s: string;
  i: string;
  o: string;
  c: string;
  h: string;
  l: string;
  v: string;
  n: number;
}

export function wireCandle(c: Candle): WireCandle {
  const p = (x: bigint) => formatDecimal(x, PRICE);
  return {
    t: c.openTime,
    T: c.openTime + 59_999,
    s: c.asset,
    i: '1m',
    o: p(c.open),
    c: p(c.close),
    h: p(c.high),
    l: p(c.low),
    v: formatDecimal(c.volume, SIZE),
    n: 1,
  };
}

/** The first `count` 1m candles of a shared CSV (`BTCUSDT_1m.csv` → BTC). */
export function csvCandles(data: string, file: string, count = Number.POSITIVE_INFINITY): Candle[] {
  const path = join(data, 'market', 'candles-1m', 'bybit-linear', file);
  return parseBybitCsv(path, readFileSync(path, 'utf8')).slice(0, count);
}

export interface HyperliquidStub {
  readonly url: string;
  readonly infoUrl: string;
  readonly wsUrl: string;
  /** The metaAndAssetCtxs answer (the recorded one until the test changes it). */
  meta: unknown;
  /** Candles served by candleSnapshot, per coin. */
  readonly candles: Map<string, Candle[]>;
  /** Requests received, by `type`. */
  readonly requests: { type: string; body: unknown }[];
  /** When true the WebSocket answers nothing, not even pings, and new connections hang up (a dead server behind a live socket). */
  silent: boolean;
  /** WebSocket connections accepted so far. */
  opened(): number;
  /** Sends `data` on `channel` to every open connection subscribed to it. */
  send(channel: 'candle' | 'allMids', data: unknown): void;
  sendRaw(text: string): void;
  /** Closes every connection; with `refuse`, new ones are refused until `accept()`. */
  drop(options?: { refuse?: boolean }): void;
  accept(): void;
  connections(): number;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
}

export async function startHyperliquidStub(data: string): Promise<HyperliquidStub> {
  const hl = join(data, 'market', 'hyperliquid');
  const meta: unknown = JSON.parse(readFileSync(join(hl, 'hyperprop-marketing-site', 'hyperliquid-metaAndAssetCtxs.json'), 'utf8'));
  const funding = JSON.parse(
    readFileSync(join(hl, 'python-sdk', 'responses', 'fundingHistory.BTC.2023-05-12_to_2023-07-17.json'), 'utf8'),
  ) as {
    coin: string;
    time: number;
  }[];
  const requests: { type: string; body: unknown }[] = [];
  const candles = new Map<string, Candle[]>();
  let refusing = false;
  let opened = 0;

  const answer = (b: {
    type?: string;
    req?: { coin: string; startTime: number; endTime: number };
    coin?: string;
    startTime?: number;
    endTime?: number;
  }) => {
    switch (b.type) {
      case 'metaAndAssetCtxs':
        return stub.meta;
      case 'predictedFundings': {
        // none recorded: synthesized from the contexts' current funding, one venue per perp
        const [m, ctxs] = stub.meta as [{ universe: { name: string }[] }, { funding: string }[]];
        return m.universe.map((u, i) => [
          u.name,
          [['HlPerp', { fundingRate: ctxs[i]?.funding ?? '0', nextFundingTime: 1_784_692_800_000 }]],
        ]);
      }
      case 'candleSnapshot': {
        const r = b.req as { coin: string; startTime: number; endTime: number };
        return (candles.get(r.coin) ?? [])
          .filter((c) => c.openTime >= r.startTime && c.openTime <= r.endTime)
          .slice(0, 5000)
          .map(wireCandle);
      }
      case 'fundingHistory':
        return funding
          .filter((f) => f.coin === b.coin && f.time >= (b.startTime ?? 0) && f.time <= (b.endTime ?? Number.MAX_SAFE_INTEGER))
          .slice(0, 500);
      default:
        return null;
    }
  };

  const http: Server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/info') {
      res.writeHead(404).end();
      return;
    }
    body(req).then(
      (b) => {
        const typed = b as { type?: string };
        requests.push({ type: String(typed?.type), body: b });
        const out = answer(typed);
        if (out === null) res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"unknown type"}');
        else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
      },
      () => res.writeHead(400).end(),
    );
  });
  const wss = new WebSocketServer({ noServer: true });
  const subscribed = new Map<WebSocket, Set<string>>();
  http.on('upgrade', (req, socket, head) => {
    if (refusing || stub.silent || req.url !== '/ws') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      opened += 1;
      subscribed.set(ws, new Set());
      ws.on('message', (raw) => {
        if (stub.silent) return;
        const m = JSON.parse(raw.toString()) as { method: string; subscription?: { type: string } };
        if (m.method === 'ping') ws.send(JSON.stringify({ channel: 'pong' }));
        if (m.method === 'subscribe' && m.subscription) {
          subscribed.get(ws)?.add(m.subscription.type);
          ws.send(JSON.stringify({ channel: 'subscriptionResponse', data: m }));
        }
      });
      ws.on('close', () => subscribed.delete(ws));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const stub: HyperliquidStub = {
    url,
    infoUrl: `${url}/info`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    meta,
    candles,
    requests,
    silent: false,
    opened: () => opened,
    send(channel, payload) {
      for (const [ws, subs] of subscribed) {
        if (subs.has(channel) && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ channel, data: payload }));
      }
    },
    sendRaw(text) {
      for (const ws of subscribed.keys()) if (ws.readyState === WebSocket.OPEN) ws.send(text);
    },
    drop(options = {}) {
      refusing = options.refuse === true;
      for (const ws of subscribed.keys()) ws.terminate();
    },
    accept() {
      refusing = false;
    },
    connections: () =>
      [...subscribed.keys()].filter((ws) => ws.readyState === WebSocket.OPEN && (subscribed.get(ws)?.size ?? 0) > 0).length,
    close: async () => {
      for (const ws of subscribed.keys()) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  return stub;
}

/** Ingestion options for tests: fast reconnects, every mid stored, a day of backfill, for `assets` on `wsUrl`. */
export function testIngestionOptions(wsUrl: string, assets: readonly string[]): HyperliquidIngestionOptions {
  return {
    wsUrl,
    assets,
    contextsEveryMs: 60_000,
    predictedFundingEveryMs: 60_000,
    midsEveryMs: 0,
    heartbeatMs: 30_000,
    baseBackoffMs: 10,
    maxBackoffMs: 50,
    maxBackfillMs: 86_400_000,
    staleAfterMs: 120_000,
  };
}

/** Waits until `check` returns true, polling every 10 ms; throws after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
