import {
  ADMIN_SCOPE,
  adminRequest,
  appLogLines as linesOf,
  appLogsOfThisSpecFile,
  createClientRequest,
  getJson,
  getToken,
  hashSecret,
  postToken,
  leaksOf,
  rememberSecrets,
  secretsUsedByThisSpecFile,
  startIdentity,
  startWeatherApi,
  writeConfig,
  type Credentials,
  type RunningApp,
  type RunningIdentity,
} from '../support';

// Secrets never reach the logs. This spec makes its own full, verbose run (LOG_LEVEL=trace) with
// secrets long enough to be unmistakable, then looks for every credential and token it sent or
// received in every log line its identity and weather-api printed. It reads only what it started
// and sent, so it passes alone and in any order. The same scan over every app log and every
// secret of the whole e2e run happens in the global teardown (test/support/e2e-global-teardown.ts),
// once every spec has finished.
const service: Credentials = { id: 'log-scan-service', secret: 'svc-secret-4f9c1e7a2b8d' };
const admin: Credentials = { id: 'log-scan-admin', secret: 'admin-secret-9e3a5c7d1f0b' };
const wrongSecret = 'wrong-secret-7d2e9a4c6b1f';

const config = {
  apiScopes: [{ name: 'api1', displayName: 'My API' }],
  apiResources: [{ name: 'api1', displayName: 'My API', scopes: ['api1'] }],
  clients: [
    {
      clientId: service.id,
      clientSecrets: [{ value: hashSecret(service.secret) }],
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: ['api1'],
    },
    {
      clientId: admin.id,
      clientSecrets: [{ value: hashSecret(admin.secret) }],
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: [ADMIN_SCOPE],
    },
  ],
};

/** The lines the apps this spec file started printed, each with its file for the failure message. */
function appLogLines(): { file: string; line: string }[] {
  return linesOf(appLogsOfThisSpecFile());
}

describe('logs never hold a secret or a token', () => {
  let identity: RunningIdentity;
  let api: RunningApp;

  beforeAll(async () => {
    identity = await startIdentity({
      configFile: writeConfig(config),
      env: { LOG_LEVEL: 'trace' },
    });
    api = await startWeatherApi({ env: { AUTHORITY: identity.url, LOG_LEVEL: 'trace' } });

    // The verbose run: every way a secret or a token travels to these apps.
    const basicToken = await getToken(identity.url, service, { method: 'basic' });
    const postedToken = await getToken(identity.url, service, { method: 'post' });
    await postToken(identity.url, {
      form: { grant_type: 'client_credentials' },
      basic: { id: service.id, secret: wrongSecret },
    });
    await postToken(identity.url, {
      form: { grant_type: 'client_credentials' },
      post: { id: service.id, secret: wrongSecret },
    });
    // A secret in a malformed request (repeated parameter) is refused before it is checked.
    await postToken(identity.url, {
      form: [
        ['grant_type', 'client_credentials'],
        ['client_id', service.id],
        ['client_secret', service.secret],
        ['client_secret', service.secret],
      ],
    });
    const adminToken = await getToken(identity.url, admin, { scope: ADMIN_SCOPE });
    await adminRequest(
      identity.url,
      adminToken,
      'POST',
      '/admin/clients',
      createClientRequest('log-scan-created', 'created-secret-3b8e1d6f0a2c'),
    );
    await adminRequest(identity.url, `${adminToken}x`, 'GET', '/admin/clients');
    rememberSecrets(`${adminToken}x`);
    for (const token of [basicToken, postedToken]) {
      await getJson(`${api.url}/weatherforecast`, {
        headers: { authorization: `Bearer ${token}` },
      });
      // Tokens in the query string are ignored, and must not be logged either.
      await getJson(`${api.url}/weatherforecast?access_token=${token}`);
    }
    const tampered = `${basicToken.slice(0, -4)}AAAA`;
    rememberSecrets(tampered);
    await getJson(`${api.url}/weatherforecast`, {
      headers: { authorization: `Bearer ${tampered}` },
    });
    // Let the last lines reach the log files.
    await Promise.all([api.stop(), identity.stop()]);
  });
  afterAll(() => Promise.all([api?.stop(), identity?.stop()]));

  it('the run logged requests as JSON with a request id (the scan below is not vacuous)', () => {
    const requestLines = appLogLines().filter(({ line }) => line.includes('"request completed"'));
    expect(requestLines.length).toBeGreaterThan(10);
    for (const { line } of requestLines) {
      expect(JSON.parse(line)).toMatchObject({
        req: { id: expect.any(String), method: expect.any(String), url: expect.any(String) },
        res: { statusCode: expect.any(Number) },
      });
    }
    expect(secretsUsedByThisSpecFile()).toEqual(
      expect.arrayContaining([service.secret, admin.secret, wrongSecret]),
    );
  });

  it('a failed client authentication is an audit event with its reason, for operators only', () => {
    const events = appLogLines()
      .filter(({ line }) => line.includes('"audit.client.authentication_failed"'))
      .map(({ line }) => (JSON.parse(line) as { audit: Record<string, unknown> }).audit);
    expect(events).toContainEqual(
      expect.objectContaining({
        clientId: service.id,
        method: 'client_secret_basic',
        reason: 'secret wrong or expired',
        address: expect.any(String),
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ clientId: service.id, method: 'client_secret_post' }),
    );
  });

  it('an issued token is an audit event without the token', () => {
    const issued = appLogLines().filter(({ line }) => line.includes('"audit.token.issued"'));
    expect(issued.map(({ line }) => (JSON.parse(line) as { audit: unknown }).audit)).toContainEqual(
      expect.objectContaining({
        clientId: service.id,
        grantType: 'client_credentials',
        scope: 'api1',
      }),
    );
  });

  it('no secret and no token this spec sent or received appears in any log of its apps', () => {
    expect(leaksOf(secretsUsedByThisSpecFile(), appLogLines())).toEqual([]);
  });
});
