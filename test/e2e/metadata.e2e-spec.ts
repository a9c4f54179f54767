import {
  DISCOVERY_PATH,
  JWKS_PATH,
  RFC8414_PATH,
  getJson,
  rsaThumbprint,
  startIdentity,
  writeRichConfig,
  type Jwks,
  type RunningIdentity,
} from '../support';

// RFC 8414 metadata (at IdentityServer's path and the RFC's) and the RFC 7517 JWK Set.
describe('discovery and JWKS', () => {
  let identity: RunningIdentity;
  let issuerOverridden: RunningIdentity;
  const issuer = 'https://login.example.test/realm';

  beforeAll(async () => {
    const configFile = writeRichConfig();
    [identity, issuerOverridden] = await Promise.all([
      startIdentity({ configFile }),
      startIdentity({ configFile, env: { ISSUER: issuer } }),
    ]);
  });
  afterAll(() => Promise.all([identity?.stop(), issuerOverridden?.stop()]));

  describe('the metadata document', () => {
    it('is the same at both well-known paths', async () => {
      const openid = await getJson(`${identity.url}${DISCOVERY_PATH}`);
      const rfc8414 = await getJson(`${identity.url}${RFC8414_PATH}`);

      expect(openid.status).toBe(200);
      expect(rfc8414.status).toBe(200);
      expect(openid.headers.get('content-type')).toMatch(/^application\/json/);
      expect(rfc8414.json).toEqual(openid.json);
    });

    it('derives every URL from the default issuer http://localhost:<port>', async () => {
      const { json } = await getJson(`${identity.url}${DISCOVERY_PATH}`);

      expect(json).toMatchObject({
        issuer: identity.url,
        token_endpoint: `${identity.url}/connect/token`,
        jwks_uri: `${identity.url}${JWKS_PATH}`,
      });
    });

    it('derives every URL from ISSUER when it is set', async () => {
      for (const path of [DISCOVERY_PATH, RFC8414_PATH]) {
        const { json } = await getJson(`${issuerOverridden.url}${path}`);
        expect(json).toMatchObject({
          issuer,
          token_endpoint: `${issuer}/connect/token`,
          jwks_uri: `${issuer}${JWKS_PATH}`,
        });
      }
    });

    it('lists the grant, the client authentication methods and the scopes (configured, then built in)', async () => {
      const { json } = await getJson(`${identity.url}${DISCOVERY_PATH}`);
      const document = json as Record<string, unknown>;

      expect(document.grant_types_supported).toEqual(['client_credentials']);
      expect([...(document.token_endpoint_auth_methods_supported as string[])].sort()).toEqual([
        'client_secret_basic',
        'client_secret_jwt',
        'client_secret_post',
        'private_key_jwt',
      ]);
      expect(document.scopes_supported).toEqual(['api1', 'api2', 'weather.read', 'identity.admin']);
    });

    it('lists the seed config scopes (and the admin API scope) for the seed config', async () => {
      const seeded = await startIdentity();
      try {
        const { json } = await getJson(`${seeded.url}${DISCOVERY_PATH}`);
        expect((json as { scopes_supported: unknown }).scopes_supported).toEqual([
          'api1',
          'identity.admin',
        ]);
      } finally {
        await seeded.stop();
      }
    });

    it('may be cached (Cache-Control max-age)', async () => {
      for (const path of [DISCOVERY_PATH, RFC8414_PATH]) {
        const { headers } = await getJson(`${identity.url}${path}`);
        expect(headers.get('cache-control')).toMatch(/(^|[ ,])max-age=\d+/);
      }
    });
  });

  describe('the JWK Set', () => {
    let jwks: Jwks;

    beforeAll(async () => {
      const response = await getJson(`${identity.url}${JWKS_PATH}`);
      expect(response.status).toBe(200);
      jwks = response.json as Jwks;
    });

    it('publishes RSA signing keys with kid, use sig and alg RS256', () => {
      expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
      for (const key of jwks.keys) {
        expect(key).toEqual({
          kty: 'RSA',
          kid: expect.any(String),
          use: 'sig',
          alg: 'RS256',
          n: expect.stringMatching(/^[\w-]{300,}$/),
          e: expect.stringMatching(/^[\w-]+$/),
        });
      }
    });

    it('never publishes a private member', () => {
      for (const key of jwks.keys) {
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
          expect(key).not.toHaveProperty(member);
        }
      }
    });

    it('names each key by its RFC 7638 thumbprint', () => {
      for (const key of jwks.keys) expect(key.kid).toBe(rsaThumbprint(key));
    });

    it('may be cached (Cache-Control max-age)', async () => {
      const { headers } = await getJson(`${identity.url}${JWKS_PATH}`);

      expect(headers.get('cache-control')).toMatch(/(^|[ ,])max-age=\d+/);
    });

    it('is served at the jwks_uri the metadata names', async () => {
      const { json } = await getJson(`${identity.url}${DISCOVERY_PATH}`);
      const fromMetadata = await getJson((json as { jwks_uri: string }).jwks_uri);

      expect(fromMetadata.json).toEqual(jwks);
    });
  });
});
