import type { KeyObject } from 'node:crypto';
import { FakeAuthority } from '@nest-identity/jwt-bearer/testing';
import {
  accessTokenClaims,
  clients,
  decodeJwt,
  getJson,
  getToken,
  readSigningKey,
  rememberSecrets,
  signRs256,
  startIdentity,
  startWeatherApi,
  writeRichConfig,
  type RunningApp,
  type RunningIdentity,
} from '../support';

type OAuth4WebApi = typeof import('oauth4webapi');

const ALGS = 'RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA Ed25519';

// The weather-api as an RFC 9449 §7 resource server, driven by oauth4webapi's DPoP support: the
// token is bound to the client's key (cnf.jkt) and signed here with the identity's own key (the
// identity's DPoP issuance is built separately), the proofs are oauth4webapi's.
describe('weather-api: DPoP-bound tokens (RFC 9449)', () => {
  let oauth: OAuth4WebApi;
  let identity: RunningIdentity;
  let api: RunningApp;
  let signingKey: KeyObject;
  let kid: string;
  let dpop: ReturnType<OAuth4WebApi['DPoP']>;
  let jkt: string;

  beforeAll(async () => {
    oauth = await import('oauth4webapi');
    identity = await startIdentity({ configFile: writeRichConfig() });
    api = await startWeatherApi({ env: { AUTHORITY: identity.url } });
    signingKey = readSigningKey(identity.dataDir);
    kid = decodeJwt(await getToken(identity.url, clients.standard)).header.kid as string;
    const keyPair = await oauth.generateKeyPair('ES256');
    dpop = oauth.DPoP({}, keyPair);
    jkt = await dpop.calculateThumbprint();
  });
  afterAll(() => Promise.all([api?.stop(), identity?.stop()]));

  /** A token as the identity would issue it for a DPoP proof of `jkt`. */
  function boundToken(claims: Record<string, unknown> = {}): string {
    return signRs256(
      { typ: 'at+jwt', kid },
      accessTokenClaims(identity.url, { cnf: { jkt }, ...claims }),
      signingKey,
    );
  }

  /** GET /weatherforecast through oauth4webapi, which signs a DPoP proof for it. */
  async function protectedRequest(token: string, captured?: Headers[]): Promise<Response> {
    return oauth.protectedResourceRequest(
      token,
      'GET',
      new URL(`${api.url}/weatherforecast`),
      undefined,
      undefined,
      {
        DPoP: dpop,
        [oauth.allowInsecureRequests]: true,
        [oauth.customFetch]: (url, init) => {
          const headers = new Headers(init?.headers);
          rememberSecrets(headers.get('dpop') ?? undefined);
          captured?.push(headers);
          return fetch(url, init as RequestInit);
        },
      },
    );
  }

  it('answers a DPoP-bound token with an oauth4webapi proof, on every request', async () => {
    const token = boundToken();
    for (let i = 0; i < 2; i++) {
      const response = await protectedRequest(token);
      expect(response.status).toBe(200);
      expect(await response.json()).toHaveLength(5);
    }
  });

  it('refuses a replayed proof: 401 invalid_dpop_proof with a DPoP challenge', async () => {
    const token = boundToken();
    const captured: Headers[] = [];
    expect((await protectedRequest(token, captured)).status).toBe(200);
    const replay = await getJson(`${api.url}/weatherforecast`, {
      headers: captured[0],
    });

    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toBe(
      `DPoP error="invalid_dpop_proof", error_description="the DPoP proof was used before", algs="${ALGS}"`,
    );
    expect(replay.json).toEqual({
      error: 'invalid_dpop_proof',
      error_description: 'the DPoP proof was used before',
    });
  });

  it('refuses the DPoP scheme without a proof', async () => {
    const response = await getJson(`${api.url}/weatherforecast`, {
      headers: { authorization: `DPoP ${boundToken()}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `DPoP error="invalid_dpop_proof", error_description="the request has no DPoP proof", algs="${ALGS}"`,
    );
  });

  it('refuses a DPoP-bound token sent as a bearer token (§7.2)', async () => {
    const response = await getJson(`${api.url}/weatherforecast`, {
      headers: { authorization: `Bearer ${boundToken()}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  /** oauth4webapi reads a 401/403 challenge into a WWWAuthenticateChallengeError. */
  async function challengeFor(token: string) {
    const error = await protectedRequest(token).then(
      (response) => response,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const { status, response, cause } = error as InstanceType<
      OAuth4WebApi['WWWAuthenticateChallengeError']
    >;
    return { status, challenge: response.headers.get('www-authenticate'), cause };
  }

  it('refuses a token bound to another key: invalid_token with a DPoP challenge', async () => {
    const token = signRs256(
      { typ: 'at+jwt', kid },
      accessTokenClaims(identity.url, {
        cnf: { jkt: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      }),
      signingKey,
    );
    const { status, challenge, cause } = await challengeFor(token);

    expect(status).toBe(401);
    expect(challenge).toBe(
      `DPoP error="invalid_token", error_description="the token is not bound to the DPoP proof key", algs="${ALGS}"`,
    );
    expect(cause[0]).toMatchObject({ scheme: 'dpop', parameters: { error: 'invalid_token' } });
  });

  it('403 insufficient_scope with a DPoP challenge', async () => {
    const { status, challenge } = await challengeFor(boundToken({ scope: 'other' }));

    expect(status).toBe(403);
    expect(challenge).toBe(`DPoP error="insufficient_scope", scope="api1", algs="${ALGS}"`);
  });

  it('keeps the no-token answer exactly `Bearer` (the contract)', async () => {
    const response = await getJson(`${api.url}/weatherforecast`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });
});

// API_SECRET: reference tokens through a local fake introspection endpoint, over real HTTP,
// with the built weather-api as a real process.
describe('weather-api: reference tokens through introspection (API_SECRET)', () => {
  const apiSecret = 'weather-api1-secret-e2e';
  const handle = 'e2eReferenceHandle0123456789abcdefABCDEF';
  let authority: FakeAuthority;
  let api: RunningApp;
  let credentials: unknown;

  beforeAll(async () => {
    rememberSecrets(apiSecret, handle, 'e2eUnknownHandle0123456789', 'e2eAnotherHandle0123456789');
    authority = await FakeAuthority.start();
    authority.introspect = (token, basic) => {
      credentials = basic;
      const now = Math.floor(Date.now() / 1000);
      return {
        body:
          token === handle
            ? { active: true, iss: authority.issuer, aud: 'api1', scope: 'api1', exp: now + 60 }
            : { active: false },
      };
    };
    api = await startWeatherApi({ env: { AUTHORITY: authority.issuer, API_SECRET: apiSecret } });
  });
  afterAll(async () => {
    await api?.stop();
    await authority?.close();
  });

  it('answers an active reference token, authenticating as AUDIENCE with API_SECRET', async () => {
    const response = await getJson(`${api.url}/weatherforecast`, {
      headers: { authorization: `Bearer ${handle}` },
    });
    expect(response.status).toBe(200);
    expect(credentials).toEqual({ id: 'api1', secret: apiSecret });
  });

  it('401 invalid_token for an inactive one', async () => {
    const response = await getJson(`${api.url}/weatherforecast`, {
      headers: { authorization: 'Bearer e2eUnknownHandle0123456789' },
    });
    expect(response.status).toBe(401);
    expect(response.json).toEqual({
      error: 'invalid_token',
      error_description: 'the token is not active',
    });
  });

  it('503 temporarily_unavailable with Retry-After while the authority cannot be asked', async () => {
    authority.available = false;
    try {
      const response = await getJson(`${api.url}/weatherforecast`, {
        headers: { authorization: 'Bearer e2eAnotherHandle0123456789' },
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.json).toMatchObject({ error: 'temporarily_unavailable' });
    } finally {
      authority.available = true;
    }
  });
});
