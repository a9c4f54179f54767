import type { DataSource } from 'typeorm';
import { ReferenceTokenEntity } from '../persistence/entities/reference-token.entity';
import type { StoreChanges } from '../persistence/store-changes';
import { StoreWriter } from '../persistence/store-writer';
import { createTestDatabase, type TestDatabase } from '../persistence/test-databases.fixture';
import { ExpiredTokenPurge } from './expired-token-purge';
import {
  looksLikeReferenceHandle,
  newReferenceHandle,
  referenceHandleHash,
} from './reference-handle';
import { ReferenceTokenStore } from './reference-token.store';
import { RevokedTokenStore } from './revoked-token.store';

describe('reference handles', () => {
  it('are 256 random bits, base64url, never twice the same', () => {
    const handles = Array.from({ length: 100 }, newReferenceHandle);
    for (const handle of handles) {
      expect(Buffer.from(handle, 'base64url')).toHaveLength(32);
      expect(looksLikeReferenceHandle(handle)).toBe(true);
    }
    expect(new Set(handles).size).toBe(100);
  });

  it('are told apart from JWTs and junk', () => {
    expect(looksLikeReferenceHandle('a.b.c')).toBe(false);
    expect(looksLikeReferenceHandle('short')).toBe(false);
    expect(looksLikeReferenceHandle(`${'A'.repeat(42)}=`)).toBe(false);
  });

  it('are stored as base64url(SHA-256)', () => {
    expect(referenceHandleHash('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });
});

describe.each(['sqlite', 'postgres'] as const)('token stores on %s', (dialect) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let recordChange: jest.Mock;
  let references: ReferenceTokenStore;
  let revoked: RevokedTokenStore;
  let purge: ExpiredTokenPurge;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    dataSource = database.dataSource;
    recordChange = jest.fn();
    const writer = new StoreWriter(dataSource, { recordChange } as unknown as StoreChanges);
    references = new ReferenceTokenStore(dataSource, writer);
    revoked = new RevokedTokenStore(dataSource, writer);
    purge = new ExpiredTokenPurge(writer);
  });
  afterAll(() => database?.drop());

  const claims = {
    iss: 'https://id',
    sub: 'svc',
    client_id: 'svc',
    aud: ['api1', 'api2'],
    jti: 'j',
  };
  const inAnHour = () => new Date(Date.now() + 3_600_000);

  it('finds a saved token by its handle, with its claims, and keeps only the hash', async () => {
    const handle = newReferenceHandle();
    const expiresAt = inAnHour();
    await references.save(handle, { clientId: 'svc', claims, expiresAt });

    expect(await references.find(handle)).toEqual({ clientId: 'svc', claims, expiresAt });
    const rows = await dataSource.getRepository(ReferenceTokenEntity).find();
    expect(JSON.stringify(rows)).not.toContain(handle);
    expect(rows.map((row) => row.handleHash)).toContain(referenceHandleHash(handle));
    // A token is no client or key: no replica has to drop its caches.
    expect(recordChange).not.toHaveBeenCalled();
  });

  it('does not find an unknown handle, nor one past its expiry', async () => {
    const handle = newReferenceHandle();
    await references.save(handle, {
      clientId: 'svc',
      claims,
      expiresAt: new Date(Date.now() + 50),
    });

    expect(await references.find(newReferenceHandle())).toBeUndefined();
    expect(await references.find(handle, new Date(Date.now() + 100))).toBeUndefined();
  });

  it('forgets a removed token; removing twice is harmless', async () => {
    const handle = newReferenceHandle();
    await references.save(handle, { clientId: 'svc', claims, expiresAt: inAnHour() });

    await references.remove(handle);
    await references.remove(handle);

    expect(await references.find(handle)).toBeUndefined();
  });

  it('deny-lists a jti; revoking twice is harmless', async () => {
    expect(await revoked.isRevoked('jti-1')).toBe(false);

    await revoked.revoke('jti-1', 'svc', inAnHour());
    await revoked.revoke('jti-1', 'svc', inAnHour());

    expect(await revoked.isRevoked('jti-1')).toBe(true);
    expect(await revoked.isRevoked('jti-2')).toBe(false);
  });

  it('purges what expired, and only that; a second purge finds nothing', async () => {
    const past = new Date(Date.now() - 1000);
    const expired = newReferenceHandle();
    const live = newReferenceHandle();
    await references.save(expired, { clientId: 'svc', claims, expiresAt: past });
    await references.save(live, { clientId: 'svc', claims, expiresAt: inAnHour() });
    await revoked.revoke('old-jti', 'svc', past);
    await revoked.revoke('live-jti', 'svc', inAnHour());

    const first = await purge.purge();
    const second = await purge.purge();

    expect(first.referenceTokens).toBeGreaterThanOrEqual(1);
    expect(first.revokedTokens).toBe(1);
    expect(second).toEqual({ referenceTokens: 0, revokedTokens: 0 });
    expect(await references.find(live)).toBeDefined();
    expect(await revoked.isRevoked('live-jti')).toBe(true);
    expect(await revoked.isRevoked('old-jti')).toBe(false);
    expect(
      await dataSource
        .getRepository(ReferenceTokenEntity)
        .countBy({ handleHash: referenceHandleHash(expired) }),
    ).toBe(0);
  });

  it('runs the purge on an unref’d timer that stops at shutdown', () => {
    jest.useFakeTimers();
    try {
      const spy = jest
        .spyOn(purge, 'purge')
        .mockResolvedValue({ referenceTokens: 0, revokedTokens: 0 });
      purge.onApplicationBootstrap();
      jest.advanceTimersByTime(60_000);
      expect(spy).toHaveBeenCalledTimes(1);
      purge.onModuleDestroy();
      jest.advanceTimersByTime(120_000);
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockRestore();
    } finally {
      jest.useRealTimers();
    }
  });
});
