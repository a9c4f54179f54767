import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { IdentityEnvironment, validateWith } from '@nest-identity/shared';
import { toSettings, type IdentitySettings } from '../config/identity-settings';
import { dataSourceOptions } from './data-source-options';
import { runMigrations } from './migrate';

/**
 * Real databases for store specs: a SQLite file in a fresh directory, or a fresh database on the
 * machine's PostgreSQL (DATABASE_URL when CI gives one, else 127.0.0.1:5432 as user postgres).
 * Each is migrated as the identity does it, and removed again by `drop()`.
 */
export const POSTGRES_SERVER_URL =
  process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export type Dialect = 'sqlite' | 'postgres';

export interface TestDatabase {
  readonly dialect: Dialect;
  readonly settings: IdentitySettings;
  /** Migrated and initialised. */
  readonly dataSource: DataSource;
  /** Closes the data source and removes the file or database. */
  drop(): Promise<void>;
}

export function testSettings(overrides: Partial<IdentitySettings> = {}): IdentitySettings {
  return {
    ...toSettings(validateWith(IdentityEnvironment, {}, 'the test environment')),
    ...overrides,
  };
}

export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'identity-unit-'));
    const settings = testSettings({ dataDir, databaseUrl: undefined });
    const dataSource = await migrated(settings);
    return {
      dialect,
      settings,
      dataSource,
      drop: async () => {
        if (dataSource.isInitialized) await dataSource.destroy();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const database = await createPostgresDatabase();
  const settings = testSettings({ databaseUrl: database.url });
  const dataSource = await migrated(settings);
  return {
    dialect,
    settings,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    },
  };
}

export interface PostgresDatabase {
  /** A connection URL for it. */
  readonly url: string;
  /** Empties it (schema and data), for a spec that starts every test from nothing. */
  reset(): Promise<void>;
  drop(): Promise<void>;
}

/** An empty database of its own on the machine's PostgreSQL; fails clearly if none is there. */
export async function createPostgresDatabase(): Promise<PostgresDatabase> {
  const name = `identity_unit_${randomBytes(6).toString('hex')}`;
  await onServer(POSTGRES_SERVER_URL, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    reset: () =>
      onServer(url.toString(), (client) =>
        client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public'),
      ),
    drop: () =>
      onServer(POSTGRES_SERVER_URL, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ),
  };
}

async function migrated(settings: IdentitySettings): Promise<DataSource> {
  const dataSource = await new DataSource(dataSourceOptions(settings)).initialize();
  await runMigrations(dataSource);
  return dataSource;
}

async function onServer(
  connectionString: string,
  work: (client: Client) => Promise<unknown>,
): Promise<void> {
  const client = new Client({ connectionString, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${connectionString} (${(error as Error).message}); the store specs need it: start it, or set DATABASE_URL`,
    );
  }
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
