import { createHash } from 'node:crypto';
import { adminApiConfig, adminClient, readerClient } from './admin/admin-api.fixture';
import { hashSecret } from './clients/secret-hash';
import { aDPoPKey, aDPoPProof } from './dpop/dpop-proof.fixture';
import { basic } from './http/oauth-form.fixture';
import { mountIdentity, type HostAdapter, type MountedIdentity } from './mounted-identity.fixture';

const ISSUER = 'https://id.example.test';
const FORM = 'application/x-www-form-urlencoded';

const config = () => {
  const base = adminApiConfig({ withReader: true });
  return {
    ...base,
    apiResources: [
      { name: 'api1', scopes: ['api1'], apiSecrets: [{ value: hashSecret('api1-secret') }] },
    ],
  };
};

// A host app's own Nest app, on either adapter, with Nest's default body parsers: the authority
// mounted in it answers as the standalone server does (docs/reference.md).
describe.each<HostAdapter>(['express', 'fastify'])('the authority mounted on %s', (adapter) => {
  let identity: MountedIdentity;

  beforeAll(async () => {
    identity = await mountIdentity(adapter, config(), ISSUER);
  });
  afterAll(() => identity.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${identity.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': FORM, ...headers },
      body,
    });
  const token = (body: string, headers: Record<string, string> = {}) =>
    post('/connect/token', body, headers);
  const accessToken = async (client: { id: string; secret: string }) => {
    const response = await token('grant_type=client_credentials', {
      authorization: basic(client.id, client.secret),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  };

  async function expectOAuthError(
    response: Response,
    status: number,
    body: { error: string; error_description?: string },
  ): Promise<void> {
    expect({ status: response.status, body: await response.json() }).toEqual({ status, body });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
  }

  describe('discovery and keys', () => {
    it('serves the metadata document with the issuer', async () => {
      const response = await fetch(`${identity.url}/.well-known/openid-configuration`);
      expect(response.status).toBe(200);
      const metadata = (await response.json()) as Record<string, unknown>;
      expect(metadata).toMatchObject({
        issuer: ISSUER,
        token_endpoint: `${ISSUER}/connect/token`,
        jwks_uri: `${ISSUER}/.well-known/openid-configuration/jwks`,
      });
    });

    it('serves the public signing keys, never a private member', async () => {
      const response = await fetch(`${identity.url}/.well-known/openid-configuration/jwks`);
      expect(response.status).toBe(200);
      const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        expect(key).toMatchObject({ use: 'sig', alg: 'RS256', kid: expect.any(String) });
        expect(key).not.toHaveProperty('d');
      }
    });
  });

  describe('the token endpoint', () => {
    it('issues a token to client_secret_basic, not to be cached', async () => {
      const response = await token('grant_type=client_credentials&scope=api1', {
        authorization: basic(readerClient.id, readerClient.secret),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'api1',
      });
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
    });

    it('issues a token to client_secret_post', async () => {
      const response = await token(
        `grant_type=client_credentials&client_id=${readerClient.id}&client_secret=${readerClient.secret}`,
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ token_type: 'Bearer', scope: 'api1' });
    });

    it('refuses a repeated parameter (RFC 6749 §3.2)', async () => {
      await expectOAuthError(
        await token('grant_type=client_credentials&scope=api1&scope=api1', {
          authorization: basic(readerClient.id, readerClient.secret),
        }),
        400,
        { error: 'invalid_request', error_description: 'the parameter scope is repeated' },
      );
    });

    it.each([
      ['application/json', JSON.stringify({ grant_type: 'client_credentials' })],
      ['text/plain', 'grant_type=client_credentials'],
    ])('refuses a body of type %s', async (contentType, body) => {
      await expectOAuthError(
        await token(body, {
          'content-type': contentType,
          authorization: basic(readerClient.id, readerClient.secret),
        }),
        400,
        {
          error: 'invalid_request',
          error_description: 'the request body must be application/x-www-form-urlencoded',
        },
      );
    });

    it('answers a bad client with 401 invalid_client, challenged in Basic when Basic was tried', async () => {
      const response = await token('grant_type=client_credentials', {
        authorization: basic(readerClient.id, 'wrong'),
      });
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      await expectOAuthError(response, 401, {
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
    });

    it('answers a bad client_secret_post with 401 invalid_client and no challenge', async () => {
      const response = await token(
        `grant_type=client_credentials&client_id=${readerClient.id}&client_secret=wrong`,
      );
      expect(response.headers.get('www-authenticate')).toBeNull();
      await expectOAuthError(response, 401, {
        error: 'invalid_client',
        error_description: 'client authentication failed',
      });
    });

    it("reads a bracketed name as the host's parser makes it", async () => {
      const response = await token('grant_type=client_credentials&scope[x]=api1', {
        authorization: basic(readerClient.id, readerClient.secret),
      });
      if (adapter === 'express') {
        // body-parser's qs makes `scope` an object: refused, naming it, never echoing the value.
        await expectOAuthError(response, 400, {
          error: 'invalid_request',
          error_description: 'the parameter scope is malformed',
        });
      } else {
        // Nest's Fastify parser keeps the name `scope[x]`: an unknown parameter, ignored.
        expect(response.status).toBe(200);
      }
    });

    it('binds a token to a DPoP proof of the issuer URL, after a nonce round trip', async () => {
      const key = aDPoPKey();
      const proof = (nonce?: string) =>
        aDPoPProof(key, { htu: `${ISSUER}/connect/token`, htm: 'POST', nonce });
      const authorization = basic(readerClient.id, readerClient.secret);
      const first = await token('grant_type=client_credentials', { authorization, dpop: proof() });
      const nonce = first.headers.get('dpop-nonce');
      expect(nonce).toEqual(expect.any(String));
      await expectOAuthError(first, 400, {
        error: 'use_dpop_nonce',
        error_description: expect.any(String) as string,
      });
      const second = await token('grant_type=client_credentials', {
        authorization,
        dpop: proof(nonce!),
      });
      expect(second.status).toBe(200);
      expect(await second.json()).toMatchObject({ token_type: 'DPoP' });
      expect(second.headers.get('dpop-nonce')).toEqual(expect.any(String));
    });

    it('refuses a DPoP proof for another URL', async () => {
      const key = aDPoPKey();
      const response = await token('grant_type=client_credentials', {
        authorization: basic(readerClient.id, readerClient.secret),
        dpop: aDPoPProof(key, { htu: `${identity.url}/connect/token`, htm: 'POST' }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_dpop_proof' });
    });
  });

  describe('introspection and revocation', () => {
    it('tells the API resource about a token for it, and revocation ends it', async () => {
      const issued = await accessToken(readerClient);
      const introspect = () =>
        post('/connect/introspect', `token=${issued}`, {
          authorization: basic('api1', 'api1-secret'),
        });
      const before = await introspect();
      expect(before.status).toBe(200);
      expect(before.headers.get('cache-control')).toBe('no-store');
      expect(await before.json()).toMatchObject({ active: true, client_id: readerClient.id });

      const revoked = await post('/connect/revocation', `token=${issued}`, {
        authorization: basic(readerClient.id, readerClient.secret),
      });
      expect(revoked.status).toBe(200);
      expect(revoked.headers.get('cache-control')).toBe('no-store');
      expect(await (await introspect()).json()).toEqual({ active: false });
    });

    it('refuses a repeated token parameter', async () => {
      await expectOAuthError(
        await post('/connect/introspect', 'token=a&token=b', {
          authorization: basic('api1', 'api1-secret'),
        }),
        400,
        { error: 'invalid_request', error_description: 'the parameter token is repeated' },
      );
    });
  });

  describe('the admin API', () => {
    const admin = async (method: string, path: string, init: RequestInit = {}) =>
      fetch(`${identity.url}${path}`, {
        method,
        ...init,
        headers: {
          authorization: `Bearer ${await accessToken(adminClient)}`,
          ...(init.headers as Record<string, string>),
        },
      });

    it('creates a client from a JSON body', async () => {
      const response = await admin('POST', '/admin/clients', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          clientId: `made-on-${adapter}`,
          allowedGrantTypes: ['client_credentials'],
          allowedScopes: ['api1'],
        }),
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('location')).toBe(`/admin/clients/made-on-${adapter}`);
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it("answers malformed JSON with a 4xx (the host's parser refuses it)", async () => {
      const response = await admin('POST', '/admin/clients', {
        headers: { 'content-type': 'application/json' },
        body: '{"clientId":',
      });
      expect(response.status).toBe(400);
    });

    it('refuses a body nested deeper than the bound, once the host parsed it', async () => {
      const response = await admin('POST', '/admin/clients', {
        headers: { 'content-type': 'application/json' },
        body: `{"clientId":"deep","claims":${'['.repeat(40)}${']'.repeat(40)}}`,
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toMatchObject({
        type: 'urn:nest-identity:problem:invalid-input',
        status: 400,
        detail: 'the request body nests arrays and objects deeper than 32 levels',
      });
    });

    it('refuses another media type with 415', async () => {
      const response = await admin('POST', '/admin/clients', {
        headers: { 'content-type': 'text/plain' },
        body: 'clientId=x',
      });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({
        type: 'urn:nest-identity:problem:unsupported-media-type',
      });
    });

    it('answers a call without a token with a problem and a Bearer challenge', async () => {
      const response = await fetch(`${identity.url}/admin/clients`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
    });

    it('accepts a DPoP-bound admin token with a proof of the path called (htu)', async () => {
      const key = aDPoPKey();
      const tokenProof = (nonce?: string) =>
        aDPoPProof(key, { htu: `${ISSUER}/connect/token`, htm: 'POST', nonce });
      const authorization = basic(adminClient.id, adminClient.secret);
      const nonce = (
        await token('grant_type=client_credentials', { authorization, dpop: tokenProof() })
      ).headers.get('dpop-nonce')!;
      const issued = await token('grant_type=client_credentials', {
        authorization,
        dpop: tokenProof(nonce),
      });
      const { access_token: bound } = (await issued.json()) as { access_token: string };
      const ath = createHash('sha256').update(bound).digest('base64url');
      const call = (htu: string) =>
        fetch(`${identity.url}/admin/clients?x=1`, {
          headers: {
            authorization: `DPoP ${bound}`,
            dpop: aDPoPProof(key, { htu, htm: 'GET', ath }),
          },
        });
      expect((await call(`${ISSUER}/admin/clients`)).status).toBe(200);
      const wrong = await call(`${ISSUER}/admin/keys`);
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toMatch(/^DPoP /);
    });
  });
});
