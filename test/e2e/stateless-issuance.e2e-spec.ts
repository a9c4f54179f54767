import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  createClientViaCli,
  createTestDatabase,
  getToken,
  managementConfig,
  queryTestDatabase,
  startIdentity,
  tempDir,
  writeConfig,
  type Credentials,
  type RunningIdentity,
} from '../support';

// A client-credentials JWT is stateless: issuing one writes nothing (peers that store every
// token drown in token tables). Once a client and the keys are cached, the database is not
// touched at all, so these specs compare the stores before and after a burst of tokens.
const TOKENS = 60;
const configured: Credentials = { id: 'client', secret: 'secret' };

async function issueBurst(identity: RunningIdentity, clients: Credentials[]): Promise<void> {
  for (let i = 0; i < TOKENS; i++) await getToken(identity.url, clients[i % clients.length]);
}

describe('token issuance writes nothing to the store', () => {
  it('SQLite: the database file and its write-ahead log do not change', async () => {
    const store = { IDENTITY_CONFIG: writeConfig(managementConfig), IDENTITY_DATA_DIR: tempDir() };
    const identity = await startIdentity({
      dataDir: store.IDENTITY_DATA_DIR,
      configFile: store.IDENTITY_CONFIG,
    });
    const managed = await createClientViaCli(store, 'stateless-svc', 'a database client secret');
    await issueBurst(identity, [configured, managed]);

    const files = ['identity.sqlite', 'identity.sqlite-wal'].map((name) =>
      join(store.IDENTITY_DATA_DIR, name),
    );
    const snapshot = () =>
      files.map((file) => {
        const { size, mtimeMs } = statSync(file);
        return { file, size, mtimeMs };
      });
    const before = snapshot();
    await issueBurst(identity, [configured, managed]);
    expect(snapshot()).toEqual(before);
  });

  it('PostgreSQL: no row of any table is inserted, updated or deleted', async () => {
    const database = await createTestDatabase();
    const store = {
      IDENTITY_CONFIG: writeConfig(managementConfig),
      IDENTITY_DATA_DIR: tempDir(),
      DATABASE_URL: database.url,
    };
    const identity = await startIdentity({
      dataDir: store.IDENTITY_DATA_DIR,
      configFile: store.IDENTITY_CONFIG,
      env: { DATABASE_URL: database.url },
    });
    const managed = await createClientViaCli(store, 'stateless-svc', 'a database client secret');
    await issueBurst(identity, [configured, managed]);

    // Every row with its xmin (the transaction that last wrote it), per table.
    const fingerprint = async () => {
      const tables = await queryTestDatabase<{ tablename: string }>(
        database.url,
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
      );
      const rows = await Promise.all(
        tables.map(({ tablename }) =>
          queryTestDatabase<{ rows: string | null }>(
            database.url,
            `SELECT string_agg(t::text || '@' || t.xmin::text, ',' ORDER BY t::text) AS rows FROM "${tablename}" t`,
          ),
        ),
      );
      return tables.map(({ tablename }, i) => ({ table: tablename, rows: rows[i][0].rows }));
    };
    const before = await fingerprint();
    expect(before.map((t) => t.table)).toContain('identity_signing_keys');
    await issueBurst(identity, [configured, managed]);
    expect(await fingerprint()).toEqual(before);
  });
});
