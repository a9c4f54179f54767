import { generateKeyPairSync } from 'node:crypto';
import type { SigningKeyEntity } from '../../persistence/entities/signing-key.entity';
import { StoreChanges } from '../../persistence/store-changes';
import { StoreWriter } from '../../persistence/store-writer';
import { createTestDatabase, type TestDatabase } from '../../persistence/test-databases.fixture';
import { toStoredKey } from '../stored-signing-key';
import { LostRace } from './lost-race';
import { SigningKeyRepository } from './signing-key.repository';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

/** A stored EdDSA key of `generation`, signing for a day from `activatesAt`. */
function row(generation: number, activatesAt = T0 + (generation - 1) * DAY): SigningKeyEntity {
  const { privateKey } = generateKeyPairSync('ed25519');
  const times = { generation, createdAt: T0, activatesAt, retiresAt: activatesAt + DAY };
  return toStoredKey(privateKey, 'EdDSA', times, undefined);
}

describe.each(['sqlite', 'postgres'] as const)('SigningKeyRepository on %s', (dialect) => {
  let database: TestDatabase;
  let repository: SigningKeyRepository;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const changes = new StoreChanges(database.dataSource);
    repository = new SigningKeyRepository(
      database.dataSource,
      new StoreWriter(database.dataSource, changes),
    );
  });
  afterAll(() => database?.drop());
  beforeEach(() => database.dataSource.query('DELETE FROM identity_signing_keys'));

  async function storeVersion(): Promise<number> {
    const [version]: { version: number | string }[] = await database.dataSource.query(
      'SELECT version FROM identity_store_version',
    );
    return Number(version.version);
  }

  const stored = async () =>
    (await repository.readAll()).map((key) => [key.generation, key.kid, key.retiresAt.getTime()]);

  it('reads every key back as inserted, by generation, each insert recording a change', async () => {
    const [second, first] = [row(2), row(1)];
    const before = await storeVersion();
    await repository.insert(second);
    await repository.insert(first);
    expect(await storeVersion()).toBe(before + 2);

    const [read] = await repository.readAll();
    expect(read).toEqual(first);
    expect(await stored()).toEqual([
      [1, first.kid, first.retiresAt.getTime()],
      [2, second.kid, second.retiresAt.getTime()],
    ]);
  });

  it('moves the retiring keys in the same transaction as the insert', async () => {
    const [first, second] = [row(1), row(2)];
    await repository.insert(first);
    await repository.insert(second);
    const third = row(3, T0 + 5 * DAY);
    await repository.insert(third, { kids: [first.kid, second.kid], retiresAt: new Date(T0) });
    expect(await stored()).toEqual([
      [1, first.kid, T0],
      [2, second.kid, T0],
      [3, third.kid, third.retiresAt.getTime()],
    ]);
  });

  it('throws LostRace for an insert of a generation already stored, writing nothing', async () => {
    const first = row(1);
    await repository.insert(first);
    const before = await storeVersion();
    const rival = row(1);
    await expect(
      repository.insert(rival, { kids: [first.kid], retiresAt: new Date(T0) }),
    ).rejects.toBeInstanceOf(LostRace);
    expect(await stored()).toEqual([[1, first.kid, first.retiresAt.getTime()]]);
    expect(await storeVersion()).toBe(before);
  });

  it('throws LostRace for an insert of a kid already stored', async () => {
    const first = row(1);
    await repository.insert(first);
    const sameKey = { ...first, generation: 2 };
    await expect(repository.insert(sameKey)).rejects.toBeInstanceOf(LostRace);
  });

  describe('revoke', () => {
    it('deletes the key, retires others and inserts the replacement, in one change', async () => {
      const [first, second] = [row(1), row(2)];
      await repository.insert(first);
      await repository.insert(second);
      const before = await storeVersion();
      const replacement = row(3, T0);
      await expect(
        repository.revoke(first.kid, { kids: [second.kid], retiresAt: new Date(T0) }, replacement),
      ).resolves.toBe(true);
      expect(await stored()).toEqual([
        [2, second.kid, T0],
        [3, replacement.kid, replacement.retiresAt.getTime()],
      ]);
      expect(await storeVersion()).toBe(before + 1);
    });

    it('answers false for a kid that is gone, writing and recording nothing', async () => {
      const first = row(1);
      await repository.insert(first);
      const before = await storeVersion();
      const retiring = { kids: [first.kid], retiresAt: new Date(T0) };
      await expect(repository.revoke('no-such-kid', retiring, row(2))).resolves.toBe(false);
      expect(await stored()).toEqual([[1, first.kid, first.retiresAt.getTime()]]);
      expect(await storeVersion()).toBe(before);
    });
  });

  it('deletes keys idempotently, recording a change only when one went', async () => {
    const [first, second] = [row(1), row(2)];
    await repository.insert(first);
    await repository.insert(second);
    const before = await storeVersion();
    expect(await repository.deleteKeys([first.kid, 'no-such-kid'])).toBe(1);
    expect(await repository.deleteKeys([first.kid])).toBe(0);
    expect((await stored()).map(([, kid]) => kid)).toEqual([second.kid]);
    expect(await storeVersion()).toBe(before + 1);
  });

  it('replaces a private key only while it is still the stored one', async () => {
    const first = row(1);
    await repository.insert(first);
    const before = await storeVersion();
    expect(await repository.replacePrivateKey(first.kid, first.privateKey, 'enc:v1:sealed')).toBe(
      true,
    );
    // Another replica's copy of the old text no longer matches: nothing changes.
    expect(await repository.replacePrivateKey(first.kid, first.privateKey, 'enc:v1:other')).toBe(
      false,
    );
    expect((await repository.readAll())[0].privateKey).toBe('enc:v1:sealed');
    expect(await storeVersion()).toBe(before + 1);
  });

  it('runs sequences one at a time, in order', async () => {
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = repository.sequence(async () => {
      log.push('first');
      await gate;
      log.push('first done');
    });
    const second = repository.sequence(() => Promise.resolve(log.push('second')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['first']);
    release();
    await Promise.all([first, second]);
    expect(log).toEqual(['first', 'first done', 'second']);
  });
});
