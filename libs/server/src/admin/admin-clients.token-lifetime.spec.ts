import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { adminApiConfig, adminClient } from './admin-api.fixture';
import { startInProcessIdentity, type InProcessIdentity } from '../identity-app.fixture';

// Issue 12 point 14 at the admin API: a client whose JWTs would outlive their signing key (the
// key stays published IDENTITY_KEY_RETENTION_TIME, 14 d by default, after it stops signing).
const admin = adminClient;
const config = adminApiConfig();
const FOURTEEN_DAYS = 14 * 86_400;

describe('the admin API refuses token lifetimes longer than the key retention time', () => {
  let app: NestFastifyApplication;
  let identity: InProcessIdentity;
  let token: string;

  beforeAll(async () => {
    identity = await startInProcessIdentity(config, 'http://identity.test');
    app = identity.app;
    const response = await app.inject({
      method: 'POST',
      url: '/connect/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${admin.id}:${admin.secret}`).toString('base64')}`,
      },
      payload: 'grant_type=client_credentials',
    });
    token = response.json<{ access_token: string }>().access_token;
  });

  afterAll(() => identity?.close());

  function call(method: 'POST' | 'PATCH', url: string, body: unknown) {
    return app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  }

  const create = (clientId: string, extra: Record<string, unknown>) =>
    call('POST', '/admin/clients', {
      clientId,
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: ['api1'],
      ...extra,
    });

  const refusal = (clientId: string, lifetime: number) => ({
    type: 'urn:nest-identity:problem:invalid-input',
    title: 'The request is invalid',
    status: 400,
    detail: expect.any(String),
    errors: [
      {
        path: 'accessTokenLifetime',
        message: `${lifetime} s is longer than IDENTITY_KEY_RETENTION_TIME (1209600 s), how long a signing key stays published after it stops signing: tokens of the client "${clientId}" would stop validating before they expire (fix: set accessTokenLifetime to at most 1209600, or raise IDENTITY_KEY_RETENTION_TIME)`,
      },
    ],
  });

  it('on create: 400 naming the client, both values and the fix; up to the retention is fine', async () => {
    const refused = await create('long', { accessTokenLifetime: FOURTEEN_DAYS + 1 });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual(refusal('long', FOURTEEN_DAYS + 1));
    expect((await create('long', { accessTokenLifetime: FOURTEEN_DAYS })).statusCode).toBe(201);
  });

  it('on update of the lifetime, or of the token type to jwt; reference tokens may live longer', async () => {
    const patched = await call('PATCH', '/admin/clients/long', {
      accessTokenLifetime: FOURTEEN_DAYS + 1,
    });
    expect(patched.statusCode).toBe(400);
    expect(patched.json()).toEqual(refusal('long', FOURTEEN_DAYS + 1));

    const reference = await create('looked-up', {
      accessTokenType: 'reference',
      accessTokenLifetime: 30 * 86_400,
    });
    expect(reference.statusCode).toBe(201);
    const toJwt = await call('PATCH', '/admin/clients/looked-up', { accessTokenType: 'jwt' });
    expect(toJwt.statusCode).toBe(400);
    expect(toJwt.json()).toEqual(refusal('looked-up', 30 * 86_400));
    // Other changes go through: such a client can still be disabled.
    expect((await call('PATCH', '/admin/clients/looked-up', { enabled: false })).statusCode).toBe(
      200,
    );
  });
});
