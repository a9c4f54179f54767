import {
  eventually,
  getToken,
  postToken,
  rememberSecrets,
  seedClient,
  startIdentity,
  startWeatherApi,
  type RunningApp,
  type RunningIdentity,
} from '../support';

// GET /metrics on both built apps: the counters an operator alerts on, after real traffic.
describe('metrics: GET /metrics in the Prometheus text format', () => {
  let identity: RunningIdentity;
  let api: RunningApp;
  // An id that names no client: it must never become a label value.
  const madeUpClientId = `scanner-${Date.now()}-made-up`;

  const scrape = async (app: RunningApp): Promise<string> => {
    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };
  /** The value of one series, 0 when absent: `name{labels} value`, labels as Prometheus writes them. */
  const valueOf = (text: string, series: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };

  beforeAll(async () => {
    identity = await startIdentity();
    api = await startWeatherApi({ env: { AUTHORITY: identity.url } });

    const token = await getToken(identity.url, seedClient, { scope: 'api1' });
    const wrongSecret = await postToken(identity.url, {
      form: { grant_type: 'client_credentials' },
      basic: { id: seedClient.id, secret: 'not-the-secret' },
    });
    const unknownClient = await postToken(identity.url, {
      form: { grant_type: 'client_credentials' },
      post: { id: madeUpClientId, secret: 'whatever-it-is' },
    });
    expect([wrongSecret.status, unknownClient.status]).toEqual([401, 401]);

    const call = (authorization?: string) =>
      fetch(`${api.url}/weatherforecast`, {
        headers: authorization === undefined ? {} : { authorization },
      });
    // Verified in full, then admitted from the cache; a forged token refused.
    expect((await call(`Bearer ${token}`)).status).toBe(200);
    expect((await call(`Bearer ${token}`)).status).toBe(200);
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.AAAA`;
    rememberSecrets(forged);
    expect((await call(`Bearer ${forged}`)).status).toBe(401);
    expect((await call()).status).toBe(401);
  });
  afterAll(() => Promise.all([api?.stop(), identity?.stop()]));

  describe('the identity', () => {
    it('counts issued tokens by client and grant type', async () => {
      const text = await scrape(identity);
      expect(
        valueOf(
          text,
          'identity_tokens_issued_total{client_id="client",grant_type="client_credentials"}',
        ),
      ).toBe(1);
    });

    it('counts failed authentications by reason, never naming the presented client id', async () => {
      const text = await scrape(identity);
      const failures = 'identity_client_authentication_failures_total';
      expect(valueOf(text, `${failures}{reason="wrong_secret"}`)).toBe(1);
      expect(valueOf(text, `${failures}{reason="unknown_client"}`)).toBe(1);
      const reasons = [...text.matchAll(new RegExp(`^${failures}\\{reason="([^"]*)"\\}`, 'gm'))];
      for (const [, reason] of reasons)
        expect([
          'unknown_client',
          'disabled_client',
          'no_secret',
          'wrong_secret',
          'no_authentication',
          'locked_out',
        ]).toContain(reason);
      expect(text).not.toContain(madeUpClientId);
    });

    it('times requests by route pattern and status', async () => {
      const text = await scrape(identity);
      const count = (status: number) =>
        valueOf(
          text,
          `http_request_duration_seconds_count{method="POST",route="/connect/token",status_code="${status}"}`,
        );
      expect(count(200)).toBe(1);
      expect(count(401)).toBe(2);
      expect(
        valueOf(
          text,
          'http_request_duration_seconds_sum{method="POST",route="/connect/token",status_code="200"}',
        ),
      ).toBeGreaterThan(0);
    });

    it('reports the signing key in use and the keys published', async () => {
      const text = await scrape(identity);
      expect(text).toMatch(/^identity_signing_key_age_seconds \d+(\.\d+)?$/m);
      expect(valueOf(text, 'identity_signing_keys_published')).toBe(1);
      expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    });
  });

  describe('the weather-api', () => {
    it('answers /metrics without a token (its bearer guard is global)', async () => {
      const response = await fetch(`${api.url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('www-authenticate')).toBeNull();
    });

    it('counts token validations by outcome and the JWKS fetch', async () => {
      const text = await scrape(api);
      const validations = 'jwt_bearer_token_validations_total';
      expect(valueOf(text, `${validations}{outcome="valid"}`)).toBe(1);
      expect(valueOf(text, `${validations}{outcome="cached"}`)).toBe(1);
      expect(valueOf(text, `${validations}{outcome="invalid"}`)).toBe(1);
      expect(
        valueOf(text, 'jwt_bearer_jwks_fetches_total{outcome="success"}'),
      ).toBeGreaterThanOrEqual(1);
    });

    it('times requests by route pattern and status', async () => {
      const text = await scrape(api);
      const count = (status: number) =>
        valueOf(
          text,
          `http_request_duration_seconds_count{method="GET",route="/weatherforecast",status_code="${status}"}`,
        );
      expect(count(200)).toBe(2);
      expect(count(401)).toBe(2);
    });
  });

  it('leaves scrapes and health probes out of the request log of both apps', async () => {
    for (const app of [identity, api]) {
      await scrape(app);
      await fetch(`${app.url}/health`);
      // A request that is logged, after them: once its line is out, theirs would be too.
      const marker = `/not-a-route-${Date.now()}`;
      await fetch(`${app.url}${marker}`);
      expect(await eventually(() => Promise.resolve(app.output().includes(marker)), 5000)).toBe(
        true,
      );
      const requestLines = app
        .output()
        .split('\n')
        .filter((line) => line.includes('"req":'));
      expect(requestLines.filter((line) => /"url":"\/(metrics|health)/.test(line))).toEqual([]);
    }
  });

  describe('with the rate limits on', () => {
    let limited: RunningIdentity;

    beforeAll(async () => {
      limited = await startIdentity({
        env: {
          RATE_LIMIT: 'on',
          IDENTITY_RATE_LIMIT_CLIENT: '5/1m',
          IDENTITY_RATE_LIMIT_ADDRESS: '10000/1m',
          IDENTITY_LOCKOUT_THRESHOLD: '2',
          IDENTITY_LOCKOUT_WINDOW: '1m',
          IDENTITY_LOCKOUT_DURATION: '1m',
          IDENTITY_LOCKOUT_MAX_DURATION: '1m',
        },
      });
    });
    afterAll(() => limited?.stop());

    it('counts lock-outs as a failure reason, and throttled requests by throttle', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const response = await postToken(limited.url, {
          form: { grant_type: 'client_credentials' },
          basic: { id: seedClient.id, secret: 'not-the-secret' },
        });
        statuses.push(response.status);
      }
      // Two failures lock the id out; the sixth request for it is over the per-client limit.
      expect(statuses).toEqual([401, 401, 429, 429, 429, 429]);
      const text = await scrape(limited);
      const failures = 'identity_client_authentication_failures_total';
      expect(valueOf(text, `${failures}{reason="wrong_secret"}`)).toBe(2);
      expect(valueOf(text, `${failures}{reason="locked_out"}`)).toBe(3);
      expect(valueOf(text, 'identity_token_requests_throttled_total{throttle="client"}')).toBe(1);
      expect(valueOf(text, 'identity_token_requests_throttled_total{throttle="address"}')).toBe(0);
    });
  });
});
