/**
 * Requests Node refuses before the application sees them (a header set or request line over
 * Node's 16 KiB limit, a malformed request) are answered in the standard error shape instead
 * of Node's empty `431`/`400` (issue 10), and the connection is closed. A request id is made
 * for the answer, as for every other response; nothing reaches the ledger.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { ServerType } from '@hono/node-server';

const REASON: Record<number, string> = { 400: 'Bad Request', 431: 'Request Header Fields Too Large' };

/** The status and error body for a parser error code (`HPE_…`). */
export function clientErrorAnswer(code: string | undefined): { status: 400 | 431; body: string } {
  const tooLarge = code === 'HPE_HEADER_OVERFLOW';
  const error = tooLarge
    ? { code: 'headers_too_large', message: 'the request line and headers are larger than accepted (16 KiB)', details: {} }
    : { code: 'bad_request', message: 'the request could not be parsed as HTTP', details: {} };
  return { status: tooLarge ? 431 : 400, body: JSON.stringify({ error }) };
}

/** Installs the handler on a running server. */
export function answerClientErrors(server: ServerType): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const { status, body } = clientErrorAnswer(err.code);
    socket.end(
      `HTTP/1.1 ${status} ${REASON[status]}\r\n` +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${randomUUID()}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
