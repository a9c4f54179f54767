import { startIdentity, type RunningIdentity } from '../support';

// Issue 12 §11: a POST-only OAuth endpoint answers another method with 405 and `Allow: POST`
// (RFC 9110 §15.5.6), not 404; with CORS on, OPTIONS stays the preflight's.

const POST_ONLY = ['/connect/token', '/connect/introspect', '/connect/revocation'];
const ORIGIN = 'https://app.example.com';

describe('methods other than POST on the OAuth endpoints', () => {
  let identity: RunningIdentity;
  let identityWithCors: RunningIdentity;

  beforeAll(async () => {
    [identity, identityWithCors] = await Promise.all([
      startIdentity(),
      startIdentity({ env: { CORS_ORIGINS: ORIGIN } }),
    ]);
  }, 30_000);
  afterAll(() => Promise.all([identity?.stop(), identityWithCors?.stop()]));

  it.each(POST_ONLY.flatMap((path) => ['GET', 'PUT', 'DELETE', 'PATCH'].map((m) => [m, path])))(
    '%s %s is 405 with Allow: POST and an OAuth error',
    async (method, path) => {
      const response = await fetch(`${identity.url}${path}`, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({
        error: 'invalid_request',
        error_description: `${path} accepts only POST`,
      });
    },
  );

  it.each(POST_ONLY)('HEAD and OPTIONS %s are 405 with Allow: POST', async (path) => {
    for (const method of ['HEAD', 'OPTIONS']) {
      const response = await fetch(`${identity.url}${path}`, { method });
      expect([method, response.status, response.headers.get('allow')]).toEqual([
        method,
        405,
        'POST',
      ]);
    }
  });

  it('keeps answering CORS preflights on the token endpoint when CORS is on', async () => {
    const preflight = await fetch(`${identityWithCors.url}/connect/token`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
    const get = await fetch(`${identityWithCors.url}/connect/token`);
    expect(get.status).toBe(405);
  });

  it('still serves POST, and 404 for a path that does not exist', async () => {
    const token = await fetch(`${identity.url}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=client&client_secret=secret&scope=api1',
    });
    expect(token.status).toBe(200);
    expect((await fetch(`${identity.url}/connect/nothing-here`)).status).toBe(404);
  });
});
