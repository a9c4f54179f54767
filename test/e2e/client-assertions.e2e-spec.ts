import { generateKeyPairSync, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import {
  assertionClaims,
  adminRequest,
  adminToken,
  createTestDatabase,
  managementConfig,
  getJson,
  postAssertion,
  postToken,
  rememberingFetch,
  rememberSecrets,
  serveJwks,
  signJwt,
  startIdentity,
  writeConfig,
  DISCOVERY_PATH,
  JWT_BEARER_ASSERTION_TYPE,
  type JwksServer,
  type RunningIdentity,
  type TestDatabase,
  type WireResponse,
} from '../support';

type OpenIdClient = typeof import('openid-client');
type OAuth4WebApi = typeof import('oauth4webapi');

// private_key_jwt and client_secret_jwt (RFC 7523 §2.2, OIDC Core §9) at the token endpoint:
// real identity processes, real client libraries, and every way an assertion must be refused.

const INVALID_CLIENT = {
  error: 'invalid_client',
  error_description: 'client authentication failed',
};
const SECRET_JWT_VARIABLE = 'E2E_CLIENT_SECRET_JWT';

function keyPair(type: 'rsa' | 'ec' | 'ed25519', kid: string) {
  const { publicKey, privateKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' } };
}

/** The same key as a WebCrypto CryptoKey, as openid-client and oauth4webapi take it. */
async function cryptoKey(
  privateKey: KeyObject,
  algorithm: RsaHashedImportParams | EcKeyImportParams,
) {
  const jwk = privateKey.export({ format: 'jwk' });
  return webcrypto.subtle.importKey('jwk', jwk, algorithm, false, ['sign']);
}

describe('client assertions (private_key_jwt, client_secret_jwt)', () => {
  const rsa = keyPair('rsa', 'rsa-1');
  const ec = keyPair('ec', 'ec-1');
  const ed = keyPair('ed25519', 'ed-1');
  const rotated = keyPair('ec', 'ec-2');
  const stranger = keyPair('rsa', 'rsa-1'); // same kid as `rsa`, another key
  const hmacSecret = randomBytes(32).toString('base64url');
  let jwksServer: JwksServer;
  let configFile: string;
  let identity: RunningIdentity;
  let tokenEndpoint: string;
  let client: OpenIdClient;
  let oauth: OAuth4WebApi;

  function config(jwksUri: string) {
    const common = { allowedGrantTypes: ['client_credentials'], allowedScopes: ['api1'] };
    return {
      apiScopes: [{ name: 'api1' }],
      apiResources: [{ name: 'api1', scopes: ['api1'] }],
      clients: [
        managementConfig.clients[1],
        { clientId: 'inline', jwks: { keys: [rsa.jwk, ec.jwk, ed.jwk] }, ...common },
        { clientId: 'by-uri', jwksUri, ...common },
        {
          clientId: 'secret-jwt',
          clientSecrets: [{ environmentVariable: SECRET_JWT_VARIABLE }],
          ...common,
        },
        { clientId: 'no-keys', clientSecrets: [], ...common },
      ],
    };
  }

  const encryptionKey = randomBytes(32).toString('base64');
  const environment = () => ({
    [SECRET_JWT_VARIABLE]: hmacSecret,
    IDENTITY_KEY_ENCRYPTION_KEY: encryptionKey,
  });

  beforeAll(async () => {
    rememberSecrets(hmacSecret, encryptionKey);
    [client, oauth] = await Promise.all([import('openid-client'), import('oauth4webapi')]);
    jwksServer = await serveJwks([ec.jwk]);
    configFile = writeConfig(config(jwksServer.url));
    identity = await startIdentity({ configFile, env: environment() });
    tokenEndpoint = `${identity.url}/connect/token`;
  });
  afterAll(() => Promise.all([identity?.stop(), jwksServer?.close()]));

  const fresh = (clientId: string, overrides: Record<string, unknown> = {}) =>
    assertionClaims(clientId, tokenEndpoint, overrides);

  function expectInvalidClient(response: WireResponse) {
    expect(response.status).toBe(401);
    expect(response.json).toEqual(INVALID_CLIENT);
    expect(response.headers.get('cache-control')).toBe('no-store');
  }

  describe('discovery', () => {
    it('lists both methods and exactly the accepted algorithms', async () => {
      const { json } = await getJson(`${identity.url}${DISCOVERY_PATH}`);
      const document = json as Record<string, string[]>;
      expect(document.token_endpoint_auth_methods_supported).toEqual(
        expect.arrayContaining(['private_key_jwt', 'client_secret_jwt']),
      );
      expect(document.token_endpoint_auth_signing_alg_values_supported).toEqual([
        'RS256',
        'RS384',
        'RS512',
        'PS256',
        'PS384',
        'PS512',
        'ES256',
        'ES384',
        'ES512',
        'EdDSA',
        'Ed25519',
        'HS256',
        'HS384',
        'HS512',
      ]);
    });
  });

  describe('standard clients', () => {
    it('openid-client: private_key_jwt with an inline JWK Set (RS256)', async () => {
      const key = await cryptoKey(rsa.privateKey, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' });
      const configuration = await client.discovery(
        new URL(identity.url),
        'inline',
        undefined,
        client.PrivateKeyJwt({ key, kid: rsa.kid }),
        { execute: [client.allowInsecureRequests] },
      );
      configuration[client.customFetch] = rememberingFetch as never;
      const tokens = await client.clientCredentialsGrant(configuration, { scope: 'api1' });
      expect(tokens.token_type).toBe('bearer');
      expect(tokens.scope).toBe('api1');
    });

    it('openid-client: private_key_jwt with a jwksUri (ES256)', async () => {
      const key = await cryptoKey(ec.privateKey, { name: 'ECDSA', namedCurve: 'P-256' });
      const configuration = await client.discovery(
        new URL(identity.url),
        'by-uri',
        undefined,
        client.PrivateKeyJwt({ key, kid: ec.kid }),
        { execute: [client.allowInsecureRequests] },
      );
      configuration[client.customFetch] = rememberingFetch as never;
      const tokens = await client.clientCredentialsGrant(configuration, { scope: 'api1' });
      expect(tokens.access_token).toEqual(expect.any(String));
    });

    it('openid-client: client_secret_jwt (HS256) with a secret named by environment variable', async () => {
      const configuration = await client.discovery(
        new URL(identity.url),
        'secret-jwt',
        hmacSecret,
        client.ClientSecretJwt(),
        { execute: [client.allowInsecureRequests] },
      );
      configuration[client.customFetch] = rememberingFetch as never;
      const tokens = await client.clientCredentialsGrant(configuration, { scope: 'api1' });
      expect(tokens.scope).toBe('api1');
    });

    /** Client credentials through oauth4webapi's PrivateKeyJwt; the assertions it sent, too. */
    async function oauth4webapiToken(key: CryptoKey, kid: string) {
      const sent: string[] = [];
      const options = {
        [oauth.allowInsecureRequests]: true,
        [oauth.customFetch]: (url: string, init: { body?: unknown } & Record<string, unknown>) => {
          const assertion = new URLSearchParams(String(init.body)).get('client_assertion');
          if (assertion) sent.push(assertion);
          return rememberingFetch(url, init);
        },
      };
      const issuer = new URL(identity.url);
      const as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, options as never),
      );
      const response = await oauth.clientCredentialsGrantRequest(
        as,
        { client_id: 'inline' },
        oauth.PrivateKeyJwt({ key, kid }),
        { scope: 'api1' },
        options as never,
      );
      const tokens = await oauth.processClientCredentialsResponse(
        as,
        { client_id: 'inline' },
        response,
      );
      return { tokens, sent };
    }

    it('oauth4webapi: private_key_jwt (ES256, inline keys)', async () => {
      const key = await cryptoKey(ec.privateKey, { name: 'ECDSA', namedCurve: 'P-256' });
      const { tokens } = await oauth4webapiToken(key, ec.kid);
      expect(tokens.scope).toBe('api1');
    });

    it('oauth4webapi: private_key_jwt with an Ed25519 key (alg Ed25519, RFC 9864)', async () => {
      const key = await webcrypto.subtle.importKey(
        'jwk',
        ed.privateKey.export({ format: 'jwk' }),
        { name: 'Ed25519' },
        false,
        ['sign'],
      );
      const { tokens, sent } = await oauth4webapiToken(key, ed.kid);
      expect(tokens.scope).toBe('api1');
      expect(sent).toHaveLength(1);
      const header = JSON.parse(Buffer.from(sent[0].split('.')[0], 'base64url').toString()) as {
        alg: string;
      };
      expect(header.alg).toBe('Ed25519');
    });

    it('accepts EdDSA and PS256, the issuer as aud, and an aud array', async () => {
      for (const [alg, key, aud] of [
        ['EdDSA', ed, identity.url],
        ['PS256', rsa, [tokenEndpoint, 'https://elsewhere.example']],
      ] as const) {
        const assertion = signJwt(
          { alg, kid: key.kid, typ: 'JWT' },
          assertionClaims('inline', aud as string | string[]),
          key.privateKey,
        );
        const response = await postAssertion(identity.url, assertion, { scope: 'api1' });
        expect(response.status).toBe(200);
      }
    });
  });

  describe('refused assertions: always 401 invalid_client, the reason only in the log', () => {
    beforeAll(() => rememberSecrets('whatever-secret'));
    const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
      signJwt({ alg: 'ES256', kid: ec.kid, ...header }, claims, ec.privateKey);

    it.each([
      ['iss is another client', { iss: 'by-uri' }],
      ['sub is another client', { sub: 'by-uri' }],
      ['aud is another server', { aud: 'https://other.example/token' }],
      ['aud is missing', { aud: undefined }],
      ['exp has passed', { exp: Math.floor(Date.now() / 1000) - 120 }],
      ['exp is missing', { exp: undefined }],
      ['exp is an hour ahead', { exp: Math.floor(Date.now() / 1000) + 3600 }],
      ['nbf is in the future', { nbf: Math.floor(Date.now() / 1000) + 600 }],
      ['jti is missing', { jti: undefined }],
    ])('%s', async (_case, overrides) => {
      const response = await postAssertion(identity.url, sign(fresh('inline', overrides)));
      expectInvalidClient(response);
    });

    it('a replayed assertion (the same jti) on the same identity', async () => {
      const assertion = sign(fresh('inline'));
      expect((await postAssertion(identity.url, assertion)).status).toBe(200);
      expectInvalidClient(await postAssertion(identity.url, assertion));
      // Another assertion reusing the jti is a replay too.
      const { jti } = JSON.parse(Buffer.from(assertion.split('.')[1], 'base64url').toString());
      expectInvalidClient(await postAssertion(identity.url, sign(fresh('inline', { jti }))));
    });

    it('alg none, and HS256 keyed with the public key (algorithm confusion)', async () => {
      const none = signJwt({ alg: 'none' }, fresh('inline'));
      expectInvalidClient(await postAssertion(identity.url, none));
      const publicKeyAsSecret = Buffer.from(JSON.stringify(ec.jwk));
      const hs = signJwt({ alg: 'HS256', kid: ec.kid }, fresh('inline'), publicKeyAsSecret);
      expectInvalidClient(await postAssertion(identity.url, hs));
    });

    it('an unknown kid, a key of the wrong type for alg, a wrong signature', async () => {
      expectInvalidClient(
        await postAssertion(identity.url, sign(fresh('inline'), { kid: 'nope' })),
      );
      const rsaKidOnEs = signJwt({ alg: 'ES256', kid: rsa.kid }, fresh('inline'), ec.privateKey);
      expectInvalidClient(await postAssertion(identity.url, rsaKidOnEs));
      const forged = signJwt({ alg: 'RS256', kid: rsa.kid }, fresh('inline'), stranger.privateKey);
      expectInvalidClient(await postAssertion(identity.url, forged));
    });

    it('crit, a repeated header member, a malformed assertion, an unknown assertion type', async () => {
      expectInvalidClient(
        await postAssertion(identity.url, sign(fresh('inline'), { crit: ['exp'] })),
      );
      const [, payload, signature] = sign(fresh('inline')).split('.');
      const repeated = Buffer.from('{"alg":"none","alg":"ES256","kid":"ec-1"}').toString(
        'base64url',
      );
      expectInvalidClient(await postAssertion(identity.url, `${repeated}.${payload}.${signature}`));
      expectInvalidClient(await postAssertion(identity.url, 'not.a-jwt', { client_id: 'inline' }));
      expectInvalidClient(await postAssertion(identity.url, 'garbage'));
      expectInvalidClient(
        await postAssertion(identity.url, sign(fresh('inline')), {
          client_assertion_type: 'urn:example:other',
        }),
      );
    });

    it('a client_id that is not the assertion sub; an unknown client; a client without keys', async () => {
      expectInvalidClient(
        await postAssertion(identity.url, sign(fresh('inline')), { client_id: 'by-uri' }),
      );
      expectInvalidClient(await postAssertion(identity.url, sign(fresh('nobody'))));
      expectInvalidClient(await postAssertion(identity.url, sign(fresh('no-keys'))));
    });

    it('client_secret_jwt with a wrong secret, or with an asymmetric alg', async () => {
      const wrong = signJwt({ alg: 'HS256' }, fresh('secret-jwt'), randomBytes(32));
      expectInvalidClient(await postAssertion(identity.url, wrong));
      const asymmetric = signJwt({ alg: 'ES256', kid: ec.kid }, fresh('secret-jwt'), ec.privateKey);
      expectInvalidClient(await postAssertion(identity.url, asymmetric));
    });

    it('two authentication methods at once is invalid_request (400)', async () => {
      const withBasic = await postAssertion(
        identity.url,
        sign(fresh('inline')),
        {},
        {
          basic: { id: 'inline', secret: 'whatever-secret' },
        },
      );
      expect(withBasic.status).toBe(400);
      expect(withBasic.json).toMatchObject({ error: 'invalid_request' });
      const withSecret = await postAssertion(identity.url, sign(fresh('inline')), {
        client_id: 'inline',
        client_secret: 'whatever-secret',
      });
      expect(withSecret.status).toBe(400);
      const typeOnly = await postToken(identity.url, {
        form: {
          grant_type: 'client_credentials',
          client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
        },
      });
      expect(typeOnly.status).toBe(400);
    });

    it('an assertion over the parameter limit is invalid_request (400)', async () => {
      const response = await postAssertion(identity.url, 'a'.repeat(9000));
      expect(response.status).toBe(400);
      expect(response.json).toMatchObject({ error: 'invalid_request' });
    });

    it('logs the reason for the operator, never the assertion', async () => {
      const assertion = sign(fresh('inline', { aud: 'https://other.example/token' }));
      expectInvalidClient(await postAssertion(identity.url, assertion));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(identity.output()).toContain('assertion claims invalid');
      expect(identity.output()).not.toContain(assertion);
    });
  });

  describe('registration through the admin API', () => {
    it('creates a client with a JWK Set, which then authenticates with private_key_jwt', async () => {
      const token = await adminToken(identity.url);
      const created = await adminRequest(identity.url, token, 'POST', '/admin/clients', {
        clientId: 'managed-pkjwt',
        allowedGrantTypes: ['client_credentials'],
        allowedScopes: ['api1'],
        jwks: { keys: [ed.jwk] },
      });
      rememberSecrets((created.json as { secret?: string }).secret);
      expect(created.status).toBe(201);
      expect((created.json as { jwks: unknown }).jwks).toEqual({ keys: [ed.jwk] });
      const assertion = signJwt(
        { alg: 'EdDSA', kid: ed.kid },
        fresh('managed-pkjwt'),
        ed.privateKey,
      );
      expect((await postAssertion(identity.url, assertion)).status).toBe(200);
    });

    it('creates a client whose generated secret is kept for client_secret_jwt (openid-client)', async () => {
      const token = await adminToken(identity.url);
      const created = await adminRequest(identity.url, token, 'POST', '/admin/clients', {
        clientId: 'managed-secret-jwt',
        allowedGrantTypes: ['client_credentials'],
        allowedScopes: ['api1'],
        secret: { clientSecretJwt: true },
      });
      const { secret } = created.json as { secret: string };
      rememberSecrets(secret);
      expect(created.status).toBe(201);
      const configuration = await client.discovery(
        new URL(identity.url),
        'managed-secret-jwt',
        secret,
        client.ClientSecretJwt(),
        { execute: [client.allowInsecureRequests] },
      );
      configuration[client.customFetch] = rememberingFetch as never;
      const tokens = await client.clientCredentialsGrant(configuration, { scope: 'api1' });
      expect(tokens.scope).toBe('api1');
      // A secret kept only as a hash cannot check an HMAC.
      const hashedOnly = await adminRequest(identity.url, token, 'POST', '/admin/clients', {
        clientId: 'managed-hash-only',
        allowedGrantTypes: ['client_credentials'],
        allowedScopes: ['api1'],
      });
      const plain = (hashedOnly.json as { secret: string }).secret;
      rememberSecrets(plain);
      const assertion = signJwt(
        { alg: 'HS256' },
        fresh('managed-hash-only'),
        Buffer.from(plain, 'utf8'),
      );
      expectInvalidClient(await postAssertion(identity.url, assertion));
    });

    it('refuses a private key, a duplicate kid, and both jwks and jwksUri, naming the path', async () => {
      const token = await adminToken(identity.url);
      const create = (body: Record<string, unknown>) =>
        adminRequest(identity.url, token, 'POST', '/admin/clients', {
          clientId: 'refused',
          allowedGrantTypes: ['client_credentials'],
          allowedScopes: ['api1'],
          ...body,
        });
      const privateJwk = { ...ec.privateKey.export({ format: 'jwk' }), kid: 'leak' };
      rememberSecrets(String(privateJwk.d));
      const leaked = await create({ jwks: { keys: [privateJwk] } });
      expect(leaked.status).toBe(400);
      expect(leaked.text).toContain('keys[0].d: is a private or secret key member');
      expect(leaked.text).not.toContain(String(privateJwk.d));
      const twice = await create({ jwks: { keys: [ec.jwk, { ...rotated.jwk, kid: ec.kid }] } });
      expect(twice.status).toBe(400);
      expect(twice.text).toContain('keys[1].kid');
      const both = await create({ jwks: { keys: [ec.jwk] }, jwksUri: jwksServer.url });
      expect(both.status).toBe(400);
      expect(both.text).toContain('jwksUri');
    });
  });

  describe('jwksUri', () => {
    it('fetches the set once, not again for made-up kids, and again for a rotated key after the cooldown', async () => {
      const rotating = await serveJwks([ec.jwk]);
      const file = writeConfig({
        ...config(jwksServer.url),
        clients: [
          {
            clientId: 'rotating',
            jwksUri: rotating.url,
            allowedGrantTypes: ['client_credentials'],
            allowedScopes: ['api1'],
          },
        ],
      });
      const replica = await startIdentity({ configFile: file });
      const endpoint = `${replica.url}/connect/token`;
      const assertion = (key: { kid: string; privateKey: KeyObject }, kid = key.kid) =>
        signJwt({ alg: 'ES256', kid }, assertionClaims('rotating', endpoint), key.privateKey);
      try {
        expect((await postAssertion(replica.url, assertion(ec))).status).toBe(200);
        expect((await postAssertion(replica.url, assertion(ec))).status).toBe(200);
        expect(rotating.requests).toBe(1);
        // A flood of made-up kids is refused, and the client's server is not asked again.
        for (let i = 0; i < 5; i++)
          expectInvalidClient(await postAssertion(replica.url, assertion(ec, `made-up-${i}`)));
        expect(rotating.requests).toBe(1);
        // The client rotates: its new kid is fetched once the cooldown (10 s) has passed.
        rotating.keys = [rotated.jwk];
        await new Promise((resolve) => setTimeout(resolve, 10_500));
        expect((await postAssertion(replica.url, assertion(rotated))).status).toBe(200);
        expect(rotating.requests).toBe(2);
        // The old key is gone from the set now; the cached set no longer has it.
        expectInvalidClient(await postAssertion(replica.url, assertion(ec)));
      } finally {
        await replica.stop();
        await rotating.close();
      }
    }, 40_000);

    it('refuses an assertion while the jwksUri cannot be read and nothing is cached', async () => {
      const file = writeConfig({
        ...config(jwksServer.url),
        clients: [
          {
            clientId: 'unreachable',
            jwksUri: 'http://127.0.0.1:1/jwks.json',
            allowedGrantTypes: ['client_credentials'],
            allowedScopes: ['api1'],
          },
        ],
      });
      const replica = await startIdentity({ configFile: file });
      try {
        const assertion = signJwt(
          { alg: 'ES256', kid: ec.kid },
          assertionClaims('unreachable', `${replica.url}/connect/token`),
          ec.privateKey,
        );
        expectInvalidClient(await postAssertion(replica.url, assertion));
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(replica.output()).toContain(
          'the JWK Set at http://127.0.0.1:1/jwks.json cannot be read',
        );
        expect(replica.output()).toContain("client's jwks_uri unavailable");
      } finally {
        await replica.stop();
      }
    });
  });

  describe('the replay store is shared by replicas', () => {
    async function twoReplicas(env: Record<string, string>) {
      const file = writeConfig(config(jwksServer.url));
      const a = await startIdentity({ configFile: file, env: { ...environment(), ...env } });
      const b = await startIdentity({ configFile: file, env: { ...environment(), ...env } });
      return [a, b] as const;
    }

    async function replayAcross(a: RunningIdentity, b: RunningIdentity) {
      // Both replicas must accept the same audience: they share one ISSUER.
      const assertion = signJwt(
        { alg: 'ES256', kid: ec.kid },
        assertionClaims('inline', 'https://identity.example'),
        ec.privateKey,
      );
      expect((await postAssertion(a.url, assertion)).status).toBe(200);
      expectInvalidClient(await postAssertion(b.url, assertion));
    }

    it('through PostgreSQL (DATABASE_URL)', async () => {
      let database: TestDatabase | undefined;
      let replicas: readonly RunningIdentity[] = [];
      try {
        database = await createTestDatabase();
        replicas = await twoReplicas({
          DATABASE_URL: database.url,
          ISSUER: 'https://identity.example',
        });
        await replayAcross(replicas[0], replicas[1]);
      } finally {
        await Promise.all(replicas.map((replica) => replica.stop()));
        await database?.drop();
      }
    });

    it('through Redis (REDIS_URL)', async () => {
      const prefix = `e2e-${randomBytes(4).toString('hex')}:`;
      const replicas = await twoReplicas({
        REDIS_URL: `redis://127.0.0.1:6379/0?keyPrefix=${prefix}`,
        ISSUER: 'https://identity.example',
      });
      try {
        await replayAcross(replicas[0], replicas[1]);
      } finally {
        await Promise.all(replicas.map((replica) => replica.stop()));
      }
    });

    it('through the embedded SQLite file, across IDENTITY_WORKERS processes', async () => {
      const workers = await startIdentity({
        configFile: writeConfig(config(jwksServer.url)),
        env: { ...environment(), IDENTITY_WORKERS: '2' },
      });
      try {
        const assertion = signJwt(
          { alg: 'ES256', kid: ec.kid },
          assertionClaims('inline', `${workers.url}/connect/token`),
          ec.privateKey,
        );
        rememberSecrets(assertion);
        // Each on its own connection, so the workers share the presentations; one wins.
        const statuses = await Promise.all(
          Array.from({ length: 8 }, () =>
            fetch(`${workers.url}/connect/token`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
              body: new URLSearchParams({
                grant_type: 'client_credentials',
                client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
                client_assertion: assertion,
              }),
            }).then(async (response) => {
              const body = (await response.json()) as { access_token?: string };
              rememberSecrets(body.access_token);
              return response.status;
            }),
          ),
        );
        expect(statuses.filter((status) => status === 200)).toHaveLength(1);
        expect(statuses.filter((status) => status === 401)).toHaveLength(7);
      } finally {
        await workers.stop();
      }
    });

    it('refuses (503 temporarily_unavailable) when the Redis store cannot answer', async () => {
      const [replica] = [
        await startIdentity({
          configFile: writeConfig(config(jwksServer.url)),
          env: { ...environment(), REDIS_URL: 'redis://127.0.0.1:1/0' },
        }),
      ];
      try {
        const assertion = signJwt(
          { alg: 'ES256', kid: ec.kid },
          assertionClaims('inline', `${replica.url}/connect/token`),
          ec.privateKey,
        );
        const response = await postAssertion(replica.url, assertion);
        expect(response.status).toBe(503);
        expect(response.json).toMatchObject({ error: 'temporarily_unavailable' });
      } finally {
        await replica.stop();
      }
    });
  });

  describe('the client lock-out counts assertion failures', () => {
    it('locks the client id out after repeated bad assertions (429), even for a good one', async () => {
      const locked = await startIdentity({
        configFile: writeConfig(config(jwksServer.url)),
        env: { ...environment(), RATE_LIMIT: 'on', IDENTITY_LOCKOUT_THRESHOLD: '3' },
      });
      try {
        const endpoint = `${locked.url}/connect/token`;
        // With the throttles on, an unreadable assertion is refused the same way (never a 5xx).
        expectInvalidClient(await postAssertion(locked.url, 'garbage'));
        for (let i = 0; i < 3; i++) {
          const bad = signJwt(
            { alg: 'ES256', kid: ec.kid },
            assertionClaims('inline', endpoint),
            rotated.privateKey,
          );
          expectInvalidClient(await postAssertion(locked.url, bad));
        }
        const good = signJwt(
          { alg: 'ES256', kid: ec.kid },
          assertionClaims('inline', endpoint),
          ec.privateKey,
        );
        const response = await postAssertion(locked.url, good);
        expect(response.status).toBe(429);
      } finally {
        await locked.stop();
      }
    });
  });
});
