import { EventEmitter2 } from '@nestjs/event-emitter';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AuditEvent } from '../audit/audit-events';
import { adminApiConfig, adminClient, readerClient } from './admin-api.fixture';
import { startInProcessIdentity, type InProcessIdentity } from '../identity-app.fixture';

const ISSUER = 'http://identity.test';
const admin = adminClient;
const reader = readerClient;

const config = adminApiConfig({ withReader: true });

const PROBLEM = 'application/problem+json; charset=utf-8';

function basic({ id, secret }: { id: string; secret: string }): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

function kidOf(token: string): string {
  const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as {
    kid: string;
  };
  return header.kid;
}

describe('the admin API /admin/keys', () => {
  let app: NestFastifyApplication;
  let identity: InProcessIdentity;
  const events: AuditEvent[] = [];

  beforeAll(async () => {
    identity = await startInProcessIdentity(config, ISSUER);
    app = identity.app;
    app.get(EventEmitter2).on('audit.**', (event: AuditEvent) => events.push(event));
  });

  afterAll(() => identity?.close());

  async function token(client: { id: string; secret: string }): Promise<string> {
    const response = await app.inject({
      method: 'POST',
      url: '/connect/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(client),
      },
      payload: 'grant_type=client_credentials',
    });
    expect(response.statusCode).toBe(200);
    return response.json<{ access_token: string }>().access_token;
  }

  function call(method: 'GET' | 'POST', url: string, bearer: string | null) {
    return app.inject({
      method,
      url,
      headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` },
    });
  }

  async function jwksKids(): Promise<string[]> {
    const response = await app.inject({
      method: 'GET',
      url: '/.well-known/openid-configuration/jwks',
    });
    return response.json<{ keys: { kid: string }[] }>().keys.map((key) => key.kid);
  }

  async function introspect(accessToken: string): Promise<unknown> {
    const response = await app.inject({
      method: 'POST',
      url: '/connect/introspect',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(reader),
      },
      payload: new URLSearchParams({ token: accessToken }).toString(),
    });
    expect(response.statusCode).toBe(200);
    return response.json();
  }

  it('needs an admin token', async () => {
    const response = await call('GET', '/admin/keys', null);
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect((await call('POST', '/admin/keys/x/revoke', await token(reader))).statusCode).toBe(403);
  });

  it('lists the keys and their schedule, never key material', async () => {
    const response = await call('GET', '/admin/keys', await token(admin));
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const { keys } = response.json<{ keys: Record<string, unknown>[] }>();
    expect(keys).toEqual([
      {
        kid: (await jwksKids())[0],
        alg: 'RS256',
        generation: 1,
        status: 'active',
        createdAt: expect.any(String),
        activatesAt: expect.any(String),
        retiresAt: expect.any(String),
        publishedUntil: expect.any(String),
      },
    ]);
  });

  it('revokes the active key: it leaves the JWKS, a new key signs, its tokens are refused at once', async () => {
    const adminToken = await token(admin);
    const readerToken = await token(reader);
    const revokedKid = kidOf(readerToken);
    expect(await introspect(readerToken)).toMatchObject({ active: true });
    events.length = 0;

    const response = await call('POST', `/admin/keys/${revokedKid}/revoke`, adminToken);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json<{ signingKid: string }>();
    expect(body).toEqual({
      revoked: revokedKid,
      signingKid: expect.any(String),
      newSigningKey: true,
      published: [body.signingKid],
    });
    expect(body.signingKid).not.toBe(revokedKid);

    expect(await jwksKids()).toEqual([body.signingKid]);
    expect(kidOf(await token(reader))).toBe(body.signingKid);
    expect(await introspect(readerToken)).toEqual({ active: false });
    // The admin token was signed by the revoked key too: it is refused from now on.
    const again = await call('GET', '/admin/keys', adminToken);
    expect(again.statusCode).toBe(401);
    expect((await call('GET', '/admin/keys', await token(admin))).statusCode).toBe(200);

    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'audit.signing_key.rotated',
          action: 'revoked',
          kid: revokedKid,
          details: expect.objectContaining({ actor: 'admin', successor: body.signingKid }),
        }),
      ]),
    );
  });

  it('answers 404 with a problem document for a kid it does not hold', async () => {
    const response = await call('POST', '/admin/keys/no-such-kid/revoke', await token(admin));
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe(PROBLEM);
    expect(response.json()).toEqual({
      type: 'urn:nest-identity:problem:key-not-found',
      title: 'The signing key does not exist',
      status: 404,
      detail: 'there is no signing key "no-such-kid" (GET /admin/keys lists them)',
    });
  });
});
