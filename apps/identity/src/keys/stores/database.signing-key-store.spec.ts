import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { IdentityEnvironment, validateWith } from '@app/shared';
import { toSettings, type IdentitySettings } from '../../config/identity-settings';
import { dataSourceOptions } from '../../persistence/data-source-options';
import { runMigrations } from '../../persistence/migrate';
import { StoreChanges } from '../../persistence/store-changes';
import {
  createPostgresDatabase,
  type PostgresDatabase,
} from '../../persistence/test-databases.fixture';
import { jwkThumbprint } from '@app/shared';
import { UnknownSigningKey } from '../rotation/unknown-signing-key';
import type { SigningKeyManager } from '../signing-key-manager';
import { signingKeyServices } from '../signing-keys.fixture';
import type { DatabaseSigningKeyStore } from './database.signing-key-store';
import { LEGACY_KEY_FILE } from './legacy-key-file';

// The store against real databases: an SQLite file, and the machine's PostgreSQL (DATABASE_URL,
// as .ci/run sets it, or the local default), in a database of its own that is dropped afterwards.
const DAY = 86_400_000;

interface Replica {
  readonly dataSource: DataSource;
  readonly changes: StoreChanges;
  readonly manager: SigningKeyManager;
  readonly store: DatabaseSigningKeyStore;
}

interface ReplicaOptions {
  readonly alg?: string;
  readonly encryptionKey?: string;
}

describe.each(['sqlite', 'postgres'] as const)('DatabaseSigningKeyStore on %s', (dialect) => {
  let postgres: PostgresDatabase | undefined;
  let databaseUrl: string | undefined;
  let dataDir: string;
  let now: number;
  const clock = () => now;
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
    now = Date.UTC(2026, 0, 1);
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

  /** A replica's database side, migrated, its store not yet started. */
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

  async function startReplica(options: ReplicaOptions = {}): Promise<Replica> {
    return start(await connect(options));
  }

  const activeKid = async (replica: Replica) => (await replica.store.getActiveKey()).kid;
  const publishedKids = async (replica: Replica) =>
    (await replica.store.getPublishedKeys()).map((key) => key.kid);

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

  it('creates one active key on first start, and a restart keeps it', async () => {
    const first = await startReplica();
    const kid = await activeKid(first);
    expect(await publishedKids(first)).toEqual([kid]);
    expect((await rows(first)).map((row) => row.generation)).toEqual([1]);
    expect((await first.store.getActiveKey()).alg).toBe('RS256');

    await first.dataSource.destroy();
    const second = await startReplica();
    expect(await activeKid(second)).toBe(kid);
    expect(await publishedKids(second)).toEqual([kid]);
  });

  it('two replicas starting on an empty store create one key and agree on it', async () => {
    const replicas = [await connect(), await connect(), await connect()];
    await Promise.all(replicas.map(start));

    expect((await rows(replicas[0])).map((row) => row.generation)).toEqual([1]);
    const kids = await Promise.all(replicas.map(activeKid));
    expect(new Set(kids).size).toBe(1);
  });

  it('two replicas racing to announce the successor create it once, and switch to it together', async () => {
    const [a, b] = [await startReplica(), await startReplica()];
    const first = await activeKid(a);

    now += 76 * DAY; // the active key has the propagation time (14 d) left
    await Promise.all([a.store.maintainNow(), b.store.maintainNow()]);

    const stored = await rows(a);
    expect(stored.map((row) => row.generation)).toEqual([1, 2]);
    const successor = stored[1].kid;
    await Promise.all([a.store.whenSettled(), b.store.whenSettled()]);
    for (const replica of [a, b]) {
      expect(await activeKid(replica)).toBe(first);
      expect(await publishedKids(replica)).toEqual([first, successor]);
    }

    // At the retirement, both sign with the successor, from memory: no database needed.
    await a.dataSource.destroy();
    now += 14 * DAY;
    expect(await activeKid(a)).toBe(successor);
    expect(await activeKid(b)).toBe(successor);
    expect(await publishedKids(a)).toEqual([successor, first]);
  });

  it('a rotation forced on one replica is seen by the other after it polls', async () => {
    const [a, b] = [await startReplica(), await startReplica()];
    const old = await activeKid(a);

    const forced = await a.manager.forceRotation();
    await a.store.whenSettled();
    expect(await activeKid(a)).toBe(forced);
    expect(await activeKid(b)).toBe(old); // b has not polled yet

    await b.changes.poll();
    await b.store.whenSettled();
    expect(await activeKid(b)).toBe(forced);
    expect(await publishedKids(b)).toEqual([forced, old]);

    expect(await b.manager.listKeys()).toEqual([
      expect.objectContaining({ kid: old, generation: 1, status: 'retired' }),
      expect.objectContaining({
        kid: forced,
        generation: 2,
        status: 'active',
        alg: 'RS256',
        activatesAt: new Date(now),
        retiresAt: new Date(now + 90 * DAY),
        publishedUntil: new Date(now + 104 * DAY),
      }),
    ]);
  });

  it('a JWKS request sees a key another replica just forced, before any poll', async () => {
    const [a, b] = [await startReplica(), await startReplica()];
    const forced = await a.manager.forceRotation();
    expect(await publishedKids(b)).toContain(forced);
  });

  it('a forced rotation retires an announced successor too, and it never signs', async () => {
    const a = await startReplica();
    now += 80 * DAY;
    await a.store.maintainNow();
    const [first, announced] = (await rows(a)).map((row) => row.kid);

    const forced = await a.manager.forceRotation();
    await a.store.whenSettled();
    expect((await a.manager.listKeys()).map((key) => [key.kid, key.status])).toEqual([
      [first, 'retired'],
      [announced, 'retired'],
      [forced, 'active'],
    ]);
    now += 20 * DAY;
    expect(await activeKid(a)).toBe(forced);
  });

  describe('revocation', () => {
    it('of the active key: it leaves the JWKS, a new key signs at once, on every replica, after a restart too', async () => {
      const [a, b] = [await startReplica(), await startReplica()];
      const old = await activeKid(a);
      const before = await storeVersion(a);

      const result = await a.manager.revokeKey(old, 'admin');
      expect(result).toEqual({ revoked: old, signingKid: expect.any(String), newSigningKey: true });
      expect(result.signingKid).not.toBe(old);
      expect(await storeVersion(a)).toBe(before + 1);
      await a.store.whenSettled();
      expect(await activeKid(a)).toBe(result.signingKid);
      expect(await publishedKids(a)).toEqual([result.signingKid]);

      expect(await publishedKids(b)).toEqual([result.signingKid]); // a fresh read, before any poll
      await b.changes.poll();
      await b.store.whenSettled();
      expect(await activeKid(b)).toBe(result.signingKid);

      expect((await rows(a)).map((row) => [row.kid, row.generation])).toEqual([
        [result.signingKid, 2],
      ]);
      await Promise.all([a.dataSource.destroy(), b.dataSource.destroy()]);
      const restarted = await startReplica();
      expect(await publishedKids(restarted)).toEqual([result.signingKid]);
    });

    it('of a retired key: only it leaves the JWKS; the active key keeps signing', async () => {
      const a = await startReplica();
      const old = await activeKid(a);
      const forced = await a.manager.forceRotation();
      await a.store.whenSettled();
      expect(await publishedKids(a)).toEqual([forced, old]);

      expect(await a.manager.revokeKey(old)).toEqual({
        revoked: old,
        signingKid: forced,
        newSigningKey: false,
      });
      await a.store.whenSettled();
      expect(await publishedKids(a)).toEqual([forced]);
      expect(await activeKid(a)).toBe(forced);
    });

    it('of the active key with an announced successor: the successor retires and never signs', async () => {
      const a = await startReplica();
      now += 80 * DAY;
      await a.store.maintainNow();
      const [first, announced] = (await rows(a)).map((row) => row.kid);

      const { signingKid } = await a.manager.revokeKey(first);
      await a.store.whenSettled();
      expect((await a.manager.listKeys()).map((key) => [key.kid, key.status])).toEqual([
        [announced, 'retired'],
        [signingKid, 'active'],
      ]);
      now += 20 * DAY;
      expect(await activeKid(a)).toBe(signingKid);
    });

    it('refuses a kid the store does not hold, changing nothing', async () => {
      const a = await startReplica();
      const kid = await activeKid(a);
      const before = await storeVersion(a);
      await expect(a.manager.revokeKey('no-such-kid')).rejects.toThrow(
        new UnknownSigningKey('no-such-kid'),
      );
      await a.manager.revokeKey(kid);
      await expect(a.manager.revokeKey(kid)).rejects.toThrow(UnknownSigningKey);
      expect(await storeVersion(a)).toBe(before + 1);
    });
  });

  it('a restart after rotations keeps every published key', async () => {
    const a = await startReplica();
    now += 76 * DAY;
    await a.store.maintainNow(); // announces the successor
    const forced = await a.manager.forceRotation();
    await a.store.whenSettled();
    const before = await publishedKids(a);
    expect(before).toHaveLength(3);
    await a.dataSource.destroy();

    const restarted = await startReplica();
    expect(await publishedKids(restarted)).toEqual(before);
    expect(await activeKid(restarted)).toBe(forced);
  });

  it('deletes a key once its retention has passed, and no longer publishes it', async () => {
    const a = await startReplica();
    const old = await activeKid(a);
    const forced = await a.manager.forceRotation();
    await a.store.whenSettled();

    now += 14 * DAY - 1;
    await a.store.maintainNow();
    expect(await publishedKids(a)).toEqual([forced, old]);

    now += 1;
    expect(await publishedKids(a)).toEqual([forced]); // computed, before the deletion
    const before = await storeVersion(a);
    await a.store.maintainNow();
    expect((await rows(a)).map((row) => row.kid)).toEqual([forced]);
    expect(await storeVersion(a)).toBe(before + 1); // other replicas hear of it
    await a.store.maintainNow();
    expect(await storeVersion(a)).toBe(before + 1); // nothing left to do, nothing recorded
  });

  it('new keys take the configured alg; existing keys keep theirs', async () => {
    const a = await startReplica({ alg: 'RS256' });
    await a.dataSource.destroy();
    const b = await startReplica({ alg: 'ES256' });
    expect((await b.store.getActiveKey()).alg).toBe('RS256');

    await b.manager.forceRotation();
    await b.store.whenSettled();
    const jwks = (await b.store.getPublishedKeys()).map((key) => key.publicJwk);
    expect(jwks.map((jwk) => [jwk.kty, jwk.alg])).toEqual([
      ['EC', 'ES256'],
      ['RSA', 'RS256'],
    ]);
    for (const jwk of jwks) expect(jwk).not.toHaveProperty('d');
  });

  it("imports the previous version's key file into an empty store, leaving the file", async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const file = join(dataDir, LEGACY_KEY_FILE);
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });

    const a = await startReplica({ alg: 'EdDSA' });
    const kid = jwkThumbprint(publicKey.export({ format: 'jwk' }));
    expect(await activeKid(a)).toBe(kid);
    expect((await a.store.getActiveKey()).alg).toBe('RS256');
    expect((await rows(a)).map((row) => [row.kid, row.generation])).toEqual([[kid, 1]]);
    expect(existsSync(file)).toBe(true);

    // Imported once: a later start reads the store, not the file.
    writeFileSync(file, 'replaced');
    await a.dataSource.destroy();
    expect(await activeKid(await startReplica())).toBe(kid);
  });

  it('refuses to start on a previous key file that is not a private key, naming it', async () => {
    writeFileSync(join(dataDir, LEGACY_KEY_FILE), 'not a key');
    await expect(startReplica()).rejects.toThrow(
      `the signing key ${join(dataDir, LEGACY_KEY_FILE)} is not a PEM private key`,
    );
  });

  describe('encryption at rest', () => {
    const encryptionKey = randomBytes(32).toString('base64');

    it('stores private keys encrypted, and loads them back', async () => {
      const a = await startReplica({ encryptionKey, alg: 'EdDSA' });
      const kid = await activeKid(a);
      const [row] = await rows(a);
      expect(row.private_key).toMatch(/^enc:v1:/);
      await a.dataSource.destroy();
      expect(await activeKid(await startReplica({ encryptionKey }))).toBe(kid);
    });

    it('refuses to start without the encryption key, or with another, naming kid and variable', async () => {
      const a = await startReplica({ encryptionKey });
      const kid = await activeKid(a);
      await a.dataSource.destroy();

      await expect(startReplica()).rejects.toThrow(
        `the signing key ${kid} is encrypted, but IDENTITY_KEY_ENCRYPTION_KEY is not set`,
      );
      await expect(
        startReplica({ encryptionKey: randomBytes(32).toString('base64') }),
      ).rejects.toThrow(
        `the signing key ${kid} cannot be decrypted with IDENTITY_KEY_ENCRYPTION_KEY`,
      );
    });

    it('loads a key stored in clear once an encryption key is set, and encrypts it', async () => {
      const a = await startReplica();
      const kid = await activeKid(a);
      expect((await rows(a))[0].private_key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      await a.dataSource.destroy();

      const b = await startReplica({ encryptionKey });
      expect(await activeKid(b)).toBe(kid);
      expect((await rows(b))[0].private_key).toMatch(/^enc:v1:/);
    });

    it('says how the private keys are kept: clear without an encryption key, encrypted with one', async () => {
      const a = await startReplica();
      expect(a.manager.privateKeysAtRest()).toBe('clear');
      await a.dataSource.destroy();
      expect((await startReplica({ encryptionKey })).manager.privateKeysAtRest()).toBe('encrypted');
    });

    it('encrypts every key stored in clear in place, once, and reports how many (keys encrypt)', async () => {
      const a = await startReplica();
      await a.manager.forceRotation();
      const kids = (await rows(a)).map((row) => row.kid);
      await a.dataSource.destroy();

      const cli = await connect({ encryptionKey });
      const before = await storeVersion(cli);
      expect(await cli.manager.encryptStoredKeys()).toEqual({ encrypted: 2, alreadyEncrypted: 0 });
      expect((await rows(cli)).map((row) => row.private_key)).toEqual([
        expect.stringMatching(/^enc:v1:/),
        expect.stringMatching(/^enc:v1:/),
      ]);
      expect(await storeVersion(cli)).toBeGreaterThan(before); // running replicas reload
      expect(await cli.manager.encryptStoredKeys()).toEqual({ encrypted: 0, alreadyEncrypted: 2 });

      const restarted = await startReplica({ encryptionKey });
      expect((await restarted.store.getPublishedKeys()).map((key) => key.kid).sort()).toEqual(
        [...kids].sort(),
      );
    });

    it('keys encrypt refuses without an encryption key, or with another than the stored keys have', async () => {
      const a = await startReplica({ encryptionKey });
      const kid = await activeKid(a);
      await expect((await connect()).manager.encryptStoredKeys()).rejects.toThrow(
        'IDENTITY_KEY_ENCRYPTION_KEY is not set (fix: generate one with `openssl rand -base64 32`',
      );
      const other = await connect({ encryptionKey: randomBytes(32).toString('base64') });
      await expect(other.manager.encryptStoredKeys()).rejects.toThrow(
        `the signing key ${kid} cannot be decrypted with IDENTITY_KEY_ENCRYPTION_KEY`,
      );
    });
  });

  it('keeps signing and publishing from memory while the database is down', async () => {
    const a = await startReplica();
    const kid = await activeKid(a);
    await a.dataSource.destroy();

    expect(await activeKid(a)).toBe(kid);
    expect(await publishedKids(a)).toEqual([kid]);
    await expect(a.store.maintainNow()).rejects.toThrow();
    expect(await activeKid(a)).toBe(kid);
  });
});
