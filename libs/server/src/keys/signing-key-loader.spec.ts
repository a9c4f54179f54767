import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { SigningKeyEntity } from '../persistence/entities/signing-key.entity';
import { testSettings } from '../persistence/test-databases.fixture';
import { encryptPrivateKey } from './private-key-encryption';
import type { SigningKeyRepository } from './repository/signing-key.repository';
import { SigningKeyLoader } from './signing-key-loader';
import { toStoredKey } from './stored-signing-key';

const T0 = Date.UTC(2026, 0, 1);

function row(generation: number, encryptionKey?: Buffer): SigningKeyEntity {
  const times = { generation, createdAt: T0, activatesAt: T0, retiresAt: T0 + 1000 };
  return toStoredKey(generateKeyPairSync('ed25519').privateKey, 'EdDSA', times, encryptionKey);
}

describe('SigningKeyLoader', () => {
  const encryptionKey = randomBytes(32);
  let stored: SigningKeyEntity[];
  const repository = { readAll: () => Promise.resolve(stored) } as SigningKeyRepository;

  it('parses every stored key, with its schedule', async () => {
    stored = [row(1), row(2)];
    const keys = await new SigningKeyLoader(repository, testSettings()).loadKeys();
    expect(keys.map((key) => [key.kid, key.generation, key.key.kid])).toEqual([
      [stored[0].kid, 1, stored[0].kid],
      [stored[1].kid, 2, stored[1].kid],
    ]);
    expect(keys[0]).toMatchObject({ activatesAt: T0, retiresAt: T0 + 1000 });
  });

  it('parses a key once while its stored text is unchanged, and again when it changes', async () => {
    const loader = new SigningKeyLoader(
      repository,
      testSettings({ keys: { ...testSettings().keys, encryptionKey } }),
    );
    const first = row(1);
    stored = [first];
    const [before] = await loader.loadKeys();
    const [again] = await loader.loadKeys();
    expect(again.key).toBe(before.key);

    // The same key, encrypted in place by `keys encrypt`: the row's text changed.
    stored = [
      Object.assign(new SigningKeyEntity(), first, {
        privateKey: encryptPrivateKey(first.privateKey, first.kid, encryptionKey),
      }),
    ];
    const [reparsed] = await loader.loadKeys();
    expect(reparsed.key).not.toBe(before.key);
    expect(reparsed.key.publicJwk).toEqual(before.key.publicJwk);
  });

  it('says the private keys are encrypted only with an encryption key and none read in clear', async () => {
    const withKey = testSettings({ keys: { ...testSettings().keys, encryptionKey } });
    const loader = new SigningKeyLoader(repository, withKey);
    expect(loader.privateKeysAtRest()).toBe('clear'); // nothing read yet
    stored = [row(1, encryptionKey), row(2)];
    await loader.load();
    expect(loader.privateKeysAtRest()).toBe('clear');
    loader.allEncrypted();
    expect(loader.privateKeysAtRest()).toBe('encrypted');
    stored = [row(1, encryptionKey)];
    await loader.load();
    expect(loader.privateKeysAtRest()).toBe('encrypted');

    const withoutKey = new SigningKeyLoader(repository, testSettings());
    stored = [];
    await withoutKey.load();
    expect(withoutKey.privateKeysAtRest()).toBe('clear');
  });
});
