import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { IdentitySettings } from '../config/identity-settings';
import { ClientEntity, ClientSecretEntity } from './entities/client.entity';
import { ReferenceTokenEntity } from './entities/reference-token.entity';
import { RevokedTokenEntity } from './entities/revoked-token.entity';
import { SigningKeyEntity } from './entities/signing-key.entity';
import { StoreVersionEntity } from './entities/store-version.entity';
import { InitialSchema1764100000000 } from './migrations/1764100000000-initial-schema';
import { RateCounters1764200000000 } from './migrations/1764200000000-rate-counters';
import { ClientTokenOptions1764300000000 } from './migrations/1764300000000-client-token-options';
import { ReferenceTokens1764400000000 } from './migrations/1764400000000-reference-tokens';
import { UsedJtis1764500000000 } from './migrations/1764500000000-used-jtis';
import { ClientSecretJwt1764510000000 } from './migrations/1764510000000-client-secret-jwt';

export const ENTITIES = [
  ClientEntity,
  ClientSecretEntity,
  SigningKeyEntity,
  StoreVersionEntity,
  ReferenceTokenEntity,
  RevokedTokenEntity,
];

/** Versioned, in order; run at start-up (never `synchronize`). */
export const MIGRATIONS = [
  InitialSchema1764100000000,
  RateCounters1764200000000,
  ClientTokenOptions1764300000000,
  ReferenceTokens1764400000000,
  UsedJtis1764500000000,
  ClientSecretJwt1764510000000,
];

export const SQLITE_FILE = 'identity.sqlite';

/**
 * PostgreSQL when DATABASE_URL is set (several replicas share it); otherwise an embedded SQLite
 * file in IDENTITY_DATA_DIR. Both use the same entities and migrations.
 */
export function dataSourceOptions(settings: IdentitySettings): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'identity_migrations',
    // Run by runMigrations() below, under a lock, so replicas starting together do not race.
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
  } as const;
  if (settings.databaseUrl) {
    return {
      ...common,
      type: 'postgres',
      url: settings.databaseUrl,
      applicationName: 'identity',
      // Fail fast instead of hanging a token request when PostgreSQL is unreachable.
      connectTimeoutMS: 5000,
      extra: { max: 10, idleTimeoutMillis: 30000 },
    };
  }
  const database = join(settings.dataDir, SQLITE_FILE);
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  // The file holds private keys: created owner-only (its -wal and -shm files inherit the mode).
  closeSync(openSync(database, 'a', 0o600));
  return {
    ...common,
    type: 'better-sqlite3',
    database,
    // Another process (the CLI) may write: wait for its lock instead of failing at once.
    timeout: 5000,
    enableWAL: true,
    // WAL with synchronous=FULL: a commit is on disk before it is acknowledged.
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('synchronous = FULL');
    },
  };
}
