import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwkThumbprint } from '@nest-identity/shared';
import { DAY, signingKeyReplicas } from '../signing-key-replicas.fixture';
import { LEGACY_KEY_FILE } from './legacy-key-file';
import { UnknownSigningKey } from './unknown-signing-key';

// The rotation against real databases (see signing-key-replicas.fixture.ts), through the
// operator's commands (forceRotation, revokeKey) and the store's maintenance.

describe.each(['sqlite', 'postgres'] as const)('KeyRotation on %s', (dialect) => {
  const { time, dataDir, startReplica, activeKid, publishedKids, rows, storeVersion } =
    signingKeyReplicas(dialect);

  it('a forced rotation retires an announced successor too, and it never signs', async () => {
    const a = await startReplica();
    time.now += 80 * DAY;
    await a.store.maintainNow();
    const [first, announced] = (await rows(a)).map((row) => row.kid);

    const forced = await a.manager.forceRotation();
    await a.store.whenSettled();
    expect((await a.manager.listKeys()).map((key) => [key.kid, key.status])).toEqual([
      [first, 'retired'],
      [announced, 'retired'],
      [forced, 'active'],
    ]);
    time.now += 20 * DAY;
    expect(await activeKid(a)).toBe(forced);
  });

  it('two replicas forcing a rotation together both succeed: the one that lost the race plans again', async () => {
    const [a, b] = [await startReplica(), await startReplica()];
    const first = await activeKid(a);
    const forced = await Promise.all([a.manager.forceRotation(), b.manager.forceRotation()]);

    expect(new Set(forced).size).toBe(2);
    const stored = await rows(a);
    expect(stored.map((row) => row.generation)).toEqual([1, 2, 3]);
    expect(
      stored
        .map((row) => row.kid)
        .slice(1)
        .sort(),
    ).toEqual([...forced].sort());
    // The later one signs; the earlier one retired when the later was written.
    const statuses = (await a.manager.listKeys()).map((key) => [key.kid, key.status]);
    expect(statuses).toEqual([
      [first, 'retired'],
      [stored[1].kid, 'retired'],
      [stored[2].kid, 'active'],
    ]);
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
      time.now += 80 * DAY;
      await a.store.maintainNow();
      const [first, announced] = (await rows(a)).map((row) => row.kid);

      const { signingKid } = await a.manager.revokeKey(first);
      await a.store.whenSettled();
      expect((await a.manager.listKeys()).map((key) => [key.kid, key.status])).toEqual([
        [announced, 'retired'],
        [signingKid, 'active'],
      ]);
      time.now += 20 * DAY;
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

  it('deletes a key once its retention has passed, and no longer publishes it', async () => {
    const a = await startReplica();
    const old = await activeKid(a);
    const forced = await a.manager.forceRotation();
    await a.store.whenSettled();

    time.now += 14 * DAY - 1;
    await a.store.maintainNow();
    expect(await publishedKids(a)).toEqual([forced, old]);

    time.now += 1;
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
    const file = join(dataDir(), LEGACY_KEY_FILE);
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
});
