import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  adminRequest,
  adminToken,
  basicAuthorization,
  clients,
  decodeJwt,
  eventually,
  fetchJwks,
  getJson,
  getToken,
  identityCli,
  keyForToken,
  managementConfig,
  rsaThumbprint,
  runIdentityCli,
  startIdentity,
  tempDir,
  verifiesWith,
  writeConfig,
  type Credentials,
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

// Keys at rest: the identity starts without IDENTITY_KEY_ENCRYPTION_KEY (the demo, compose and the
// tests do), but says so in production and in its readiness details.
describe('signing keys at rest', () => {
  let identity: RunningIdentity | undefined;
  afterEach(() => identity?.stop());

  /** The log lines (pino JSON) with a `msg` matching `pattern`. */
  function warnings(app: RunningIdentity, pattern: RegExp): string[] {
    return app
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg?: string })
      .filter((entry) => entry.level === 40 && pattern.test(entry.msg ?? ''))
      .map((entry) => entry.msg!);
  }

  /** Waits until `count` such warnings have come through the process's stdout. */
  async function logged(app: RunningIdentity, pattern: RegExp, count: number): Promise<void> {
    await eventually(() => Promise.resolve(warnings(app, pattern).length >= count), 5000, 50);
  }

  async function signingKeyDetails(app: RunningIdentity): Promise<unknown> {
    const ready = await getJson(`${app.url}/health/ready`);
    expect(ready.status).toBe(200);
    return (ready.json as { info: { signingKey: unknown } }).info.signingKey;
  }

  it('in production without an encryption key: one warning naming the risk and the fix; ready says "clear"', async () => {
    identity = await startIdentity({ env: { NODE_ENV: 'production' } });
    await logged(identity, /stored in clear/, 1);
    expect(warnings(identity, /stored in clear/)).toEqual([
      'the signing keys are stored in clear: anyone who reads the database or a backup of it can sign tokens that the APIs and the admin API accept (fix: set IDENTITY_KEY_ENCRYPTION_KEY to the output of `openssl rand -base64 32`, the same on every replica)',
    ]);
    expect(await signingKeyDetails(identity)).toEqual({
      status: 'up',
      kid: expect.any(String),
      privateKeysAtRest: 'clear',
    });
  });

  it('with an encryption key: no warning, and ready says "encrypted"', async () => {
    identity = await startIdentity({
      env: {
        NODE_ENV: 'production',
        IDENTITY_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      },
    });
    expect(await signingKeyDetails(identity)).toMatchObject({ privateKeysAtRest: 'encrypted' });
    expect(warnings(identity, /stored in clear/)).toEqual([]);
  });

  it('warns when the data directory or the SQLite file is open to other users, naming the chmod', async () => {
    const dataDir = join(tempDir('identity-open-'), 'data');
    identity = await startIdentity({ dataDir });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700); // created owner-only
    expect(warnings(identity, /open to other users/)).toEqual([]);
    await identity.stop();

    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'identity.sqlite'), 0o644);
    identity = await startIdentity({ dataDir });
    await logged(identity, /open to other users/, 2);
    expect(warnings(identity, /open to other users/)).toEqual([
      `${dataDir} holds the signing keys and is open to other users (mode 755): whoever can read it can sign tokens (fix: chmod 700 ${dataDir})`,
      `${join(dataDir, 'identity.sqlite')} holds the signing keys and is open to other users (mode 644): whoever can read it can sign tokens (fix: chmod 600 ${join(dataDir, 'identity.sqlite')})`,
    ]);
  });
});

// Emergency revocation (docs/keys.md, "Revoking a key"): the key leaves the JWKS at once, a new
// key signs, and the identity refuses the revoked key's tokens at once.
describe('signing key revocation', () => {
  const client: Credentials = { id: 'client', secret: 'secret' };
  let identity: RunningIdentity;
  let env: { IDENTITY_CONFIG: string; IDENTITY_DATA_DIR: string };
  beforeAll(async () => {
    identity = await startIdentity({ configFile: writeConfig(managementConfig) });
    env = { IDENTITY_CONFIG: identity.configFile, IDENTITY_DATA_DIR: identity.dataDir };
  });
  afterAll(() => identity?.stop());

  async function introspect(token: string): Promise<unknown> {
    const response = await getJson(`${identity.url}/connect/introspect`, {
      method: 'POST',
      headers: {
        authorization: basicAuthorization(client),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(response.status).toBe(200);
    return response.json;
  }

  async function publishedKids(): Promise<string[]> {
    return (await fetchJwks(identity.url)).keys.map((key) => key.kid);
  }

  const kidOf = (token: string) => decodeJwt(token).header.kid as string;

  /** The audit events the identity logged (`{"audit": {...}}` lines). */
  function auditEvents(): Record<string, unknown>[] {
    return identity
      .output()
      .split('\n')
      .filter((line) => line.includes('"audit":{'))
      .map((line) => (JSON.parse(line) as { audit: Record<string, unknown> }).audit);
  }

  it('with the CLI (keys revoke): the JWKS drops it, new tokens get another kid, its tokens are inactive', async () => {
    const token = await getToken(identity.url, client);
    const revoked = kidOf(token);
    expect(await introspect(token)).toMatchObject({ active: true });

    const printed = await identityCli(['keys', 'revoke', revoked], env);
    const replacement = /signed with (\S+) \(a new key\)\n$/.exec(printed)?.[1];
    expect(replacement).toBeDefined();

    expect(await publishedKids()).toEqual([replacement]); // the JWKS reads fresh: at once
    expect(await introspect(token)).toEqual({ active: false });
    // The token endpoint signs from memory: it switches when it sees the change (≤ 250 ms poll).
    await eventually(
      async () => kidOf(await getToken(identity.url, client)) === replacement,
      5000,
      50,
    );
    expect(kidOf(await getToken(identity.url, client))).toBe(replacement);

    const again = await runIdentityCli(['keys', 'revoke', revoked], env);
    expect([again.code, again.stderr]).toEqual([
      1,
      `identity: there is no signing key "${revoked}" (see: npm run identity -- keys list)\n`,
    ]);
  });

  it('with the admin API (POST /admin/keys/{kid}/revoke): the same, at once, audited with its client', async () => {
    const token = await getToken(identity.url, client);
    const revoked = kidOf(token);
    const admin = await adminToken(identity.url);

    const response = await adminRequest(
      identity.url,
      admin,
      'POST',
      `/admin/keys/${revoked}/revoke`,
    );
    expect(response.status).toBe(200);
    const body = response.json as { signingKid: string };
    expect(body).toEqual({
      revoked,
      signingKid: expect.any(String),
      newSigningKey: true,
      published: [body.signingKid],
    });

    expect(await publishedKids()).toEqual([body.signingKid]);
    expect(kidOf(await getToken(identity.url, client))).toBe(body.signingKid);
    expect(await introspect(token)).toEqual({ active: false });
    expect(
      auditEvents().filter((event) => event.action === 'revoked' && event.kid === revoked),
    ).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({ actor: 'admin', successor: body.signingKid }),
      }),
    ]);

    const unknown = await adminRequest(
      identity.url,
      await adminToken(identity.url),
      'POST',
      `/admin/keys/${revoked}/revoke`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ type: 'urn:nest-identity:problem:key-not-found' });
  });
});
