import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  clients,
  decodeJwt,
  fetchJwks,
  getToken,
  keyForToken,
  rsaThumbprint,
  startIdentity,
  tempDir,
  verifiesWith,
  type RunningIdentity,
} from '../support';

// The signing keys live in the embedded database in IDENTITY_DATA_DIR and survive a restart.
describe('signing keys', () => {
  const dataDir = join(tempDir('identity-keys-'), 'nested', 'data');
  let first: RunningIdentity | undefined;
  let second: RunningIdentity | undefined;
  let other: RunningIdentity | undefined;
  let upgraded: RunningIdentity | undefined;
  afterAll(() => Promise.all([first?.stop(), second?.stop(), other?.stop(), upgraded?.stop()]));

  let firstKid: unknown;
  let tokenBeforeRestart: string;

  it('first start creates <dataDir>/identity.sqlite with mode 0600, holding the key', async () => {
    first = await startIdentity({ dataDir });
    const stat = statSync(join(dataDir, 'identity.sqlite'));

    expect(stat.isFile()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    const jwks = await fetchJwks(first.url);
    expect(jwks.keys).toHaveLength(1);
    firstKid = jwks.keys[0]?.kid;
    tokenBeforeRestart = await getToken(first.url, clients.standard);
    expect(decodeJwt(tokenBeforeRestart).header.kid).toBe(firstKid);
  });

  it('a restart on the same data dir keeps the kid, and old tokens still verify', async () => {
    await first!.stop();
    second = await startIdentity({ dataDir });
    const jwks = await fetchJwks(second.url);

    expect(jwks.keys.map((key) => key.kid)).toEqual([firstKid]);
    expect(
      verifiesWith(tokenBeforeRestart, await keyForToken(second.url, tokenBeforeRestart)),
    ).toBe(true);
    const tokenAfterRestart = await getToken(second.url, clients.standard);
    expect(decodeJwt(tokenAfterRestart).header.kid).toBe(firstKid);
  });

  it('another data dir gets another key', async () => {
    other = await startIdentity();
    const jwks = await fetchJwks(other.url);

    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0].kid).not.toBe(firstKid);
    expect(verifiesWith(tokenBeforeRestart, jwks.keys[0])).toBe(false);
  });

  it("an upgrade keeps the previous version's signing-key.pem as the signing key", async () => {
    const legacyDir = join(tempDir('identity-legacy-'), 'data');
    mkdirSync(legacyDir);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(
      join(legacyDir, 'signing-key.pem'),
      privateKey.export({ format: 'pem', type: 'pkcs8' }),
      { mode: 0o600 },
    );
    const legacyKid = rsaThumbprint(publicKey.export({ format: 'jwk' }));

    upgraded = await startIdentity({ dataDir: legacyDir });

    expect((await fetchJwks(upgraded.url)).keys.map((key) => key.kid)).toEqual([legacyKid]);
    expect(decodeJwt(await getToken(upgraded.url, clients.standard)).header.kid).toBe(legacyKid);
  });
});
