import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDuration } from '@nest-identity/shared';
import { hashSecret } from './secret-hash';
import { loadIdentityConfigFile } from './config-file';
import { tokenLifetimeProblem } from './token-lifetime';

const DAY_MS = 86_400_000;
/** IDENTITY_KEY_RETENTION_TIME's default, 14 days. */
const RETENTION_MS = 14 * DAY_MS;
const repoRoot = resolve(__dirname, '..', '..', '..', '..');

describe('tokenLifetimeProblem', () => {
  it('accepts a JWT lifetime up to the key retention time (the default 3600 s with 14 d)', () => {
    expect(tokenLifetimeProblem('c', 3600, 'jwt', RETENTION_MS)).toBeUndefined();
    expect(tokenLifetimeProblem('c', 14 * 86_400, 'jwt', RETENTION_MS)).toBeUndefined();
  });

  it('refuses a JWT lifetime beyond it, naming the client, both values and the fix', () => {
    expect(tokenLifetimeProblem('billing', 14 * 86_400 + 1, 'jwt', RETENTION_MS)).toBe(
      '1209601 s is longer than IDENTITY_KEY_RETENTION_TIME (1209600 s), how long a signing key stays published after it stops signing: tokens of the client "billing" would stop validating before they expire (fix: set accessTokenLifetime to at most 1209600, or raise IDENTITY_KEY_RETENTION_TIME)',
    );
    expect(tokenLifetimeProblem('c', 3600, 'jwt', parseDuration('30m'))).toContain(
      '3600 s is longer than IDENTITY_KEY_RETENTION_TIME (1800 s)',
    );
  });

  it('leaves reference tokens alone: they are looked up, not verified with a key', () => {
    expect(tokenLifetimeProblem('c', 90 * 86_400, 'reference', RETENTION_MS)).toBeUndefined();
  });
});

describe('loadIdentityConfigFile with the key retention time', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'token-lifetime-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function configWith(clients: Record<string, unknown>[]): string {
    const path = join(dir, `identity-${clients.length}-${Math.random()}.json`);
    const base = {
      clientSecrets: [{ value: hashSecret('secret') }],
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: ['api1'],
    };
    writeFileSync(
      path,
      JSON.stringify({
        apiScopes: [{ name: 'api1' }],
        apiResources: [{ name: 'api1', scopes: ['api1'] }],
        clients: clients.map((client) => ({ ...base, ...client })),
      }),
    );
    return path;
  }

  it('refuses a client whose tokens would outlive their signing key, with its path', async () => {
    const path = configWith([
      { clientId: 'short' },
      { clientId: 'long', accessTokenLifetime: 30 * 86_400 },
      { clientId: 'looked-up', accessTokenLifetime: 30 * 86_400, accessTokenType: 'reference' },
    ]);
    await expect(loadIdentityConfigFile(path, RETENTION_MS)).rejects.toThrow(
      `${path} is invalid: clients[1].accessTokenLifetime: 2592000 s is longer than IDENTITY_KEY_RETENTION_TIME (1209600 s)`,
    );
  });

  it('accepts the seed configuration with the default retention', async () => {
    const seed = join(repoRoot, 'config', 'identity.json');
    await expect(loadIdentityConfigFile(seed, RETENTION_MS)).resolves.toBeDefined();
  });
});
