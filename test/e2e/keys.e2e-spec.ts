import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  clients,
  decodeJwt,
  fetchJwks,
  getToken,
  keyForToken,
  startIdentity,
  tempDir,
  verifiesWith,
  type RunningIdentity,
} from '../support';

// The signing key lives in IDENTITY_DATA_DIR and survives a restart.
describe('signing keys', () => {
  const dataDir = join(tempDir('identity-keys-'), 'nested', 'data');
  let first: RunningIdentity | undefined;
  let second: RunningIdentity | undefined;
  let other: RunningIdentity | undefined;
  afterAll(() => Promise.all([first?.stop(), second?.stop(), other?.stop()]));

  let firstKid: unknown;
  let tokenBeforeRestart: string;

  it('first start creates <dataDir>/signing-key.pem with mode 0600', async () => {
    first = await startIdentity({ dataDir });
    const stat = statSync(join(dataDir, 'signing-key.pem'));

    expect(stat.isFile()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    firstKid = (await fetchJwks(first.url)).keys[0]?.kid;
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
});
