import Database from 'better-sqlite3';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { join } from 'node:path';
import {
  DISCOVERY_PATH,
  accessTokenClaims,
  basicAuthorization,
  createTestDatabase,
  decodeJwt,
  getJson,
  keyForToken,
  postToken,
  queryTestDatabase,
  rememberSecrets,
  signRs256,
  startIdentity,
  startTcpProxy,
  throughProxy,
  writeConfig,
  hashSecret,
  type Credentials,
  type RunningIdentity,
  type TcpProxy,
  type TokenResponseBody,
  type WireResponse,
  readWire,
} from '../support';

type OpenIdClient = typeof import('openid-client');
type OAuth4WebApi = typeof import('oauth4webapi');

// Issue 7 §1: reference tokens, introspection (RFC 7662, RFC 9701 signed answers) and
// revocation (RFC 7009), against a real identity on SQLite and on PostgreSQL, on the wire and
// through oauth4webapi and openid-client.

const INTROSPECT_PATH = '/connect/introspect';
const REVOKE_PATH = '/connect/revocation';
const JWT_RESPONSE = 'application/token-introspection+jwt';

/** The API resources' introspection credentials (their apiSecrets), by name. */
const api1: Credentials = { id: 'api1', secret: 'api1 introspection secret' };
const api2: Credentials = { id: 'api2', secret: 'api2 introspection secret' };
const api1Expired: Credentials = { id: 'api1', secret: 'api1 retired introspection secret' };

const reference: Credentials = { id: 'reference-client', secret: 'reference-client-secret' };
const otherReference: Credentials = { id: 'other-reference', secret: 'other-reference-secret' };
const jwtClient: Credentials = { id: 'jwt-client', secret: 'jwt-client-secret' };
const shortReference: Credentials = { id: 'short-reference', secret: 'short-reference-secret' };
const shortJwt: Credentials = { id: 'short-jwt', secret: 'short-jwt-secret' };
rememberSecrets(
  ...[api1, api2, api1Expired, reference, otherReference, jwtClient, shortReference, shortJwt].map(
    (credentials) => credentials.secret,
  ),
);

function clientDefinition(
  { id, secret }: Credentials,
  options: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    clientId: id,
    clientSecrets: [{ value: hashSecret(secret) }],
    allowedGrantTypes: ['client_credentials'],
    allowedScopes: ['api1'],
    ...options,
  };
}

const config = {
  apiScopes: [{ name: 'api1' }, { name: 'api2' }],
  apiResources: [
    {
      name: 'api1',
      scopes: ['api1'],
      apiSecrets: [
        { value: hashSecret(api1.secret) },
        { value: hashSecret(api1Expired.secret), expiration: '2020-01-01T00:00:00Z' },
      ],
    },
    { name: 'api2', scopes: ['api2'], apiSecrets: [{ value: hashSecret(api2.secret) }] },
  ],
  clients: [
    clientDefinition(reference, {
      accessTokenType: 'reference',
      allowedScopes: ['api1', 'api2'],
      claims: [{ type: 'tenant', value: 'acme' }],
    }),
    clientDefinition(otherReference, { accessTokenType: 'reference' }),
    clientDefinition(jwtClient, { allowedScopes: ['api1', 'api2'] }),
    clientDefinition(shortReference, { accessTokenType: 'reference', accessTokenLifetime: 3 }),
    clientDefinition(shortJwt, { accessTokenLifetime: 3 }),
  ],
};

interface FormOptions {
  form?: Record<string, string> | [string, string][];
  basic?: Credentials;
  post?: Credentials;
  headers?: Record<string, string>;
  body?: string;
  contentType?: string;
}

/** POST to `path` with exactly these options; every credential and token is remembered. */
async function postForm(
  baseUrl: string,
  path: string,
  options: FormOptions,
): Promise<WireResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.basic) headers.authorization = basicAuthorization(options.basic);
  const form = new URLSearchParams(options.form ?? {});
  if (options.post) {
    form.append('client_id', options.post.id);
    form.append('client_secret', options.post.secret);
  }
  headers['content-type'] = options.contentType ?? 'application/x-www-form-urlencoded';
  rememberSecrets(
    headers.authorization?.replace(/^basic /i, ''),
    ...form.getAll('token'),
    options.body,
  );
  return readWire(
    await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers,
      body: options.body ?? form.toString(),
    }),
  );
}

async function issue(
  baseUrl: string,
  client: Credentials,
  scope?: string,
): Promise<TokenResponseBody> {
  const response = await postToken(baseUrl, {
    form: { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
    basic: client,
  });
  expect(response.status).toBe(200);
  return response.json as TokenResponseBody;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(['sqlite', 'postgres'] as const)(
  'reference tokens, introspection and revocation on %s',
  (store) => {
    let identity: RunningIdentity;
    let databaseUrl: string | undefined;
    let baseUrl: string;

    beforeAll(async () => {
      databaseUrl = store === 'postgres' ? (await createTestDatabase()).url : undefined;
      identity = await startIdentity({
        configFile: writeConfig(config),
        env: { DATABASE_URL: databaseUrl },
      });
      baseUrl = identity.url;
    });
    afterAll(() => identity?.stop());

    /** The stored rows of a table, whichever store the identity uses. */
    async function rows(table: string): Promise<Record<string, unknown>[]> {
      if (databaseUrl) return queryTestDatabase(databaseUrl, `SELECT * FROM ${table}`);
      const db = new Database(join(identity.dataDir, 'identity.sqlite'), { readonly: true });
      try {
        return db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    }

    const introspect = (token: string, options: FormOptions = { basic: api1 }) =>
      postForm(baseUrl, INTROSPECT_PATH, {
        ...options,
        form: { token, ...(options.form as Record<string, string> | undefined) },
      });
    const revoke = (token: string, client: Credentials, form: Record<string, string> = {}) =>
      postForm(baseUrl, REVOKE_PATH, { basic: client, form: { token, ...form } });

    function expectInactive(response: WireResponse): void {
      expect([response.status, response.text]).toEqual([200, '{"active":false}']);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }

    function expectError(response: WireResponse, status: number, error: string): void {
      expect(response.status).toBe(status);
      expect(response.json).toEqual({ error, error_description: expect.any(String) });
      expect(response.headers.get('cache-control')).toBe('no-store');
    }

    describe('discovery', () => {
      it('advertises both endpoints, their authentication methods and the signing algorithms', async () => {
        const { json } = await getJson(`${baseUrl}${DISCOVERY_PATH}`);
        const document = json as Record<string, unknown>;

        expect(document).toMatchObject({
          introspection_endpoint: `${baseUrl}${INTROSPECT_PATH}`,
          revocation_endpoint: `${baseUrl}${REVOKE_PATH}`,
          introspection_signing_alg_values_supported: ['RS256'],
        });
        for (const field of [
          'introspection_endpoint_auth_methods_supported',
          'revocation_endpoint_auth_methods_supported',
        ]) {
          expect(document[field]).toEqual(document.token_endpoint_auth_methods_supported);
        }
      });
    });

    describe('issuing', () => {
      it('gives a reference client an opaque 256-bit handle, and stores only its SHA-256', async () => {
        const issued = await issue(baseUrl, reference, 'api1');

        expect(issued).toEqual({
          access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
          token_type: 'Bearer',
          expires_in: 3600,
          scope: 'api1',
        });
        expect(Buffer.from(issued.access_token, 'base64url')).toHaveLength(32);
        const stored = await rows('identity_reference_tokens');
        expect(JSON.stringify(stored)).not.toContain(issued.access_token);
        const hash = createHash('sha256').update(issued.access_token).digest('base64url');
        const row = stored.find((candidate) => candidate.handle_hash === hash);
        expect(row).toMatchObject({ client_id: reference.id });
        expect(JSON.parse(row!.claims as string)).toMatchObject({ sub: reference.id, aud: 'api1' });
      });

      it('still gives a jwt client an RFC 9068 JWT', async () => {
        const issued = await issue(baseUrl, jwtClient, 'api1');

        expect(decodeJwt(issued.access_token).header.typ).toBe('at+jwt');
      });
    });

    describe('introspection (RFC 7662)', () => {
      it('answers an API resource with the claims of a reference token for it', async () => {
        const { access_token: token } = await issue(baseUrl, reference, 'api1');

        const response = await introspect(token);

        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(response.headers.get('cache-control')).toBe('no-store');
        const body = response.json as Record<string, number>;
        expect(body).toEqual({
          active: true,
          tenant: 'acme',
          iss: baseUrl,
          sub: reference.id,
          client_id: reference.id,
          aud: 'api1',
          scope: 'api1',
          iat: expect.any(Number),
          nbf: body.iat,
          exp: body.iat + 3600,
          jti: expect.any(String),
          token_type: 'Bearer',
        });
        expect(Object.keys(body)[0]).toBe('active');
      });

      it('answers the same with client_secret_post', async () => {
        const { access_token: token } = await issue(baseUrl, reference, 'api1');

        expect((await introspect(token, { post: api1 })).json).toMatchObject({
          active: true,
          client_id: reference.id,
        });
      });

      it("answers our own JWTs too: signature, iss, exp, the payload's claims", async () => {
        const { access_token: token } = await issue(baseUrl, jwtClient, 'api1 api2');

        const response = await introspect(token, { basic: api2 });

        expect(response.json).toEqual({
          active: true,
          ...decodeJwt(token).payload,
          token_type: 'Bearer',
        });
      });

      it('is inactive to an API resource the token is not for', async () => {
        const { access_token: handle } = await issue(baseUrl, reference, 'api1');
        const { access_token: jwt } = await issue(baseUrl, jwtClient, 'api1');

        expectInactive(await introspect(handle, { basic: api2 }));
        expectInactive(await introspect(jwt, { basic: api2 }));
      });

      it('answers a client about its own tokens only', async () => {
        const { access_token: token } = await issue(baseUrl, reference, 'api1');

        expect((await introspect(token, { basic: reference })).json).toMatchObject({
          active: true,
        });
        expectInactive(await introspect(token, { basic: otherReference }));
        expectInactive(await introspect(token, { post: jwtClient }));
      });

      it('is inactive for anything unknown, malformed, tampered with or forged', async () => {
        const { access_token: jwt } = await issue(baseUrl, jwtClient, 'api1');
        const [header, , signature] = jwt.split('.');
        const forgedPayload = Buffer.from(
          JSON.stringify({ ...decodeJwt(jwt).payload, scope: 'api1 api2' }),
        ).toString('base64url');
        const { kid } = decodeJwt(jwt).header;
        const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

        for (const token of [
          createHash('sha256').update('unknown').digest('base64url'),
          'not a token',
          'a.b.c',
          `${header}.${forgedPayload}.${signature}`,
          signRs256({ typ: 'at+jwt', kid }, accessTokenClaims(baseUrl), foreignKey),
          jwt.slice(0, -2),
        ]) {
          expectInactive(await introspect(token));
        }
      });

      it('is inactive once a token has expired, reference or JWT', async () => {
        const { access_token: handle } = await issue(baseUrl, shortReference, 'api1');
        const { access_token: jwt } = await issue(baseUrl, shortJwt, 'api1');
        // exp is whole seconds: a 3 s lifetime leaves at least 2 s to see the token active.
        expect((await introspect(handle)).json).toMatchObject({ active: true });

        await sleep(4100);

        expectInactive(await introspect(handle));
        expectInactive(await introspect(jwt));
      });

      it('ignores token_type_hint, whatever it says', async () => {
        const { access_token: token } = await issue(baseUrl, reference, 'api1');

        for (const hint of ['access_token', 'refresh_token', 'something_else']) {
          expect(
            (await introspect(token, { basic: api1, form: { token_type_hint: hint } })).json,
          ).toMatchObject({ active: true });
        }
      });

      it('refuses an unauthenticated caller with 401 invalid_client', async () => {
        const { access_token: token } = await issue(baseUrl, reference, 'api1');

        const none = await introspect(token, {});
        expectError(none, 401, 'invalid_client');
        expect(none.headers.get('www-authenticate')).toBeNull();

        for (const basic of [
          { id: 'api1', secret: 'wrong' },
          api1Expired,
          { id: 'nobody', secret: 'wrong' },
          { id: reference.id, secret: 'wrong' },
        ]) {
          const response = await introspect(token, { basic });
          expectError(response, 401, 'invalid_client');
          expect(response.headers.get('www-authenticate')).toBe(`Basic realm="${baseUrl}"`);
        }
        expectError(
          await introspect(token, { post: { id: 'api2', secret: 'wrong' } }),
          401,
          'invalid_client',
        );
        // An unreadable assertion that names no caller is refused like any other (never a 5xx).
        const unreadable = await introspect(token, {
          form: {
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: 'not-a-jwt',
          },
        });
        expectError(unreadable, 401, 'invalid_client');
        expect(unreadable.headers.get('www-authenticate')).toBeNull();
      });

      it('refuses a malformed request with 400 invalid_request', async () => {
        expectError(
          await postForm(baseUrl, INTROSPECT_PATH, { basic: api1, form: {} }),
          400,
          'invalid_request',
        );
        expectError(
          await postForm(baseUrl, INTROSPECT_PATH, {
            basic: api1,
            form: [
              ['token', 'one-token-value'],
              ['token', 'two-token-value'],
            ],
          }),
          400,
          'invalid_request',
        );
        expectError(
          await postForm(baseUrl, INTROSPECT_PATH, {
            basic: api1,
            body: JSON.stringify({ token: 'json-token-value' }),
            contentType: 'application/json',
          }),
          400,
          'invalid_request',
        );
        expectError(
          await postForm(baseUrl, INTROSPECT_PATH, {
            basic: api1,
            post: api1,
            form: { token: 'a-token-value' },
          }),
          400,
          'invalid_request',
        );
      });
    });

    describe('signed introspection responses (RFC 9701)', () => {
      async function verifiedJwtResponse(token: string, caller: Credentials) {
        const response = await introspect(token, {
          basic: caller,
          headers: { accept: JWT_RESPONSE },
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe(JWT_RESPONSE);
        expect(response.headers.get('cache-control')).toBe('no-store');
        rememberSecrets(response.text);
        const jwk = await keyForToken(baseUrl, response.text);
        const { header, payload, signingInput, signature } = decodeJwt(response.text);
        expect(
          verify(
            'sha256',
            Buffer.from(signingInput),
            createPublicKey({ key: jwk, format: 'jwk' }),
            signature,
          ),
        ).toBe(true);
        return { header, payload };
      }

      it('signs {iss, aud: the caller, iat, token_introspection} with the active key', async () => {
        const { access_token: token } = await issue(baseUrl, reference, 'api1');
        const plain = (await introspect(token)).json as Record<string, unknown>;

        const { header, payload } = await verifiedJwtResponse(token, api1);

        expect(header).toEqual({
          alg: 'RS256',
          typ: 'token-introspection+jwt',
          kid: expect.any(String),
        });
        expect(payload).toEqual({
          iss: baseUrl,
          aud: 'api1',
          iat: expect.any(Number),
          token_introspection: plain,
        });
      });

      it('signs the inactive answer too, addressed to the calling client', async () => {
        const { access_token: token } = await issue(baseUrl, reference, 'api1');

        const { payload } = await verifiedJwtResponse(token, otherReference);

        expect(payload).toMatchObject({
          aud: otherReference.id,
          token_introspection: { active: false },
        });
      });

      it('keeps errors as JSON', async () => {
        const response = await introspect('whatever-token', {
          basic: { id: 'api1', secret: 'wrong' },
          headers: { accept: JWT_RESPONSE },
        });

        expectError(response, 401, 'invalid_client');
      });
    });

    describe('revocation (RFC 7009)', () => {
      it('revokes a reference token of the calling client: its row goes, it is inactive', async () => {
        const { access_token: token } = await issue(baseUrl, reference, 'api1');
        const hash = createHash('sha256').update(token).digest('base64url');

        const response = await revoke(token, reference);

        expect([response.status, response.text]).toEqual([200, '']);
        expect(response.headers.get('cache-control')).toBe('no-store');
        expectInactive(await introspect(token));
        expect(
          (await rows('identity_reference_tokens')).map((row) => row.handle_hash),
        ).not.toContain(hash);
      });

      it('revokes a JWT of the calling client by its jti, until its exp', async () => {
        const { access_token: token } = await issue(baseUrl, jwtClient, 'api1');
        const { jti, exp } = decodeJwt(token).payload as { jti: string; exp: number };

        expect((await revoke(token, jwtClient, { token_type_hint: 'access_token' })).status).toBe(
          200,
        );

        expectInactive(await introspect(token));
        const denied = (await rows('identity_revoked_tokens')).find((row) => row.jti === jti);
        expect(Number(denied?.expires_at)).toBe(exp * 1000);
        // Revoking again changes nothing and still answers 200.
        expect((await revoke(token, jwtClient)).status).toBe(200);
      });

      it("answers 200 but revokes nothing for another client's token", async () => {
        const { access_token: handle } = await issue(baseUrl, reference, 'api1');
        const { access_token: jwt } = await issue(baseUrl, jwtClient, 'api1');

        expect((await revoke(handle, otherReference)).status).toBe(200);
        expect((await revoke(jwt, reference)).status).toBe(200);

        expect((await introspect(handle)).json).toMatchObject({ active: true });
        expect((await introspect(jwt)).json).toMatchObject({ active: true });
      });

      it('answers 200 for unknown, malformed and foreign tokens (§2.2)', async () => {
        for (const token of [
          createHash('sha256').update('nothing').digest('base64url'),
          'garbage',
          signRs256(
            { typ: 'at+jwt' },
            accessTokenClaims(baseUrl),
            generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
          ),
        ]) {
          const response = await revoke(token, reference);
          expect([response.status, response.text]).toEqual([200, '']);
        }
      });

      it('ignores a token_type_hint it does not know (§2.1), and revokes all the same', async () => {
        const { access_token: token } = await issue(baseUrl, reference, 'api1');

        for (const hint of ['refresh_token', 'id_token']) {
          expect((await revoke(token, reference, { token_type_hint: hint })).status).toBe(200);
        }
        expectInactive(await introspect(token));
      });

      it('refuses an unauthenticated caller (401 invalid_client), API resources included', async () => {
        const { access_token: token } = await issue(baseUrl, reference, 'api1');

        expectError(
          await postForm(baseUrl, REVOKE_PATH, { form: { token } }),
          401,
          'invalid_client',
        );
        expectError(
          await revoke(token, { id: reference.id, secret: 'wrong' }),
          401,
          'invalid_client',
        );
        // Resources introspect; only the client a token was issued to revokes it.
        expectError(await revoke(token, api1), 401, 'invalid_client');
        expect((await introspect(token)).json).toMatchObject({ active: true });
      });

      it('refuses a request without token with 400 invalid_request', async () => {
        expectError(
          await postForm(baseUrl, REVOKE_PATH, { basic: reference, form: {} }),
          400,
          'invalid_request',
        );
      });
    });

    describe('interoperability', () => {
      let oauth: OAuth4WebApi;
      let openid: OpenIdClient;
      let as: Awaited<ReturnType<OAuth4WebApi['processDiscoveryResponse']>>;
      const insecure = () => ({ [oauth.allowInsecureRequests]: true }) as const;

      beforeAll(async () => {
        [oauth, openid] = await Promise.all([import('oauth4webapi'), import('openid-client')]);
        const issuer = new URL(baseUrl);
        as = await oauth.processDiscoveryResponse(
          issuer,
          await oauth.discoveryRequest(issuer, insecure()),
        );
      });

      it('oauth4webapi introspects as an API resource, JSON and signed (RFC 9701)', async () => {
        const { access_token: token } = await issue(baseUrl, reference, 'api1');
        rememberSecrets(token);

        const json = await oauth.processIntrospectionResponse(
          as,
          { client_id: api1.id },
          await oauth.introspectionRequest(
            as,
            { client_id: api1.id },
            oauth.ClientSecretBasic(api1.secret),
            token,
            insecure(),
          ),
        );
        expect(json).toMatchObject({
          active: true,
          client_id: reference.id,
          aud: 'api1',
          token_type: 'Bearer',
        });

        const signedResponse = await oauth.introspectionRequest(
          as,
          { client_id: api1.id },
          oauth.ClientSecretPost(api1.secret),
          token,
          { ...insecure(), requestJwtResponse: true },
        );
        const signed = await oauth.processIntrospectionResponse(
          as,
          { client_id: api1.id },
          signedResponse,
        );
        await oauth.validateApplicationLevelSignature(as, signedResponse, insecure());
        expect(signed).toEqual(json);
      });

      it('oauth4webapi revokes, and then introspection says inactive', async () => {
        const { access_token: token } = await issue(baseUrl, jwtClient, 'api1');
        rememberSecrets(token);
        const client = { client_id: jwtClient.id };

        await oauth.processRevocationResponse(
          await oauth.revocationRequest(
            as,
            client,
            oauth.ClientSecretBasic(jwtClient.secret),
            token,
            insecure(),
          ),
        );

        const after = await oauth.processIntrospectionResponse(
          as,
          client,
          await oauth.introspectionRequest(
            as,
            client,
            oauth.ClientSecretBasic(jwtClient.secret),
            token,
            insecure(),
          ),
        );
        expect(after).toEqual({ active: false });
      });

      it('oauth4webapi surfaces invalid_client at both endpoints', async () => {
        const client = { client_id: reference.id };
        const auth = oauth.ClientSecretPost('wrong');
        await expect(
          oauth.processIntrospectionResponse(
            as,
            client,
            await oauth.introspectionRequest(as, client, auth, 'a-token-value', insecure()),
          ),
        ).rejects.toMatchObject({ error: 'invalid_client', status: 401 });
        await expect(
          oauth.processRevocationResponse(
            await oauth.revocationRequest(as, client, auth, 'a-token-value', insecure()),
          ),
        ).rejects.toMatchObject({ error: 'invalid_client', status: 401 });
      });

      it('openid-client introspects and revokes a reference token', async () => {
        const discover = (credentials: Credentials) =>
          openid.discovery(
            new URL(baseUrl),
            credentials.id,
            credentials.secret,
            openid.ClientSecretBasic(),
            {
              execute: [openid.allowInsecureRequests],
            },
          );
        const [asResource, asClient] = await Promise.all([discover(api1), discover(reference)]);
        const { access_token: token } = await issue(baseUrl, reference, 'api1');
        rememberSecrets(token);

        expect(await openid.tokenIntrospection(asResource, token)).toMatchObject({
          active: true,
          sub: reference.id,
          tenant: 'acme',
        });
        await openid.tokenRevocation(asClient, token, { token_type_hint: 'access_token' });
        expect(await openid.tokenIntrospection(asResource, token)).toEqual({ active: false });
      });
    });
  },
);

// A store that cannot answer a security check refuses: an outage must never turn a revoked token
// active again, nor a live one inactive.
describe('PostgreSQL out of reach: introspection and revocation refuse, never guess', () => {
  let proxy: TcpProxy;
  let identity: RunningIdentity;
  let handle: string;
  let jwt: string;

  beforeAll(async () => {
    const database = await createTestDatabase();
    const { hostname, port } = new URL(database.url);
    proxy = await startTcpProxy({ host: hostname, port: Number(port || 5432) });
    identity = await startIdentity({
      configFile: writeConfig(config),
      env: { DATABASE_URL: throughProxy(database.url, proxy) },
    });
    handle = (await issue(identity.url, reference, 'api1')).access_token;
    jwt = (await issue(identity.url, jwtClient, 'api1')).access_token;
    await proxy.refuse();
  });
  afterAll(async () => {
    await proxy?.restore();
    await identity?.stop();
    await proxy?.close();
  });

  function expectUnavailable(response: WireResponse): void {
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.json).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'the authority cannot reach its store; try again shortly',
    });
  }

  it('answers introspection of either kind of token with 503, not active:false', async () => {
    for (const token of [handle, jwt]) {
      expectUnavailable(
        await postForm(identity.url, INTROSPECT_PATH, { basic: api1, form: { token } }),
      );
    }
  });

  it('answers revocation with 503: the client must retry, the token is not revoked yet', async () => {
    expectUnavailable(
      await postForm(identity.url, REVOKE_PATH, { basic: reference, form: { token: handle } }),
    );
  });

  it('cannot issue reference tokens (503), and keeps issuing JWTs', async () => {
    expectUnavailable(
      await postToken(identity.url, {
        form: { grant_type: 'client_credentials' },
        basic: reference,
      }),
    );
    expect((await issue(identity.url, jwtClient, 'api1')).access_token).toContain('.');
  });

  it('answers again once the database is back', async () => {
    await proxy.restore();

    const response = await postForm(identity.url, INTROSPECT_PATH, {
      basic: api1,
      form: { token: handle },
    });
    expect(response.json).toMatchObject({ active: true, client_id: reference.id });
  });
});
