import Fastify, { type FastifyInstance } from 'fastify';
import { IdentityEnvironment, validateWith } from '@nest-identity/shared';
import { toSettings } from '../config/identity-settings';
import { allowCrossOriginCalls } from './cross-origin';

describe('allowCrossOriginCalls', () => {
  let fastify: FastifyInstance;
  const allowed = 'http://localhost:5003';

  beforeEach(async () => {
    fastify = Fastify();
    allowCrossOriginCalls(fastify, [allowed]);
    fastify.post('/connect/token', () => ({ ok: true }));
    fastify.get('/admin/clients', () => ({ clients: [] }));
    await fastify.ready();
  });
  afterEach(() => fastify.close());

  it('answers a preflight for the token endpoint from a listed origin', async () => {
    const response = await fastify.inject({
      method: 'OPTIONS',
      url: '/connect/token',
      headers: { origin: allowed, 'access-control-request-method': 'POST' },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers).toMatchObject({
      'access-control-allow-origin': allowed,
      'access-control-allow-methods': 'POST',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
  });

  it('lets a page send a DPoP proof and read the DPoP-Nonce of the answer (RFC 9449)', async () => {
    const preflight = await fastify.inject({
      method: 'OPTIONS',
      url: '/connect/token',
      headers: { origin: allowed, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers['access-control-allow-headers']).toBe(
      'Authorization, Content-Type, X-Requested-With, DPoP',
    );
    const answer = await fastify.inject({
      method: 'POST',
      url: '/connect/token',
      headers: { origin: allowed },
    });
    expect(answer.headers['access-control-expose-headers']).toBe('DPoP-Nonce');
  });

  it('gives any other origin, and any other route, no CORS header', async () => {
    const other = await fastify.inject({
      method: 'POST',
      url: '/connect/token',
      headers: { origin: 'http://localhost:5004' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const admin = await fastify.inject({ url: '/admin/clients', headers: { origin: allowed } });
    expect(admin.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS_ORIGINS', () => {
  const settingsFor = (CORS_ORIGINS: string) =>
    toSettings(validateWith(IdentityEnvironment, { CORS_ORIGINS }, 'the environment'));

  it('is a comma-separated list of exact origins, empty by default', () => {
    expect(toSettings(validateWith(IdentityEnvironment, {}, 'env')).corsOrigins).toEqual([]);
    expect(settingsFor(' http://localhost:5003 , https://app.example.com').corsOrigins).toEqual([
      'http://localhost:5003',
      'https://app.example.com',
    ]);
  });

  it.each(['localhost:5003', 'http://localhost:5003/', '*', 'http://a.example.com/path'])(
    'refuses %p, naming the variable',
    (value) => {
      expect(() => settingsFor(value)).toThrow(
        /CORS_ORIGINS: must be a comma-separated list of origins/,
      );
    },
  );
});
