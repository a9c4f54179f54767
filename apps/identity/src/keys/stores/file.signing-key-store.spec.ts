import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IdentitySettings } from '../../config/identity-settings';
import { FileSigningKeyStore, SIGNING_KEY_FILE } from './file.signing-key-store';

async function storeIn(dataDir: string): Promise<FileSigningKeyStore> {
  const store = new FileSigningKeyStore({ dataDir } as IdentitySettings);
  await store.onModuleInit();
  return store;
}

describe('FileSigningKeyStore', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'keys-')), 'data');
  });

  it('creates the data dir and an owner-only key file on first start', async () => {
    const store = await storeIn(dataDir);
    const file = await stat(join(dataDir, SIGNING_KEY_FILE));
    expect(file.mode & 0o777).toBe(0o600);
    expect((await stat(dataDir)).mode & 0o077).toBe(0);
    expect((await store.getActiveKey()).alg).toBe('RS256');
    expect(await readdir(dataDir)).toEqual([SIGNING_KEY_FILE]);
  });

  it('loads the same key on the next start', async () => {
    const first = await (await storeIn(dataDir)).getActiveKey();
    const second = await (await storeIn(dataDir)).getActiveKey();
    expect(second.kid).toBe(first.kid);
  });

  it('publishes the active key', async () => {
    const store = await storeIn(dataDir);
    expect((await store.getPublishedKeys()).map((k) => k.kid)).toEqual([
      (await store.getActiveKey()).kid,
    ]);
  });

  it('agrees on one key when two processes start on an empty data dir at once', async () => {
    const stores = await Promise.all([storeIn(dataDir), storeIn(dataDir), storeIn(dataDir)]);
    const kids = await Promise.all(stores.map(async (s) => (await s.getActiveKey()).kid));
    expect(new Set(kids).size).toBe(1);
    expect(await readdir(dataDir)).toEqual([SIGNING_KEY_FILE]);
  });

  it('refuses to start on a key file that is not a private key, naming the file', async () => {
    await storeIn(dataDir);
    await writeFile(join(dataDir, SIGNING_KEY_FILE), 'not a key');
    await expect(storeIn(dataDir)).rejects.toThrow(
      `the signing key ${join(dataDir, SIGNING_KEY_FILE)} is not a PEM private key`,
    );
  });
});
