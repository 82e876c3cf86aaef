/**
 * Local Polymarket Gamma and DefiLlama servers answering from the recorded payloads:
 * `GET /markets?…` → `shared/data/polymarket/ten_markets.json` (plus any markets the test adds),
 * `GET /protocol/{slug}` → `shared/data/defillama/defillama_HLP.json`; any other path the test puts
 * in `llama` (path without the query → JSON payload) answers that payload: DefiLlama fixtures
 * written by the test, since only `/protocol/{slug}` is recorded. `failing = true` makes every
 * request answer 503.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

export interface SourceStub {
  readonly url: string;
  /** The markets `/markets` answers (the recorded ten until the test changes them). */
  markets: unknown[];
  /** Extra DefiLlama answers by path (`/overview/dexs`, `/stablecoincharts/all`, …). */
  readonly llama: Map<string, unknown>;
  failing: boolean;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startSourceStub(data: string): Promise<SourceStub> {
  const markets = JSON.parse(readFileSync(join(data, 'polymarket', 'ten_markets.json'), 'utf8')) as unknown[];
  const protocol = readFileSync(join(data, 'defillama', 'defillama_HLP.json'), 'utf8');
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(url);
    if (stub.failing) res.writeHead(503).end();
    else if (url.startsWith('/markets?')) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stub.markets));
    else if (stub.llama.has(decodeURIComponent(url.split('?')[0] ?? ''))) {
      const payload = stub.llama.get(decodeURIComponent(url.split('?')[0] ?? ''));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    } else if (url.startsWith('/protocol/')) res.writeHead(200, { 'content-type': 'application/json' }).end(protocol);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const stub: SourceStub = {
    url: `http://127.0.0.1:${port}`,
    markets,
    llama: new Map(),
    failing: false,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return stub;
}
