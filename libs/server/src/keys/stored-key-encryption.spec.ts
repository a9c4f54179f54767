import { randomBytes } from 'node:crypto';
import { signingKeyReplicas } from './signing-key-replicas.fixture';

// Encryption at rest against real databases (see signing-key-replicas.fixture.ts): at start-up
// with IDENTITY_KEY_ENCRYPTION_KEY set, and by `keys encrypt`.

describe.each(['sqlite', 'postgres'] as const)('StoredKeyEncryption on %s', (dialect) => {
  const { connect, startReplica, activeKid, rows, storeVersion } = signingKeyReplicas(dialect);

  const encryptionKey = randomBytes(32).toString('base64');

  it('stores private keys encrypted, and loads them back', async () => {
    const a = await startReplica({ encryptionKey, alg: 'EdDSA' });
    const kid = await activeKid(a);
    const [row] = await rows(a);
    expect(row.private_key).toMatch(/^enc:v1:/);
    await a.dataSource.destroy();
    expect(await activeKid(await startReplica({ encryptionKey }))).toBe(kid);
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
