import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash } from 'node:crypto';
import { aDPoPKey, aDPoPProof, type DPoPKey } from '../dpop/dpop-proof.fixture';
import { adminApiConfig, adminClient } from './admin-api.fixture';
import { startInProcessIdentity, type InProcessIdentity } from '../identity-app.fixture';

const ISSUER = 'http://identity.test';
const admin = adminClient;

const config = adminApiConfig();

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const ath = (token: string) => createHash('sha256').update(token).digest('base64url');

/** What the admin guard refuses beyond a token's signature and claims: issue 12, points 1-3. */
describe('AdminTokenGuard', () => {
  let app: NestFastifyApplication;
  let identity: InProcessIdentity;
  let clientCounter = 0;

  beforeAll(async () => {
    identity = await startInProcessIdentity(config, ISSUER);
    app = identity.app;
  });

  afterAll(() => identity?.close());

  async function token(id: string, secret: string, dpopProof?: string) {
    const response = await tokenResponse(id, secret, dpopProof);
    expect(response.statusCode === 200 ? 200 : response.body).toBe(200);
    return response.json<{ access_token: string; token_type: string }>();
  }

  function tokenResponse(id: string, secret: string, dpopProof?: string) {
    return app.inject({
      method: 'POST',
      url: '/connect/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(id, secret),
        ...(dpopProof === undefined ? {} : { dpop: dpopProof }),
      },
      payload: 'grant_type=client_credentials',
    });
  }

  function call(
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    authorization: string,
    extra: { body?: unknown; dpop?: string } = {},
  ) {
    return app.inject({
      method,
      url,
      headers: {
        authorization,
        ...(extra.dpop === undefined ? {} : { dpop: extra.dpop }),
        ...(extra.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(extra.body === undefined ? {} : { payload: JSON.stringify(extra.body) }),
    });
  }

  const newClient = () => ({
    clientId: `created-${++clientCounter}`,
    allowedGrantTypes: ['client_credentials'],
    allowedScopes: ['identity.admin'],
  });

  describe('a revoked token (RFC 7009)', () => {
    it('keeps no admin right once its jti is on the deny-list', async () => {
      const { access_token: revoked } = await token(admin.id, admin.secret);
      expect((await call('GET', '/admin/clients', `Bearer ${revoked}`)).statusCode).toBe(200);

      const revocation = await app.inject({
        method: 'POST',
        url: '/connect/revocation',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic(admin.id, admin.secret),
        },
        payload: new URLSearchParams({ token: revoked }).toString(),
      });
      expect(revocation.statusCode).toBe(200);

      for (const response of [
        await call('GET', '/admin/clients', `Bearer ${revoked}`),
        await call('POST', '/admin/clients', `Bearer ${revoked}`, { body: newClient() }),
      ]) {
        expect(response.statusCode).toBe(401);
        expect(response.headers['www-authenticate']).toBe(
          'Bearer error="invalid_token", error_description="the token has been revoked"',
        );
      }
      // Another token of the same client is not affected.
      const { access_token: fresh } = await token(admin.id, admin.secret);
      expect((await call('GET', '/admin/clients', `Bearer ${fresh}`)).statusCode).toBe(200);
    });
  });

  describe('a DPoP-bound token (RFC 9449 §7)', () => {
    let key: DPoPKey;
    let bound: string;
    const proofFor = (method: string, path: string, claims: Record<string, unknown> = {}) =>
      aDPoPProof(key, { htm: method, htu: `${ISSUER}${path}`, ath: ath(bound), ...claims });

    beforeAll(async () => {
      key = aDPoPKey('ES256');
      const htu = `${ISSUER}/connect/token`;
      // The identity may require its nonce (RFC 9449 §8): the first answer gives it.
      const first = await tokenResponse(admin.id, admin.secret, aDPoPProof(key, { htu }));
      const nonce = first.headers['dpop-nonce'];
      const issued =
        first.statusCode === 200
          ? first.json<{ access_token: string; token_type: string }>()
          : await token(admin.id, admin.secret, aDPoPProof(key, { htu, nonce }));
      expect(issued.token_type).toBe('DPoP');
      bound = issued.access_token;
    });

    it('is refused as a plain Bearer token, for reads and writes', async () => {
      for (const response of [
        await call('GET', '/admin/clients', `Bearer ${bound}`),
        await call('POST', '/admin/clients', `Bearer ${bound}`, { body: newClient() }),
      ]) {
        expect(response.statusCode).toBe(401);
        expect(response.json()).toMatchObject({
          detail: 'the token is DPoP-bound: send it with the DPoP scheme and a proof',
        });
      }
    });

    it('is accepted with the DPoP scheme and a proof of its key for this request', async () => {
      const read = await call('GET', '/admin/clients', `DPoP ${bound}`, {
        dpop: proofFor('GET', '/admin/clients'),
      });
      expect(read.statusCode).toBe(200);
      const write = await call('POST', '/admin/clients', `DPoP ${bound}`, {
        body: newClient(),
        dpop: proofFor('POST', '/admin/clients'),
      });
      expect(write.statusCode).toBe(201);
    });

    it.each([
      ['no proof', () => undefined, 'the request has no DPoP proof'],
      [
        'a proof for another method',
        () => proofFor('POST', '/admin/clients'),
        'the DPoP proof htm does not match the request method',
      ],
      [
        'a proof for another URL',
        () => proofFor('GET', '/admin/clients/admin'),
        'the DPoP proof htu does not match the request URL',
      ],
      [
        'a proof without the hash of the token',
        () => proofFor('GET', '/admin/clients', { ath: undefined }),
        "the DPoP proof's ath is not the hash of this token",
      ],
      [
        'a proof by another key',
        () =>
          aDPoPProof(aDPoPKey('ES256'), {
            htm: 'GET',
            htu: `${ISSUER}/admin/clients`,
            ath: ath(bound),
          }),
        'the token is not bound to the DPoP proof key',
      ],
    ])('is refused with %s (401 invalid_dpop_proof)', async (_case, proof, description) => {
      const response = await call('GET', '/admin/clients', `DPoP ${bound}`, { dpop: proof() });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toContain('DPoP error="invalid_dpop_proof"');
      expect(response.json()).toMatchObject({ status: 401, detail: description });
    });

    it('refuses a proof used before', async () => {
      const proof = proofFor('GET', '/admin/clients');
      expect(
        (await call('GET', '/admin/clients', `DPoP ${bound}`, { dpop: proof })).statusCode,
      ).toBe(200);
      const replayed = await call('GET', '/admin/clients', `DPoP ${bound}`, { dpop: proof });
      expect(replayed.statusCode).toBe(401);
      expect(replayed.json()).toMatchObject({ detail: 'the DPoP proof has been used before' });
    });

    it('refuses the DPoP scheme for a token that is not bound', async () => {
      const { access_token: plain } = await token(admin.id, admin.secret);
      const response = await call('GET', '/admin/clients', `DPoP ${plain}`, {
        dpop: aDPoPProof(key, { htm: 'GET', htu: `${ISSUER}/admin/clients`, ath: ath(plain) }),
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toContain('DPoP error="invalid_token"');
    });
  });

  describe("the client's current right to identity.admin", () => {
    it('ends for its old tokens when the scope is taken from the client', async () => {
      const { access_token: adminToken } = await token(admin.id, admin.secret);
      const created = await call('POST', '/admin/clients', `Bearer ${adminToken}`, {
        body: newClient(),
      });
      expect(created.statusCode).toBe(201);
      const { clientId, secret } = created.json<{ clientId: string; secret: string }>();
      const { access_token: delegated } = await token(clientId, secret);
      expect((await call('GET', '/admin/clients', `Bearer ${delegated}`)).statusCode).toBe(200);

      const demoted = await call('PATCH', `/admin/clients/${clientId}`, `Bearer ${adminToken}`, {
        body: { allowedScopes: ['api1'] },
      });
      expect(demoted.statusCode).toBe(200);
      for (const response of [
        await call('GET', '/admin/clients', `Bearer ${delegated}`),
        await call('POST', '/admin/clients', `Bearer ${delegated}`, { body: newClient() }),
      ]) {
        expect(response.statusCode).toBe(401);
        expect(response.json()).toMatchObject({
          detail: "the token's client is no longer allowed identity.admin",
        });
      }
    });
  });
});
