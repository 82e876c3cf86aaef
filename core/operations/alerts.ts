/**
 * In-process alerting: rules turn the current state into conditions; the `AlertBook` remembers
 * what is firing, so a condition that holds is notified once (deduplicated while firing), a
 * condition that clears is notified once as resolved, and a notice that could not be delivered
 * stays pending and is sent again at the next evaluation. State lives in the database, so a
 * restart neither repeats nor forgets a notice. Issue 15, "Alerts".
 */
import type { Db } from '../database.ts';

/** A condition that holds now. `key` identifies it (`worker_stale:competition@host:123`). */
export interface AlertCondition {
  readonly key: string;
  readonly rule: string;
  readonly severity: 'warning' | 'critical';
  readonly summary: string;
  readonly details: Readonly<Record<string, string | number>>;
}

/** What is sent: a condition that started firing or was resolved. Times are epoch ms (`endsAt` null while firing). */
export interface AlertNotice extends AlertCondition {
  readonly status: 'firing' | 'resolved';
  readonly startsAt: number;
  readonly endsAt: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alerts (
  key          TEXT    PRIMARY KEY,
  rule         TEXT    NOT NULL,
  severity     TEXT    NOT NULL,
  summary      TEXT    NOT NULL,
  details      TEXT    NOT NULL,
  starts_at    INTEGER NOT NULL,
  ends_at      INTEGER,
  undelivered  TEXT    CHECK (undelivered IN ('firing', 'resolved'))
) STRICT;
`;

interface Row {
  key: string;
  rule: string;
  severity: 'warning' | 'critical';
  summary: string;
  details: string;
  starts_at: number;
  ends_at: number | null;
  undelivered: 'firing' | 'resolved' | null;
}

const notice = (r: Row, status: 'firing' | 'resolved'): AlertNotice => ({
  key: r.key,
  rule: r.rule,
  severity: r.severity,
  summary: r.summary,
  details: JSON.parse(r.details) as Record<string, string | number>,
  status,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
});

export class AlertBook {
  constructor(private readonly db: Db) {
    if (!db.readonly) db.exec(SCHEMA);
  }

  /**
   * Records the conditions holding at `now` (epoch ms): a new one starts firing, one that no
   * longer holds is resolved. Returns every notice not yet delivered, firing ones first.
   */
  evaluate(conditions: readonly AlertCondition[], now: number): AlertNotice[] {
    const holding = new Set(conditions.map((c) => c.key));
    this.db.transaction(() => {
      for (const c of conditions) {
        this.db
          .prepare(`INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, NULL, 'firing') ON CONFLICT (key) DO NOTHING`)
          .run(c.key, c.rule, c.severity, c.summary, JSON.stringify(c.details), now);
      }
      for (const r of this.db.prepare<[], Row>('SELECT * FROM alerts WHERE ends_at IS NULL').all()) {
        if (!holding.has(r.key)) this.db.prepare("UPDATE alerts SET ends_at = ?, undelivered = 'resolved' WHERE key = ?").run(now, r.key);
      }
    })();
    return this.pending();
  }

  /** Notices not yet delivered. */
  pending(): AlertNotice[] {
    return this.db
      .prepare<[], Row>("SELECT * FROM alerts WHERE undelivered IS NOT NULL ORDER BY undelivered = 'resolved', starts_at, key")
      .all()
      .map((r) => notice(r, r.undelivered ?? 'firing'));
  }

  /** Marks a notice delivered; a delivered resolution forgets the alert (it may fire again later). */
  delivered(n: AlertNotice): void {
    if (n.status === 'resolved') this.db.prepare("DELETE FROM alerts WHERE key = ? AND undelivered = 'resolved'").run(n.key);
    else this.db.prepare("UPDATE alerts SET undelivered = NULL WHERE key = ? AND undelivered = 'firing'").run(n.key);
  }

  /** The alerts firing now (for `/metrics` and the health route). */
  firing(): AlertNotice[] {
    return this.db
      .prepare<[], Row>('SELECT * FROM alerts WHERE ends_at IS NULL ORDER BY starts_at, key')
      .all()
      .map((r) => notice(r, 'firing'));
  }
}
