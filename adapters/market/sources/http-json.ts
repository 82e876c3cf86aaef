/**
 * One JSON request to an outside API with a timeout, validated with zod. A network error or a
 * non-2xx status throws `SourceUnavailable`; an answer that fails the schema throws
 * `InvalidPayload` (counted against its channel by the caller, never stored).
 */
import type { z } from 'zod';

export class SourceUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceUnavailable';
  }
}

export class InvalidPayload extends Error {
  constructor(
    readonly channel: string,
    readonly problem: string,
  ) {
    super(`invalid ${channel} payload: ${problem}`);
    this.name = 'InvalidPayload';
  }
}

/** The first zod issue as `path: message`, for logs and health. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

/** Parses `data` with `schema` or throws `InvalidPayload` naming the channel and the first problem. */
export function validate<S extends z.ZodType>(schema: S, data: unknown, channel: string): z.output<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new InvalidPayload(channel, firstIssue(parsed.error));
  return parsed.data;
}

/** Fetches `url` (GET, or POST with a JSON `body`) within `timeoutMs` and validates the JSON answer. */
export async function fetchJson<S extends z.ZodType>(
  url: string,
  schema: S,
  channel: string,
  options: { body?: unknown; timeoutMs?: number } = {},
): Promise<z.output<S>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.body === undefined ? 'GET' : 'POST',
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new SourceUnavailable(`${channel}: ${url} unreachable (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!response.ok) throw new SourceUnavailable(`${channel}: ${url} answered ${response.status}`);
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new InvalidPayload(channel, 'not JSON');
  }
  return validate(schema, json, channel);
}
