import type { DataSource } from 'typeorm';
import {
  CounterStore,
  countHit,
  expiresAt,
  type CounterPolicy,
  type CounterState,
} from '../counter';

export const COUNTERS_TABLE = 'identity_rate_counters';

// countHit (../counter.ts) as the update of one UPSERT: every SET expression reads the row as it
// was (t), so the fragments below are the same conditions countHit tests.
const now = '$2::bigint';
const blocked = `t.blocked_until > ${now}`;
const fresh = `t.window_ends_at <= ${now}`;
const counted = `(CASE WHEN ${fresh} THEN 1 ELSE t.hits + 1 END)`;
const exceeded = `${counted} > $4::integer`;
const windowEnd = `(CASE WHEN ${fresh} THEN ${now} + $3::bigint ELSE t.window_ends_at END)`;
const strikes = `(CASE WHEN ${now} < t.blocked_until + $7::bigint THEN t.strikes ELSE 0 END)`;
const block = `LEAST(($5::bigint * POWER(2, LEAST(${strikes}, 30)))::bigint, $6::bigint)`;

const COUNT_HIT = `
INSERT INTO ${COUNTERS_TABLE} AS t
  (counter_key, hits, window_ends_at, blocked_until, strikes, expires_at)
VALUES ($1, $8, $9, $10, $11, $12)
ON CONFLICT (counter_key) DO UPDATE SET
  hits = CASE WHEN ${blocked} THEN t.hits WHEN ${exceeded} THEN 0 ELSE ${counted} END,
  window_ends_at = CASE WHEN ${blocked} THEN t.window_ends_at
    WHEN ${exceeded} THEN ${now} ELSE ${windowEnd} END,
  blocked_until = CASE WHEN ${blocked} THEN t.blocked_until
    WHEN ${exceeded} THEN ${now} + ${block} ELSE t.blocked_until END,
  strikes = CASE WHEN ${blocked} THEN t.strikes WHEN ${exceeded} THEN ${strikes} + 1 ELSE ${strikes} END,
  expires_at = CASE WHEN ${blocked} THEN t.expires_at
    WHEN ${exceeded} THEN ${now} + ${block} + $7::bigint
    ELSE GREATEST(${windowEnd}, t.blocked_until + $7::bigint) END
RETURNING hits, window_ends_at, blocked_until, strikes`;

interface CounterRow {
  hits: number;
  window_ends_at: string;
  blocked_until: string;
  strikes: number;
}

/**
 * Counters in the identity's PostgreSQL (DATABASE_URL without REDIS_URL), shared by every
 * replica: one atomic UPSERT per hit. Expired rows are purged in the background.
 */
export class PostgresCounterStore extends CounterStore {
  private readonly purger: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    onError: (error: unknown) => void,
    purgeIntervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.purger = setInterval(() => void this.purge().catch(onError), purgeIntervalMs);
    this.purger.unref();
  }

  async hit(key: string, policy: CounterPolicy): Promise<CounterState> {
    const at = this.now();
    const first = countHit(undefined, at, policy);
    const rows: CounterRow[] = await this.dataSource.query(COUNT_HIT, [
      key,
      at,
      policy.windowMs,
      policy.limit,
      policy.blockMs,
      policy.maxBlockMs,
      policy.strikeMemoryMs,
      first.hits,
      first.windowEndsAt,
      first.blockedUntil,
      first.strikes,
      expiresAt(first, policy),
    ]);
    return toState(rows[0]);
  }

  async read(key: string): Promise<CounterState | undefined> {
    const rows: CounterRow[] = await this.dataSource.query(
      `SELECT hits, window_ends_at, blocked_until, strikes FROM ${COUNTERS_TABLE}
       WHERE counter_key = $1 AND expires_at > $2`,
      [key, this.now()],
    );
    return rows[0] && toState(rows[0]);
  }

  async clearHits(key: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${COUNTERS_TABLE} SET hits = 0 WHERE counter_key = $1`, [
      key,
    ]);
  }

  async purge(): Promise<void> {
    await this.dataSource.query(`DELETE FROM ${COUNTERS_TABLE} WHERE expires_at <= $1`, [
      this.now(),
    ]);
  }

  override onModuleDestroy(): void {
    clearInterval(this.purger);
  }
}

function toState(row: CounterRow): CounterState {
  return {
    hits: Number(row.hits),
    windowEndsAt: Number(row.window_ends_at),
    blockedUntil: Number(row.blocked_until),
    strikes: Number(row.strikes),
  };
}
