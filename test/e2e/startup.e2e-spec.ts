import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createClientViaCli,
  createTestDatabase,
  freePort,
  getJson,
  hashSecret,
  managementConfig,
  runToExit,
  startIdentity,
  startWeatherApi,
  tempDir,
  writeConfig,
  type ExitResult,
} from '../support';

// "An app that cannot start exits non-zero with one clear line naming the cause."
describe('start-up', () => {
  const valid = {
    apiScopes: [{ name: 'api1' }],
    apiResources: [{ name: 'api1', scopes: ['api1'] }],
    clients: [
      {
        clientId: 'client',
        clientSecrets: [{ value: hashSecret('secret') }],
        allowedGrantTypes: ['client_credentials'],
        allowedScopes: ['api1'],
      },
    ],
  };
  const client = valid.clients[0];

  function expectOneLineFailure(result: ExitResult, app: string, ...mentions: string[]): void {
    expect(result.signal).toBeNull();
    expect(result.code).not.toBe(0);
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${app}: cannot start: `));
    for (const mention of mentions) expect(lines[0]).toContain(mention);
  }

  describe('identity: an invalid configuration file', () => {
    it.each<[string, unknown, string]>([
      [
        'a secret value that is not a SHA-256 hash',
        { ...valid, clients: [{ ...client, clientSecrets: [{ value: 'secret' }] }] },
        'clients[0].clientSecrets[0].value',
      ],
      [
        'a scope no apiScopes entry defines',
        { ...valid, clients: [{ ...client, allowedScopes: ['api1', 'api9'] }] },
        'clients[0].allowedScopes[1]',
      ],
      [
        'an unknown property of a client',
        { ...valid, clients: [{ ...client, clientSecret: 'secret' }] },
        'clients[0].clientSecret',
      ],
      ['an unknown top-level property', { ...valid, colour: 'red' }, 'colour'],
      [
        'a configured claim that shadows a protocol claim',
        { ...valid, clients: [{ ...client, claims: [{ type: 'sub', value: 'admin' }] }] },
        'clients[0].claims[0].type',
      ],
      [
        'an expiration that is not an ISO 8601 date',
        {
          ...valid,
          clients: [
            { ...client, clientSecrets: [{ ...client.clientSecrets[0], expiration: 'soon' }] },
          ],
        },
        'clients[0].clientSecrets[0].expiration',
      ],
      [
        'a client id with a control character (RFC 6749 allows only VSCHAR, %x20-7E)',
        { ...valid, clients: [{ ...client, clientId: 'a\u0001b' }] },
        'clients[0].clientId',
      ],
      [
        'a token lifetime longer than the key retention (IDENTITY_KEY_RETENTION_TIME, 14 d)',
        { ...valid, clients: [{ ...client, accessTokenLifetime: 14 * 86_400 + 1 }] },
        'clients[0].accessTokenLifetime: 1209601 s is longer than IDENTITY_KEY_RETENTION_TIME (1209600 s)',
      ],
      ['not JSON', '{"apiScopes": [', 'JSON'],
      ['a JSON array', '[]', 'object'],
    ])('%s', async (_, config, path) => {
      const configFile = writeConfig(config);
      const result = await runToExit('identity', {
        PORT: String(await freePort()),
        IDENTITY_CONFIG: configFile,
        IDENTITY_DATA_DIR: tempDir(),
      });

      expectOneLineFailure(result, 'identity', configFile, path);
    });

    it('a missing file', async () => {
      const configFile = join(tempDir(), 'missing.json');
      const result = await runToExit('identity', {
        PORT: String(await freePort()),
        IDENTITY_CONFIG: configFile,
        IDENTITY_DATA_DIR: tempDir(),
      });

      expectOneLineFailure(result, 'identity', configFile);
    });
  });

  describe('identity: an invalid environment', () => {
    it.each([
      ['PORT=abc', { PORT: 'abc' }, 'PORT'],
      ['PORT=70000', { PORT: '70000' }, 'PORT'],
      ['ISSUER not an http(s) URL', { ISSUER: 'ftp://id.example.test' }, 'ISSUER'],
      ['ISSUER with a query', { ISSUER: 'https://id.example.test/?a=b' }, 'ISSUER'],
      ['RATE_LIMIT=maybe', { RATE_LIMIT: 'maybe' }, 'RATE_LIMIT'],
    ])('%s', async (_, env, name) => {
      const result = await runToExit('identity', {
        PORT: String(await freePort()),
        IDENTITY_DATA_DIR: tempDir(),
        ...env,
      });

      expectOneLineFailure(result, 'identity', name);
    });
  });

  describe('identity: an unusable signing key', () => {
    it.each([
      ['a file that is not PEM', 'not a key\n'],
      [
        'an EC key (RS256 needs RSA)',
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
          format: 'pem',
          type: 'pkcs8',
        }) as string,
      ],
      [
        'a public key',
        generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
          format: 'pem',
          type: 'spki',
        }) as string,
      ],
    ])('%s', async (_, pem) => {
      const dataDir = tempDir();
      const keyFile = join(dataDir, 'signing-key.pem');
      writeFileSync(keyFile, pem, { mode: 0o600 });
      const result = await runToExit('identity', {
        PORT: String(await freePort()),
        IDENTITY_DATA_DIR: dataDir,
      });

      expectOneLineFailure(result, 'identity', keyFile);
    });
  });

  // Configuration-file clients are read-only and database clients are managed: one id in both is
  // refused, never resolved silently in favour of either.
  describe('identity: a client id both in the configuration file and in the database', () => {
    const duplicated = 'billing-service';
    const withDuplicate = {
      ...managementConfig,
      clients: [
        ...managementConfig.clients,
        {
          clientId: duplicated,
          clientSecrets: [{ value: hashSecret('file secret') }],
          allowedGrantTypes: ['client_credentials'],
          allowedScopes: ['api1'],
        },
      ],
    };

    it.each([
      ['SQLite', () => Promise.resolve({})],
      ['PostgreSQL', async () => ({ DATABASE_URL: (await createTestDatabase()).url })],
    ])('%s', async (_, database) => {
      const store = {
        IDENTITY_CONFIG: writeConfig(managementConfig),
        IDENTITY_DATA_DIR: tempDir(),
        ...(await database()),
      };
      await createClientViaCli(store, duplicated, 'the database client secret');

      const result = await runToExit('identity', {
        ...store,
        PORT: String(await freePort()),
        IDENTITY_CONFIG: writeConfig(withDuplicate),
      });

      expectOneLineFailure(result, 'identity', duplicated, 'configuration file', 'database');
    });
  });

  describe('weather-api: an invalid environment', () => {
    it.each([
      ['PORT=abc', { PORT: 'abc' }, 'PORT'],
      ['AUTHORITY not a URL', { AUTHORITY: 'localhost:5001' }, 'AUTHORITY'],
      ['CLOCK_SKEW=-1', { CLOCK_SKEW: '-1' }, 'CLOCK_SKEW'],
      ['REQUIRE_HTTPS_METADATA=yes', { REQUIRE_HTTPS_METADATA: 'yes' }, 'REQUIRE_HTTPS_METADATA'],
    ])('%s', async (_, env, name) => {
      const result = await runToExit('weather-api', { PORT: String(await freePort()), ...env });

      expectOneLineFailure(result, 'weather-api', name);
    });
  });

  describe('GET /health needs no token', () => {
    it('identity', async () => {
      const identity = await startIdentity();
      try {
        const response = await getJson(`${identity.url}/health`);
        expect(response.status).toBe(200);
        expect(response.json).toEqual({ status: 'ok' });
      } finally {
        await identity.stop();
      }
    });

    it('weather-api, even while its authority is unreachable', async () => {
      const api = await startWeatherApi({
        env: { AUTHORITY: `http://localhost:${await freePort()}` },
      });
      try {
        const response = await getJson(`${api.url}/health`);
        expect(response.status).toBe(200);
        expect(response.json).toEqual({ status: 'ok' });
      } finally {
        await api.stop();
      }
    });
  });
});
