import type { DataSource } from 'typeorm';

/** Any constant: the advisory lock that serialises migrations across replicas. */
const MIGRATION_LOCK = 7_046_112_001;

/**
 * Applies pending migrations. On PostgreSQL, under a session advisory lock, so that of several
 * replicas starting at once one migrates and the others wait, then find nothing to do.
 */
export async function runMigrations(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'postgres') {
    await dataSource.runMigrations();
    return;
  }
  const lock = dataSource.createQueryRunner();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations();
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
  }
}
