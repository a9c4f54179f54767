import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { generateKeyPairSync } from 'node:crypto';
import { hashSecret } from '../clients/secret-hash';
import { adminApiConfig, adminClient, readerClient } from './admin-api.fixture';
import { startInProcessIdentity, type InProcessIdentity } from '../identity-app.fixture';
import { signJws } from '../keys/jws';
import { SigningKeyStore } from '../keys/signing-key-store';

const ISSUER = 'http://identity.test';
const admin = adminClient;
const reader = readerClient;

const config = adminApiConfig({ withReader: true });

const PROBLEM = 'application/problem+json; charset=utf-8';

describe('the admin API /admin/clients', () => {
  let app: NestFastifyApplication;
  let identity: InProcessIdentity;
  let adminToken: string;

  beforeAll(async () => {
    identity = await startInProcessIdentity(config, ISSUER);
    app = identity.app;
    adminToken = await tokenFor(admin.id, admin.secret);
  });

  afterAll(() => identity?.close());

  async function oauthForm(clientId: string, secret: string, scope?: string) {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope) form.set('scope', scope);
    const response = await app.inject({
      method: 'POST',
      url: '/connect/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuthorization(clientId, secret),
      },
      payload: form.toString(),
    });
    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  }

  async function tokenFor(clientId: string, secret: string, scope?: string): Promise<string> {
    const { status, body } = await oauthForm(clientId, secret, scope);
    expect({ status, body }).toMatchObject({ status: 200 });
    return body.access_token as string;
  }

  function call(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    token: string | null = adminToken,
  ) {
    return app.inject({
      method,
      url,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  }

  describe('authentication with our own tokens', () => {
    it('answers 401 with a bare Bearer challenge without a token', async () => {
      const response = await call('GET', '/admin/clients', undefined, null);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.headers['content-type']).toBe(PROBLEM);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        detail: 'no bearer token',
      });
    });

    it('refuses a token of another scheme as no token', async () => {
      const response = await app.inject({
        method: 'GET',
        url: '/admin/clients',
        headers: { authorization: `Basic ${Buffer.from('admin:admin-secret').toString('base64')}` },
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
    });

    it.each([
      ['a malformed token', 'not-a-jwt', 'the token is malformed or its key is unknown'],
      ['a token with a bad signature', 'tampered', 'signature verification failed'],
      [
        'a token signed by a key we never published',
        'foreign',
        'the token is malformed or its key is unknown',
      ],
    ])('answers 401 invalid_token to %s', async (_case, kind, description) => {
      const token =
        kind === 'tampered'
          ? `${adminToken.slice(0, -4)}AAAA`
          : kind === 'foreign'
            ? foreignToken(adminToken)
            : kind;
      const response = await call('GET', '/admin/clients', undefined, token);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe(
        `Bearer error="invalid_token", error_description="${description}"`,
      );
      expect(response.json()).toMatchObject({ status: 401, detail: description });
    });

    it.each([
      // The identity's own clock, without skew (TokenInspector): a second past exp is too late.
      ['expired a second ago', { exp: -1 }, {}, 'the token expired'],
      ['not valid for another 30 s', { nbf: 30 }, {}, 'the token is not valid yet'],
      ['from another issuer', { iss: 'http://elsewhere' }, {}, "the token's issuer is not trusted"],
      ['for another audience', { aud: 'api1' }, {}, 'the token is not valid for this audience'],
      ['without exp', { exp: undefined }, {}, 'the token has no exp'],
      ['without jti', { jti: undefined }, {}, 'the token has no jti'],
      [
        'with an nbf that is no number',
        { nbf: 'soon' },
        {},
        "the token's exp or nbf is not a number",
      ],
      [
        'bound by another confirmation method than DPoP',
        { cnf: { 'x5t#S256': 'abc' } },
        {},
        'the token is bound by a confirmation method this API does not support',
      ],
      ['typed JWT, not at+jwt', {}, { typ: 'JWT' }, "the token's typ must be at+jwt"],
      [
        'naming another alg than its key has',
        {},
        { alg: 'PS256' },
        'the token is malformed or its key is unknown',
      ],
    ])(
      'answers 401 invalid_token to a token of our key %s',
      async (_case, claims, header, description) => {
        const key = await app.get(SigningKeyStore).getActiveKey();
        const now = Math.floor(Date.now() / 1000);
        const relative = (value: number | undefined) =>
          value === undefined ? undefined : now + value;
        const payload: Record<string, unknown> = {
          iss: ISSUER,
          sub: admin.id,
          client_id: admin.id,
          aud: 'identity',
          scope: 'identity.admin',
          jti: `a-token-${_case}`,
          iat: now,
          nbf: now,
          exp: now + 300,
          ...claims,
          ...('exp' in claims ? { exp: relative(claims.exp) } : {}),
          ...('nbf' in claims && typeof claims.nbf !== 'string'
            ? { nbf: relative(claims.nbf) }
            : {}),
        };
        const token = signJws(
          { alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header } as Parameters<typeof signJws>[0],
          payload,
          key.privateKey,
        );
        const response = await call('GET', '/admin/clients', undefined, token);
        expect(response.statusCode).toBe(401);
        expect(response.headers['www-authenticate']).toBe(
          `Bearer error="invalid_token", error_description="${description}"`,
        );
      },
    );

    it('accepts a token of our key for several audiences until its exp', async () => {
      const key = await app.get(SigningKeyStore).getActiveKey();
      const now = Math.floor(Date.now() / 1000);
      const token = signJws(
        { alg: key.alg, typ: 'application/AT+JWT', kid: key.kid },
        {
          iss: ISSUER,
          sub: admin.id,
          client_id: admin.id,
          jti: 'several-audiences',
          aud: ['api1', 'identity'],
          scope: 'api1 identity.admin',
          iat: now,
          nbf: now,
          exp: now + 30,
        },
        key.privateKey,
      );
      expect((await call('GET', '/admin/clients', undefined, token)).statusCode).toBe(200);
    });

    it('answers 403 insufficient_scope to a valid token without identity.admin', async () => {
      const token = await tokenFor(reader.id, reader.secret);
      const response = await call('GET', '/admin/clients', undefined, token);
      expect(response.statusCode).toBe(403);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer error="insufficient_scope", scope="identity.admin"',
      );
      expect(response.headers['content-type']).toBe(PROBLEM);
      expect(response.json()).toEqual({
        type: 'about:blank',
        title: 'Forbidden',
        status: 403,
        detail: 'the token lacks the scope identity.admin',
      });
    });

    it('issues admin tokens for the built-in identity resource', async () => {
      const { body } = await oauthForm(admin.id, admin.secret);
      expect(body.scope).toBe('identity.admin');
      const payload = JSON.parse(
        Buffer.from((body.access_token as string).split('.')[1], 'base64url').toString(),
      );
      expect(payload).toMatchObject({ aud: 'identity', iss: ISSUER, client_id: 'admin' });
    });
  });

  describe('managing clients', () => {
    it('lists the configuration clients as such', async () => {
      const response = await call('GET', '/admin/clients');
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const { clients } = response.json<{ clients: { clientId: string; source: string }[] }>();
      expect(clients.map((c) => [c.clientId, c.source])).toEqual([
        ['admin', 'configuration'],
        ['reader', 'configuration'],
      ]);
    });

    it('creates a client that gets a token at once, with the generated secret shown once', async () => {
      const response = await call('POST', '/admin/clients', {
        clientId: 'svc',
        allowedGrantTypes: ['client_credentials'],
        allowedScopes: ['api1'],
        accessTokenLifetime: 600,
        claims: [{ type: 'tenant', value: 'acme' }],
      });
      expect(response.statusCode).toBe(201);
      expect(response.headers.location).toBe('/admin/clients/svc');
      expect(response.headers['cache-control']).toBe('no-store');
      const created = response.json<{ secret: string; secrets: unknown[]; source: string }>();
      expect(created).toMatchObject({ clientId: 'svc', source: 'database', enabled: true });
      expect(created.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const { status, body } = await oauthForm('svc', created.secret);
      expect(status).toBe(200);
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'api1' });

      const shown = (await call('GET', '/admin/clients/svc')).json();
      expect(shown.secret).toBeUndefined();
      expect(JSON.stringify(shown)).not.toContain(created.secret);
      expect(JSON.stringify(shown)).not.toContain(hashSecret(created.secret));
    });

    it('refuses to create a client twice, or over a configuration client (409)', async () => {
      for (const clientId of ['svc', 'admin']) {
        const response = await call('POST', '/admin/clients', { clientId });
        expect(response.statusCode).toBe(409);
        expect(response.headers['content-type']).toBe(PROBLEM);
        expect(response.json()).toMatchObject({
          type: 'urn:nest-identity:problem:client-exists',
          status: 409,
        });
      }
    });

    it('disables a client: its token requests fail at once; enabling restores them', async () => {
      const { secret } = (
        await call('POST', '/admin/clients', {
          clientId: 'toggled',
          allowedGrantTypes: ['client_credentials'],
          allowedScopes: ['api1'],
          secret: { value: 'a-supplied-secret-value' },
        })
      ).json<{ secret?: string }>();
      expect(secret).toBeUndefined();
      expect((await oauthForm('toggled', 'a-supplied-secret-value')).status).toBe(200);

      const disabled = await call('PATCH', '/admin/clients/toggled', { enabled: false });
      expect(disabled.statusCode).toBe(200);
      expect(disabled.json()).toMatchObject({ enabled: false });
      expect(await oauthForm('toggled', 'a-supplied-secret-value')).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'client authentication failed' },
      });

      await call('PATCH', '/admin/clients/toggled', { enabled: true });
      expect((await oauthForm('toggled', 'a-supplied-secret-value')).status).toBe(200);
    });

    it('rotates secrets: the new one works alongside the old until the old is removed', async () => {
      const created = (
        await call('POST', '/admin/clients', {
          clientId: 'rotating',
          allowedGrantTypes: ['client_credentials'],
          allowedScopes: ['api1'],
        })
      ).json<{ secret: string; secrets: { id: string }[] }>();
      const oldSecret = created.secret;
      const oldId = created.secrets[0].id;

      const added = await call('POST', '/admin/clients/rotating/secrets', {
        description: 'next',
        expiration: '2099-01-01T00:00:00Z',
      });
      expect(added.statusCode).toBe(201);
      const next = added.json<{ id: string; secret: string }>();
      expect(next).toEqual({
        id: expect.any(String),
        description: 'next',
        expiration: '2099-01-01T00:00:00.000Z',
        createdAt: expect.any(String),
        secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      expect(added.headers.location).toBe(`/admin/clients/rotating/secrets/${next.id}`);
      expect((await oauthForm('rotating', oldSecret)).status).toBe(200);
      expect((await oauthForm('rotating', next.secret)).status).toBe(200);

      const removed = await call('DELETE', `/admin/clients/rotating/secrets/${oldId}`);
      expect(removed.statusCode).toBe(204);
      expect(removed.body).toBe('');
      expect((await oauthForm('rotating', oldSecret)).status).toBe(401);
      expect((await oauthForm('rotating', next.secret)).status).toBe(200);

      const again = await call('DELETE', `/admin/clients/rotating/secrets/${oldId}`);
      expect(again.statusCode).toBe(404);
      expect(again.json()).toMatchObject({ type: 'urn:nest-identity:problem:secret-not-found' });
    });

    it('adds a generated secret when the request has no body', async () => {
      const response = await call('POST', '/admin/clients/rotating/secrets');
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ secret: expect.any(String), expiration: null });
    });

    it('deletes a client (204): it gets no token any more', async () => {
      const { secret } = (
        await call('POST', '/admin/clients', {
          clientId: 'doomed',
          allowedGrantTypes: ['client_credentials'],
          allowedScopes: ['api1'],
        })
      ).json<{ secret: string }>();
      expect((await call('DELETE', '/admin/clients/doomed')).statusCode).toBe(204);
      expect((await oauthForm('doomed', secret)).status).toBe(401);
      expect((await call('GET', '/admin/clients/doomed')).statusCode).toBe(404);
    });

    it('addresses a client whose id needs percent-encoding in the path', async () => {
      const created = await call('POST', '/admin/clients', { clientId: 'svc/a+b%' });
      expect(created.statusCode).toBe(201);
      expect(created.headers.location).toBe('/admin/clients/svc%2Fa%2Bb%25');
      const shown = await call('GET', created.headers.location as string);
      expect(shown.json()).toMatchObject({ clientId: 'svc/a+b%' });
      expect((await call('DELETE', created.headers.location as string)).statusCode).toBe(204);
    });

    it.each([
      'm2m:client%1',
      'urn:acme:billing',
      'spiffe://example.org/ns/prod/sa/billing',
      'my client',
    ])(
      'manages the RFC 6749 VSCHAR client id %j, addressed percent-encoded in the path',
      async (clientId) => {
        const secret = 'a s:e/c%r+et value';
        const created = await call('POST', '/admin/clients', {
          clientId,
          allowedGrantTypes: ['client_credentials'],
          allowedScopes: ['api1'],
          secret: { value: secret },
        });
        expect(created.statusCode).toBe(201);
        const path = `/admin/clients/${encodeURIComponent(clientId)}`;
        expect(created.headers.location).toBe(path);
        expect((await call('GET', path)).json()).toMatchObject({ clientId, source: 'database' });
        const patched = await call('PATCH', path, { clientName: 'renamed' });
        expect(patched.json()).toMatchObject({ clientId, clientName: 'renamed' });
        const added = await call('POST', `${path}/secrets`, { value: 'another-secret-value' });
        expect(added.statusCode).toBe(201);
        const { id } = added.json<{ id: string }>();
        expect((await call('DELETE', `${path}/secrets/${id}`)).statusCode).toBe(204);

        expect(await oauthForm(clientId, secret)).toMatchObject({ status: 200 });
        const posted = await app.inject({
          method: 'POST',
          url: '/connect/token',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: clientId,
            client_secret: secret,
          }).toString(),
        });
        expect(posted.statusCode).toBe(200);

        expect((await call('DELETE', path)).statusCode).toBe(204);
        expect((await call('GET', path)).statusCode).toBe(404);
      },
    );

    it('revokes the tokens of an admin client once it is disabled', async () => {
      const { secret } = (
        await call('POST', '/admin/clients', {
          clientId: 'second-admin',
          allowedGrantTypes: ['client_credentials'],
          allowedScopes: ['identity.admin'],
        })
      ).json<{ secret: string }>();
      const token = await tokenFor('second-admin', secret);
      expect((await call('GET', '/admin/clients', undefined, token)).statusCode).toBe(200);
      await call('PATCH', '/admin/clients/second-admin', { enabled: false });
      const refused = await call('GET', '/admin/clients', undefined, token);
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['www-authenticate']).toContain('error="invalid_token"');
    });
  });

  describe('errors as problem documents', () => {
    it('names every invalid field with its path (400)', async () => {
      const response = await call('POST', '/admin/clients', {
        clientId: 'bad\nid',
        allowedScopes: ['api1', 'nope'],
        accessTokenLifetime: 31_536_001,
        claims: [{ type: 'aud', value: 'x' }],
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toBe(PROBLEM);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({
        type: 'urn:nest-identity:problem:invalid-input',
        title: 'The request is invalid',
        status: 400,
        detail: expect.stringMatching(/^invalid input: clientId: /),
        errors: [
          {
            path: 'clientId',
            message:
              'must be 1 to 200 printable ASCII characters (RFC 6749 VSCHAR: space to "~"), no control or non-ASCII character',
          },
          { path: 'accessTokenLifetime', message: 'must not be greater than 31536000' },
          {
            path: 'claims[0].type',
            message:
              '"aud" is a protocol claim and cannot be configured (fix: choose another claim type)',
          },
          { path: 'allowedScopes[1]', message: 'scope "nope" is not defined' },
        ],
      });
    });

    it('reports every problem at once, the DTO rules and those needing the stores alike', async () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwks = { keys: [publicKey.export({ format: 'jwk' })] };
      const created = await call('POST', '/admin/clients', {
        clientId: '',
        allowedGrantTypes: ['password'],
        allowedScopes: ['nope'],
        allowedResources: ['nowhere'],
        jwksUri: 'https://client.example/jwks',
        enabled: 'yes',
        secret: { clientSecretJwt: true },
      });
      expect(created.statusCode).toBe(400);
      expect(created.json().errors).toEqual([
        { path: 'clientId', message: expect.stringMatching(/^must be 1 to 200 printable ASCII/) },
        { path: 'enabled', message: 'must be a boolean value' },
        {
          path: 'secret.clientSecretJwt',
          message: expect.stringMatching(/^needs IDENTITY_KEY_ENCRYPTION_KEY/),
        },
        { path: 'allowedResources[0]', message: 'API resource "nowhere" is not defined' },
        { path: 'allowedScopes[0]', message: 'scope "nope" is not defined' },
        {
          path: 'allowedGrantTypes[0]',
          message: expect.stringMatching(/^grant type "password" is not supported/),
        },
      ]);

      const patched = await call('PATCH', '/admin/clients/svc', {
        accessTokenLifetime: 0,
        allowedScopes: ['nope'],
        jwks,
        jwksUri: 'https://client.example/jwks',
      });
      expect(patched.statusCode).toBe(400);
      expect(patched.json().errors).toEqual([
        { path: 'accessTokenLifetime', message: 'must not be less than 1' },
        {
          path: 'jwksUri',
          message: 'a client has jwks or jwksUri, not both (fix: set the other one to null)',
        },
        { path: 'allowedScopes[0]', message: 'scope "nope" is not defined' },
      ]);

      const added = await call('POST', '/admin/clients/svc/secrets', {
        value: 'short',
        clientSecretJwt: true,
      });
      expect(added.json().errors).toEqual([
        { path: 'value', message: 'must be longer than or equal to 16 characters' },
        {
          path: 'clientSecretJwt',
          message: expect.stringMatching(/^needs IDENTITY_KEY_ENCRYPTION_KEY/),
        },
      ]);
    });

    it('checks scopes against the defined ones (400)', async () => {
      const response = await call('PATCH', '/admin/clients/svc', { allowedScopes: ['nope'] });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([
        { path: 'allowedScopes[0]', message: 'scope "nope" is not defined' },
      ]);
    });

    it('keeps configuration clients read-only (409)', async () => {
      for (const [method, url, body] of [
        ['PATCH', '/admin/clients/admin', { enabled: false }],
        ['DELETE', '/admin/clients/reader', undefined],
        ['POST', '/admin/clients/reader/secrets', {}],
        ['DELETE', '/admin/clients/reader/secrets/x', undefined],
      ] as const) {
        const response = await call(method, url, body);
        expect(response.statusCode).toBe(409);
        expect(response.json()).toMatchObject({
          type: 'urn:nest-identity:problem:client-read-only',
          status: 409,
          detail: expect.stringContaining('comes from the configuration file'),
        });
      }
      expect((await oauthForm(reader.id, reader.secret)).status).toBe(200);
    });

    it('answers 404 for an unknown client', async () => {
      const response = await call('GET', '/admin/clients/nobody');
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({
        type: 'urn:nest-identity:problem:client-not-found',
        title: 'The client does not exist',
        status: 404,
        detail: 'there is no client "nobody"',
      });
    });

    it.each([
      ['malformed JSON', '{"clientId":', 'application/json', 400],
      ['an empty JSON body', '', 'application/json', 400],
      ['a __proto__ key', '{"clientId":"p","__proto__":{"x":1}}', 'application/json', 400],
      ['a form body', 'clientId=x', 'application/x-www-form-urlencoded', 415],
      ['plain text', 'clientId', 'text/plain', 415],
    ])('refuses %s as a problem document', async (_case, payload, contentType, status) => {
      const response = await app.inject({
        method: 'POST',
        url: '/admin/clients',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': contentType },
        payload,
      });
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toBe(PROBLEM);
      expect(response.json()).toMatchObject({ status });
    });

    it('refuses a body nested 1,500 levels deep (4 KB) with 400, before anything parses it', async () => {
      for (const payload of [
        `{"clientId":"deep","claims":${'['.repeat(1500)}${']'.repeat(1500)}}`,
        `{"clientId":"deep","x":${'{"a":'.repeat(33)}1${'}'.repeat(33)}}`,
      ]) {
        const response = await app.inject({
          method: 'POST',
          url: '/admin/clients',
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          payload,
        });
        expect(response.statusCode).toBe(400);
        expect(response.headers['content-type']).toBe(PROBLEM);
        expect(response.json()).toEqual({
          type: 'urn:nest-identity:problem:invalid-input',
          title: 'The request is invalid',
          status: 400,
          detail: 'the request body nests arrays and objects deeper than 32 levels',
          errors: [{ path: '', message: 'nests arrays and objects deeper than 32 levels' }],
        });
      }
      expect((await call('GET', '/admin/clients/deep')).statusCode).toBe(404);
    });

    it.each(['constructor', 'toString', '__proto__', 'prototype', 'hasOwnProperty'])(
      'refuses a claim named %s, a name every JavaScript object has',
      async (type) => {
        for (const [method, url] of [
          ['POST', '/admin/clients'],
          ['PATCH', '/admin/clients/svc'],
        ] as const) {
          const response = await call(method, url, {
            ...(method === 'POST' ? { clientId: 'claimed' } : {}),
            claims: [{ type, value: 'x' }],
          });
          expect(response.statusCode).toBe(400);
          expect(response.json().errors).toEqual([
            {
              path: 'claims[0].type',
              message: `"${type}" is a name every JavaScript object has and cannot be a claim type (fix: choose another claim type)`,
            },
          ]);
        }
      },
    );

    it.each([
      ['an array', [[]]],
      ['an array holding the claim', [[{ type: 'tenant', value: 'acme' }]]],
      ['a string', ['tenant=acme']],
      ['null', [null]],
    ])('refuses a claim that is %s instead of an object', async (_case, claims) => {
      const response = await call('POST', '/admin/clients', { clientId: 'claimed', claims });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([
        { path: 'claims', message: 'each claim must be an object {"type": …, "value": …}' },
      ]);
      expect((await call('GET', '/admin/clients/claimed')).statusCode).toBe(404);
    });

    it('refuses control characters in names, descriptions, claims and secrets', async () => {
      const response = await call('POST', '/admin/clients', {
        clientId: 'controlled',
        clientName: 'Billing\u001b[2K',
        description: 'line\nbreak',
        allowedScopes: ['api1\u0000'],
        claims: [{ type: 'ten\tant', value: 'acme\u0085' }],
        secret: { value: 'a-long-enough-secret\u007f', description: 'next\r' },
      });
      expect(response.statusCode).toBe(400);
      const mustNot = 'must not contain a control character';
      expect(response.json().errors).toEqual([
        { path: 'clientName', message: mustNot },
        { path: 'description', message: mustNot },
        { path: 'allowedScopes', message: `each value ${mustNot}` },
        { path: 'claims[0].type', message: mustNot },
        { path: 'claims[0].value', message: mustNot },
        { path: 'secret.value', message: mustNot },
        { path: 'secret.description', message: mustNot },
      ]);
      const patched = await call('PATCH', '/admin/clients/svc', { clientName: 'a\u0007b' });
      expect(patched.json().errors).toEqual([{ path: 'clientName', message: mustNot }]);
    });

    it('refuses a JSON array or null as the body', async () => {
      for (const body of [[], null]) {
        const response = await call('POST', '/admin/clients', body);
        expect(response.statusCode).toBe(400);
        expect(response.json().errors).toEqual([{ path: '', message: 'must be a JSON object' }]);
      }
    });

    it('still refuses JSON at the token endpoint with invalid_request', async () => {
      for (const payload of ['{"grant_type":"client_credentials"}', '{']) {
        const response = await app.inject({
          method: 'POST',
          url: '/connect/token',
          headers: { 'content-type': 'application/json' },
          payload,
        });
        expect(response.statusCode).toBe(400);
        expect(response.json()).toEqual({
          error: 'invalid_request',
          error_description: 'the request body must be application/x-www-form-urlencoded',
        });
      }
    });
  });
});

/** RFC 6749 §2.3.1: `Basic base64(urlencode(id) ":" urlencode(secret))`. */
function basicAuthorization(clientId: string, secret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/** The claims of `token`, re-signed by a fresh key under the same kid: never published by us. */
function foreignToken(token: string): string {
  const [header, payload] = token
    .split('.')
    .slice(0, 2)
    .map(
      (part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>,
    );
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return signJws({ ...header, kid: 'not-ours', alg: 'RS256' }, payload, privateKey);
}
