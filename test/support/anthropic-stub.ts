/**
 * A local stub of the Anthropic Messages API (`POST /v1/messages`) with scripted replies, one
 * per request in order (the last one repeats). Records every request body and its headers so a
 * test can assert what the SDK sent. Steps: `{ text }` a 200 message whose one text block is
 * `text` (after `delayMs`, when given: a slow model); `{ status }` an error answer in the API's error shape (429, 500, 529, 400…);
 * `{ hang: ms }` answers nothing for `ms` (a timeout for the client).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';

export type StubStep =
  | { text: string; inputTokens?: number; outputTokens?: number; delayMs?: number }
  | { status: number }
  | { hang: number };

export interface StubRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: { model: string; max_tokens: number; system: string; messages: { role: string; content: string }[] };
}

export interface AnthropicStub {
  readonly url: string;
  readonly requests: StubRequest[];
  script(steps: StubStep[]): void;
  close(): Promise<void>;
}

const errorType = (status: number) =>
  status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : status >= 500 ? 'api_error' : 'invalid_request_error';

export async function startAnthropicStub(): Promise<AnthropicStub> {
  let steps: StubStep[] = [{ status: 500 }];
  const requests: StubRequest[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
    });
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(raw || '{}') });
      const step = steps.length > 1 ? (steps.shift() as StubStep) : (steps[0] as StubStep);
      if ('hang' in step) {
        setTimeout(() => res.destroyed || res.writeHead(200).end('{}'), step.hang);
        return;
      }
      if ('status' in step) {
        const type = errorType(step.status);
        res.writeHead(step.status, { 'content-type': 'application/json', 'retry-after-ms': '1' });
        res.end(JSON.stringify({ type: 'error', error: { type, message: `scripted ${step.status}` } }));
        return;
      }
      const request = requests.at(-1) as StubRequest;
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: `msg_stub_${requests.length}`,
            type: 'message',
            role: 'assistant',
            model: request.body.model,
            content: [{ type: 'text', text: step.text }],
            stop_reason: 'end_turn',
            stop_sequence: null,
            usage: { input_tokens: step.inputTokens ?? 1200, output_tokens: step.outputTokens ?? 80 },
          }),
        );
      };
      if (step.delayMs) setTimeout(answer, step.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    script(next) {
      steps = [...next];
      requests.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
