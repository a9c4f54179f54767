import {
  decodeJwt,
  getJson,
  getToken,
  seedClient,
  startIdentity,
  startWeatherApi,
  type RunningApp,
  type RunningIdentity,
} from '../support';

// The identity signs with RS256, PS256, ES256 or EdDSA (IDENTITY_SIGNING_ALG); the weather-api
// accepts each with its defaults, the first time (full verification) and again (its cache).
describe.each(['PS256', 'ES256', 'EdDSA'])('weather-api: tokens signed %s', (alg) => {
  let identity: RunningIdentity;
  let api: RunningApp;

  beforeAll(async () => {
    identity = await startIdentity({ env: { IDENTITY_SIGNING_ALG: alg } });
    api = await startWeatherApi({ env: { AUTHORITY: identity.url } });
  });
  afterAll(() => Promise.all([api?.stop(), identity?.stop()]));

  const forecast = (token: string) =>
    getJson(`${api.url}/weatherforecast`, { headers: { authorization: `Bearer ${token}` } });

  it('accepts a token from the identity, and again', async () => {
    const token = await getToken(identity.url, seedClient, { scope: 'api1' });
    expect(decodeJwt(token).header.alg).toBe(alg);

    expect((await forecast(token)).status).toBe(200);
    expect((await forecast(token)).status).toBe(200);
  });

  it('refuses the token with its signature swapped for another token’s', async () => {
    const [header, payload] = (await getToken(identity.url, seedClient)).split('.');
    const [, , signature] = (await getToken(identity.url, seedClient)).split('.');

    const response = await forecast(`${header}.${payload}.${signature}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="signature verification failed"',
    );
  });
});
