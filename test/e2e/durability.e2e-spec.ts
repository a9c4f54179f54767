import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  adminRequest,
  adminToken,
  createClientRequest,
  createClientViaAdmin,
  createClientViaCli,
  eventually,
  publishedKids,
  tokenWorks,
  getToken,
  managementConfig,
  startIdentity,
  startWeatherApi,
  tempDir,
  writeConfig,
  type Credentials,
  type RunningIdentity,
  type StoreEnvironment,
} from '../support';

const SQLITE_FILE = 'identity.sqlite';

/** Stop writing after this many acknowledged creations, or this long, whichever comes first. */
const BURST_ACKNOWLEDGED = 100;
const BURST_MAX_MS = 3000;
const WRITERS = 4;

/** Runs `task` over `items`, `concurrency` at a time; results in order. */
async function mapLimited<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

// Issue 3, SQLite default: "kill -9 the identity mid-write, restart, nothing committed is lost".
// A client is committed when the admin API answered 2xx for it; the database is WAL with
// synchronous=FULL, so a kill (not a power cut, but the same path through the WAL) loses none.
describe('SQLite: kill -9 while clients are being written, then restart', () => {
  const dataDir = tempDir('identity-durable-');
  const configFile = writeConfig(managementConfig);
  const store: StoreEnvironment = { IDENTITY_CONFIG: configFile, IDENTITY_DATA_DIR: dataDir };
  let identity: RunningIdentity | undefined;
  afterAll(() => identity?.stop());

  const committed: Credentials[] = [];
  const unanswered: string[] = [];
  let kidsBefore: string[];
  let tokenBefore: string;

  it('runs on the embedded SQLite file in IDENTITY_DATA_DIR', async () => {
    identity = await startIdentity({ dataDir, configFile });

    expect(existsSync(join(dataDir, SQLITE_FILE))).toBe(true);
    kidsBefore = await publishedKids(identity.url);
    expect(kidsBefore.length).toBeGreaterThan(0);
    tokenBefore = await getToken(identity.url, { id: 'client', secret: 'secret' });
  });

  it('takes clients from the CLI (another process on the same file) and the admin API', async () => {
    const admin = await adminToken(identity!.url);
    for (const n of [1, 2]) {
      const client = await createClientViaCli(store, `cli-${n}`, `the CLI client's secret ${n}`);
      committed.push(client);
      // The running identity sees what the CLI wrote, without a restart.
      expect(await eventually(() => tokenWorks(identity!.url, client), 1000, 50)).toBe(true);
    }
    for (const n of [1, 2]) {
      committed.push(
        await createClientViaAdmin(
          identity!.url,
          admin,
          `api-${n}`,
          `the API client's secret ${n}`,
        ),
      );
    }
  });

  it('is killed with SIGKILL while admin API writes are in flight', async () => {
    const running = identity!;
    const admin = await adminToken(running.url);
    const started = Date.now();
    let acknowledged = 0;
    let inFlight = 0;
    let killed = false;

    const writer = async (w: number) => {
      for (let i = 0; !killed; i++) {
        const client = { id: `burst-${w}-${i}`, secret: `the burst client's secret ${w} ${i}` };
        inFlight++;
        try {
          const response = await adminRequest(
            running.url,
            admin,
            'POST',
            '/admin/clients',
            createClientRequest(client.id, client.secret),
          );
          if (response.status >= 200 && response.status < 300) {
            committed.push(client);
            acknowledged++;
          } else if (!killed) {
            throw new Error(
              `POST /admin/clients ${client.id}: ${response.status} ${response.text}`,
            );
          }
        } catch (error) {
          // The connection died with the process: no answer, so no promise either way.
          if (!killed) throw error;
          unanswered.push(client.id);
        } finally {
          inFlight--;
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));

    await eventually(
      () =>
        Promise.resolve(
          (acknowledged >= BURST_ACKNOWLEDGED || Date.now() - started > BURST_MAX_MS) &&
            inFlight > 0,
        ),
      BURST_MAX_MS + 5000,
      5,
    );
    expect(inFlight).toBeGreaterThan(0);
    killed = true;
    await running.stop('SIGKILL');
    await Promise.all(writers);

    expect(running.process.signalCode).toBe('SIGKILL');
    expect(acknowledged).toBeGreaterThan(0);
    expect(unanswered.length).toBeGreaterThan(0);
  });

  it('leaves a database that passes integrity_check, holding every acknowledged client whole', () => {
    const db = new Database(join(dataDir, SQLITE_FILE));
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const ids = new Set(
        db
          .prepare<[], { client_id: string }>('SELECT client_id FROM identity_clients')
          .all()
          .map((row) => row.client_id),
      );
      expect(committed.filter((client) => !ids.has(client.id))).toEqual([]);
      // A creation cut short is all or nothing: no client without its secret.
      const withoutSecret = db
        .prepare(
          `SELECT c.client_id FROM identity_clients c
           WHERE NOT EXISTS (SELECT 1 FROM identity_client_secrets s WHERE s.client_id = c.client_id)`,
        )
        .all();
      expect(withoutSecret).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('after a restart on the same data dir, every acknowledged client authenticates', async () => {
    // The same port, so the same default ISSUER: tokens from before the kill stay valid.
    identity = await startIdentity({ dataDir, configFile, port: identity!.port });

    const works = await mapLimited(committed, 8, (client) => tokenWorks(identity!.url, client));
    expect(committed.filter((_, index) => !works[index]).map((client) => client.id)).toEqual([]);
    expect(committed.length).toBeGreaterThan(4);
  });

  it('signs with the same keys, so tokens from before the kill still pass the API', async () => {
    expect(await publishedKids(identity!.url)).toEqual(kidsBefore);
    const api = await startWeatherApi({ env: { AUTHORITY: identity!.url } });
    try {
      const response = await fetch(`${api.url}/weatherforecast`, {
        headers: { authorization: `Bearer ${tokenBefore}` },
      });
      expect(response.status).toBe(200);
    } finally {
      await api.stop();
    }
  });
});
