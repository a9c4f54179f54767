import {
  clients,
  decodeJwt,
  eventually,
  freePort,
  getJson,
  getToken,
  startIdentity,
  startWeatherApi,
  tempDir,
  type RunningApp,
  type RunningIdentity,
} from '../support';

// The API and its authority start, stop and restart independently: keys are discovered when the
// authority becomes reachable, cached while it is down, and survive its restarts.
// The steps below share one authority port and data dir and run in order.
describe('resilience: the API and its authority, started and stopped independently', () => {
  const dataDir = tempDir('identity-resilience-');
  let port: number;
  let identity: RunningIdentity | undefined;
  let api: RunningApp;
  let firstToken: string;
  let unusedToken: string;

  beforeAll(async () => {
    port = await freePort();
    // A token from the authority's first life: the API has never seen this authority yet.
    const first = await startIdentity({ dataDir, port });
    firstToken = await getToken(first.url, clients.standard);
    await first.stop();
  });
  afterAll(() => Promise.all([api?.stop(), identity?.stop()]));

  const status = async (token: string) =>
    (
      await fetch(`${api.url}/weatherforecast`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).status;

  it('an API started while its authority is down starts, and answers 503 with Retry-After', async () => {
    api = await startWeatherApi({ env: { AUTHORITY: `http://localhost:${port}` } });

    // The token cannot be checked yet: neither valid nor invalid, so no 401 (the client keeps it).
    const response = await getJson(`${api.url}/weatherforecast`, {
      headers: { authorization: `Bearer ${firstToken}` },
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(response.json).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'the token cannot be checked now',
    });
    expect(api.process.exitCode).toBeNull();
  });

  it('once the authority starts, the same API validates tokens without a restart', async () => {
    identity = await startIdentity({ dataDir, port });

    expect(await eventually(async () => (await status(firstToken)) === 200, 15_000)).toBe(true);
    expect(await status(await getToken(identity.url, clients.standard))).toBe(200);
    unusedToken = await getToken(identity.url, clients.standard);
  });

  it('while the authority is down, the cached keys keep working', async () => {
    await identity!.stop();
    identity = undefined;

    expect(await status(firstToken)).toBe(200);
    // Never shown to the API before: validated with the cached key, not a cached verdict.
    expect(await status(unusedToken)).toBe(200);
  });

  it('after the authority restarts on the same data dir, old and new tokens are accepted', async () => {
    identity = await startIdentity({ dataDir, port });
    const newToken = await getToken(identity.url, clients.standard);

    expect(decodeJwt(newToken).header.kid).toBe(decodeJwt(firstToken).header.kid);
    expect(await status(firstToken)).toBe(200);
    expect(await status(newToken)).toBe(200);
  });

  it('after the authority restarts with a new key, an unknown kid makes the API refetch the keys', async () => {
    await identity!.stop();
    identity = await startIdentity({ dataDir: tempDir('identity-rotated-'), port });
    const rotatedToken = await getToken(identity.url, clients.standard);
    expect(decodeJwt(rotatedToken).header.kid).not.toBe(decodeJwt(firstToken).header.kid);

    expect(await eventually(async () => (await status(rotatedToken)) === 200, 15_000)).toBe(true);
  });
});
