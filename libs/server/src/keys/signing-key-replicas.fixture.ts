import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { IdentityEnvironment, validateWith } from '@nest-identity/shared';
import { toSettings, type IdentitySettings } from '../config/identity-settings';
import { dataSourceOptions } from '../persistence/data-source-options';
import { runMigrations } from '../persistence/migrate';
import { StoreChanges } from '../persistence/store-changes';
import {
  createPostgresDatabase,
  type Dialect,
  type PostgresDatabase,
} from '../persistence/test-databases.fixture';
import type { SigningKeyManager } from './signing-key-manager';
import { signingKeyServices } from './signing-keys.fixture';
import type { DatabaseSigningKeyStore } from './stores/database.signing-key-store';

/**
 * Identity replicas sharing one key store, for the key specs: an SQLite file, or a database of its
 * own on the machine's PostgreSQL (DATABASE_URL, as .ci/run sets it, or the local default), dropped
 * afterwards. Registers its jest hooks; every test starts from an empty store at 2026-01-01.
 */
export const DAY = 86_400_000;

export interface Replica {
  readonly dataSource: DataSource;
  readonly changes: StoreChanges;
  readonly manager: SigningKeyManager;
  readonly store: DatabaseSigningKeyStore;
}

export interface ReplicaOptions {
  readonly alg?: string;
  readonly encryptionKey?: string;
}

export function signingKeyReplicas(dialect: Dialect) {
  let postgres: PostgresDatabase | undefined;
  let databaseUrl: string | undefined;
  let dataDir = '';
  /** The replicas' shared clock; a test moves it with `time.now += …`. */
  const time = { now: 0 };
  const clock = () => time.now;
  let open: DataSource[] = [];

  beforeAll(async () => {
    if (dialect === 'postgres') {
      postgres = await createPostgresDatabase();
      databaseUrl = postgres.url;
    }
  });

  afterAll(async () => {
    await postgres?.drop();
  });

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'identity-keys-'));
    time.now = Date.UTC(2026, 0, 1);
    await postgres?.reset();
  });

  afterEach(async () => {
    await Promise.all(open.filter((ds) => ds.isInitialized).map((ds) => ds.destroy()));
    open = [];
  });

  function settingsFor(options: ReplicaOptions): IdentitySettings {
    const env = validateWith(
      IdentityEnvironment,
      {
        IDENTITY_DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        IDENTITY_SIGNING_ALG: options.alg,
        IDENTITY_KEY_ENCRYPTION_KEY: options.encryptionKey,
      },
      'the environment',
    );
    return toSettings(env);
  }

  /** A replica's database side, migrated, its store not yet started (the CLI's view). */
  async function connect(options: ReplicaOptions = {}): Promise<Replica> {
    const settings = settingsFor(options);
    const base = dataSourceOptions(settings);
    // Two SQLite connections in one process block each other's thread while waiting for the
    // write lock: fail fast (and retry) instead of waiting 5 s as separate processes would.
    const dataSource = new DataSource(
      base.type === 'better-sqlite3' ? { ...base, timeout: 50 } : base,
    );
    await dataSource.initialize();
    open.push(dataSource);
    await runMigrations(dataSource);
    const changes = new StoreChanges(dataSource);
    const { manager, store } = signingKeyServices(dataSource, changes, settings, clock);
    return { dataSource, changes, manager, store };
  }

  async function start(replica: Replica): Promise<Replica> {
    await replica.store.onModuleInit();
    // Where onApplicationBootstrap would start polling: the change counter's baseline.
    await replica.changes.poll();
    return replica;
  }

  async function rows(replica: Replica) {
    const result: { kid: string; generation: number | string; private_key: string }[] =
      await replica.dataSource.query(
        'SELECT kid, generation, private_key FROM identity_signing_keys ORDER BY generation',
      );
    return result.map((row) => ({ ...row, generation: Number(row.generation) }));
  }

  async function storeVersion(replica: Replica): Promise<number> {
    const [row]: { version: number | string }[] = await replica.dataSource.query(
      'SELECT version FROM identity_store_version',
    );
    return Number(row.version);
  }

  return {
    time,
    /** This test's data directory (where the previous version's key file would be). */
    dataDir: () => dataDir,
    connect,
    start,
    startReplica: async (options: ReplicaOptions = {}) => start(await connect(options)),
    activeKid: async (replica: Replica) => (await replica.store.getActiveKey()).kid,
    publishedKids: async (replica: Replica) =>
      (await replica.store.getPublishedKeys()).map((key) => key.kid),
    /** The stored rows, as SQL reads them. */
    rows,
    /** The change counter every replica polls. */
    storeVersion,
  };
}
