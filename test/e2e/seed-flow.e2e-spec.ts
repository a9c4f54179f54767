import {
  getJson,
  getToken,
  seedClient,
  startIdentity,
  startWeatherApi,
  type RunningApp,
  type RunningIdentity,
} from '../support';

// The seed's whole story, as `npm run demo` tells it: the seed client gets a token from the
// identity (config/identity.json) and calls the weather-api with it.
describe('seed flow: client credentials → GET /weatherforecast', () => {
  let identity: RunningIdentity;
  let api: RunningApp;

  beforeAll(async () => {
    identity = await startIdentity();
    api = await startWeatherApi({ env: { AUTHORITY: identity.url } });
  });
  afterAll(() => Promise.all([api?.stop(), identity?.stop()]));

  it('answers five forecasts in the ASP.NET template shape', async () => {
    const token = await getToken(identity.url, seedClient, { scope: 'api1' });
    const response = await getJson(`${api.url}/weatherforecast`, {
      headers: { authorization: `Bearer ${token}` },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const forecasts = response.json as Record<string, unknown>[];
    expect(forecasts).toHaveLength(5);
    for (const forecast of forecasts) {
      expect(forecast).toEqual({
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        temperatureC: expect.any(Number),
        temperatureF: expect.any(Number),
        summary: expect.any(String),
      });
      const { date, temperatureC, temperatureF } = forecast as {
        date: string;
        temperatureC: number;
        temperatureF: number;
      };
      expect(new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10)).toBe(date);
      expect(Number.isInteger(temperatureC)).toBe(true);
      expect(temperatureF).toBe(32 + Math.trunc(temperatureC / 0.5556));
    }
  });

  it('works with the scope omitted (every allowed scope) and client_secret_post', async () => {
    const token = await getToken(identity.url, seedClient, { method: 'post' });
    const response = await fetch(`${api.url}/weatherforecast`, {
      headers: { authorization: `Bearer ${token}` },
    });

    expect(response.status).toBe(200);
  });

  it('refuses the same request without the token', async () => {
    const response = await fetch(`${api.url}/weatherforecast`);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });
});
