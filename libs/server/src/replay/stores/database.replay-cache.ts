import type { DataSource } from 'typeorm';
import { ReplayCache } from '../replay-cache';
import { replayKeyHash } from './replay-key';

export const USED_JTIS_TABLE = 'identity_used_jtis';

/**
 * Insert-or-ignore in one statement, on SQLite and PostgreSQL alike: a new key is inserted, a key
 * whose row has expired is taken over, a live key is left alone and no row comes back. Both
 * databases run it atomically (a unique primary key; SQLite's single writer), so of two
 * concurrent presentations exactly one gets a row.
 */
const FIRST_USE = {
  postgres: `INSERT INTO ${USED_JTIS_TABLE} (key_hash, expires_at) VALUES ($1, $2)
ON CONFLICT (key_hash) DO UPDATE SET expires_at = excluded.expires_at
WHERE ${USED_JTIS_TABLE}.expires_at <= $3
RETURNING key_hash`,
  sqlite: `INSERT INTO ${USED_JTIS_TABLE} (key_hash, expires_at) VALUES (?, ?)
ON CONFLICT (key_hash) DO UPDATE SET expires_at = excluded.expires_at
WHERE ${USED_JTIS_TABLE}.expires_at <= ?
RETURNING key_hash`,
};

/**
 * The replay store in the identity's database (REDIS_URL unset): PostgreSQL shared by the
 * replicas, or the embedded SQLite file shared by the IDENTITY_WORKERS processes. Expired rows are
 * purged in the background; a lookup never trusts an expired row anyway.
 */
export class DatabaseReplayCache extends ReplayCache {
  private readonly purger: NodeJS.Timeout;
  private readonly dialect: keyof typeof FIRST_USE;

  constructor(
    private readonly dataSource: DataSource,
    onPurgeError: (error: unknown) => void,
    purgeIntervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.dialect = dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
    this.purger = setInterval(() => void this.purge().catch(onPurgeError), purgeIntervalMs);
    this.purger.unref();
  }

  async firstUse(key: string, expiresAt: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(FIRST_USE[this.dialect], [
      replayKeyHash(key),
      Math.ceil(expiresAt),
      this.now(),
    ]);
    return rows.length === 1;
  }

  /** Deletes the rows that have expired (every minute, and in tests). */
  async purge(): Promise<void> {
    const parameter = this.dialect === 'postgres' ? '$1' : '?';
    await this.dataSource.query(`DELETE FROM ${USED_JTIS_TABLE} WHERE expires_at <= ${parameter}`, [
      this.now(),
    ]);
  }

  onModuleDestroy(): void {
    clearInterval(this.purger);
  }
}
