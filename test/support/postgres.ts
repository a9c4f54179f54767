import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * The server the tests make their databases on: DATABASE_URL when CI sets it (`.ci/run`), else the
 * machine's PostgreSQL. Only its host, port and credentials matter; each test gets its own database.
 */
export const POSTGRES_BASE_URL =
  process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Every database of a test run is named so; a run removes what it made. */
const PREFIX = 'identity_e2e_';
/** Older leftovers (a run killed before its afterAll) are swept by the next run. */
const STALE_AFTER_MS = 60 * 60 * 1000;

export interface TestDatabase {
  readonly name: string;
  /** `postgres://…/<name>`: what an identity gets as DATABASE_URL. */
  readonly url: string;
  /** Ends every connection to it and drops it. Idempotent. */
  drop(): Promise<void>;
}

const created = new Map<string, TestDatabase>();

// A root-level hook of whichever test file imports this module: drops what the file created.
if (typeof afterAll === 'function') {
  afterAll(async () => {
    await Promise.all([...created.values()].map((database) => database.drop()));
  });
}

/** `url` with its database (path) replaced by `database`. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** The URL without its password, for messages. */
function redacted(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A connection to the server for CREATE/DROP DATABASE: the base URL's own database, or the
 * `postgres` maintenance database when that one does not exist. PostgreSQL unreachable is an
 * error that says so: these tests are never skipped silently.
 */
async function adminConnection(): Promise<Client> {
  for (const url of [POSTGRES_BASE_URL, withDatabase(POSTGRES_BASE_URL, 'postgres')]) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      // 3D000: invalid_catalog_name, the database does not exist: try the maintenance one.
      if ((error as { code?: string }).code === '3D000') continue;
      throw new Error(
        `PostgreSQL is not reachable at ${redacted(url)} (${(error as Error).message}). ` +
          'These tests need a real PostgreSQL: start it (`bash .ci/run` does, with pg_ctlcluster) ' +
          'or point DATABASE_URL at one.',
      );
    }
  }
  throw new Error(`PostgreSQL at ${redacted(POSTGRES_BASE_URL)}: no database to connect to`);
}

async function dropDatabase(admin: Client, name: string): Promise<void> {
  // Identity processes killed with SIGKILL may leave sessions behind for a moment.
  await admin.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [name],
  );
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
}

let swept = false;

/** Drops `identity_e2e_*` databases left by runs that died more than an hour ago. */
async function sweepStale(admin: Client): Promise<void> {
  if (swept) return;
  swept = true;
  const { rows } = await admin.query<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE datname LIKE $1',
    [`${PREFIX}%`],
  );
  for (const { datname } of rows) {
    const stamp = parseInt(datname.slice(PREFIX.length).split('_')[0] ?? '', 36);
    if (Number.isFinite(stamp) && Date.now() - stamp > STALE_AFTER_MS) {
      await dropDatabase(admin, datname).catch(() => undefined);
    }
  }
}

/**
 * A fresh, empty database `identity_e2e_<time>_<random>` on the test PostgreSQL. It is dropped
 * after the test file (afterAll), or earlier by `drop()`.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${PREFIX}${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = await adminConnection();
  try {
    await sweepStale(admin);
    await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  let dropped: Promise<void> | undefined;
  const database: TestDatabase = {
    name,
    url: withDatabase(POSTGRES_BASE_URL, name),
    drop: () =>
      (dropped ??= (async () => {
        const connection = await adminConnection();
        try {
          await dropDatabase(connection, name);
        } finally {
          await connection.end();
          created.delete(name);
        }
      })()),
  };
  created.set(name, database);
  return database;
}

/** Runs one query on a test database (a fresh connection each time: for assertions only). */
export async function queryTestDatabase<T extends Record<string, unknown>>(
  url: string,
  sql: string,
  parameters: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<T>(sql, parameters)).rows;
  } finally {
    await client.end();
  }
}
