import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY, signingKeyReplicas } from '../signing-key-replicas.fixture';
import { LEGACY_KEY_FILE } from '../rotation/legacy-key-file';

// The store against real databases (see signing-key-replicas.fixture.ts): what the token endpoint
// and the JWKS read, on one replica and across replicas.

describe.each(['sqlite', 'postgres'] as const)('DatabaseSigningKeyStore on %s', (dialect) => {
  const { time, dataDir, connect, start, startReplica, activeKid, publishedKids, rows } =
    signingKeyReplicas(dialect);

  const encryptionKey = randomBytes(32).toString('base64');

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

    time.now += 76 * DAY; // the active key has the propagation time (14 d) left
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
    time.now += 14 * DAY;
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
        activatesAt: new Date(time.now),
        retiresAt: new Date(time.now + 90 * DAY),
        publishedUntil: new Date(time.now + 104 * DAY),
      }),
    ]);
  });

  it('a JWKS request sees a key another replica just forced, before any poll', async () => {
    const [a, b] = [await startReplica(), await startReplica()];
    const forced = await a.manager.forceRotation();
    expect(await publishedKids(b)).toContain(forced);
  });

  it('a restart after rotations keeps every published key', async () => {
    const a = await startReplica();
    time.now += 76 * DAY;
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

  it('refuses to start on a previous key file that is not a private key, naming it', async () => {
    writeFileSync(join(dataDir(), LEGACY_KEY_FILE), 'not a key');
    await expect(startReplica()).rejects.toThrow(
      `the signing key ${join(dataDir(), LEGACY_KEY_FILE)} is not a PEM private key`,
    );
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

  it('refuses to start without the encryption key the stored keys have, or with another, naming kid and variable', async () => {
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
});
