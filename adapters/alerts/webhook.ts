/**
 * Alert delivery to a webhook (`CLASH_ALERT_WEBHOOK_URL`): one JSON POST per notice, retried
 * under a short retry policy; a non-2xx answer or a network error is a failed attempt. The body:
 *
 * `{ "status": "firing"|"resolved", "key", "rule", "severity": "warning"|"critical", "summary",
 *    "details": { … }, "startsAt": ISO 8601, "endsAt": ISO 8601 | null, "source": "clash-ledger" }`
 */
import type { AlertNotice } from '../../core/operations/alerts.ts';
import { type RetryPolicy, withRetries } from '../../core/operations/retry.ts';

/** Sends one notice; throws when every attempt failed. */
export type AlertSink = (notice: AlertNotice) => Promise<void>;

/** 4 attempts, 0.5 s doubling, half jitter: a few seconds in all, within one alert evaluation. */
export const webhookRetryPolicy: RetryPolicy = { maxAttempts: 4, baseMs: 500, maxMs: 5000, factor: 2, jitter: 0.5 };

/** The JSON body of a notice (times as ISO 8601 UTC). */
export function webhookBody(n: AlertNotice) {
  return {
    status: n.status,
    key: n.key,
    rule: n.rule,
    severity: n.severity,
    summary: n.summary,
    details: n.details,
    startsAt: new Date(n.startsAt).toISOString(),
    endsAt: n.endsAt === null ? null : new Date(n.endsAt).toISOString(),
    source: 'clash-ledger',
  };
}

/** A sink POSTing to `url`, each attempt bounded by `timeoutMs`. */
export function webhookSink(
  url: string,
  options: { policy?: RetryPolicy; timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): AlertSink {
  return async (notice) => {
    const body = JSON.stringify(webhookBody(notice));
    await withRetries(
      async () => {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`alert webhook answered ${res.status}`);
      },
      options.policy ?? webhookRetryPolicy,
      options.sleep ? { sleep: options.sleep } : {},
    );
  };
}
