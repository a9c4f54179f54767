import {
  constants,
  createHash,
  generateKeyPairSync,
  randomUUID,
  sign,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import {
  DISCOVERY_PATH,
  TOKEN_PATH,
  basicAuthorization,
  decodeJwt,
  eventually,
  getJson,
  hashSecret,
  postToken,
  rememberSecrets,
  startIdentity,
  startWeatherApi,
  writeConfig,
  type Credentials,
  type RunningApp,
  type RunningIdentity,
  type TokenResponseBody,
  type WireResponse,
} from '../support';
import { jwkThumbprintOf, postTokenWithProofs } from '../support/dpop';

type OpenIdClient = typeof import('openid-client');
type OAuth4WebApi = typeof import('oauth4webapi');

/**
 * The whole chain end to end: the features built separately (reference tokens, introspection
 * and revocation; resource indicators and DPoP at the token endpoint; the weather-api's
 * introspection and DPoP checks) proven together, with a real identity, real weather-api
 * processes talking to it, and the standard clients (openid-client v6, oauth4webapi).
 */
const API1_URI = 'https://api1.example.com/';
const API2_URI = 'https://api2.example.com/';

/** The weather-api's introspection credentials: the api1 resource and one of its apiSecrets. */
const api1 = { id: 'api1', secret: 'chain-api1-introspection-secret-71c4' };
const reference = { id: 'chain-reference', secret: 'chain-reference-secret-2f9a' };
const jwtClient = { id: 'chain-jwt', secret: 'chain-jwt-secret-8b13' };
const mustUseDPoP = { id: 'chain-must-dpop', secret: 'chain-must-dpop-secret-5e0d' };
const indicating = { id: 'chain-indicating', secret: 'chain-indicating-secret-c6a8' };
const admin = { id: 'chain-admin', secret: 'chain-admin-secret-0d7b' };

const clientCredentials = ['client_credentials'];
const config = {
  apiScopes: [{ name: 'api1' }, { name: 'api2' }],
  apiResources: [
    {
      name: 'api1',
      scopes: ['api1'],
      uri: API1_URI,
      apiSecrets: [{ value: hashSecret(api1.secret) }],
    },
    { name: 'api2', scopes: ['api2'], uri: API2_URI },
  ],
  clients: [
    {
      clientId: reference.id,
      clientSecrets: [{ value: hashSecret(reference.secret) }],
      allowedGrantTypes: clientCredentials,
      allowedScopes: ['api1', 'api2'],
      accessTokenType: 'reference',
    },
    {
      clientId: jwtClient.id,
      clientSecrets: [{ value: hashSecret(jwtClient.secret) }],
      allowedGrantTypes: clientCredentials,
      allowedScopes: ['api1'],
    },
    {
      clientId: mustUseDPoP.id,
      clientSecrets: [{ value: hashSecret(mustUseDPoP.secret) }],
      allowedGrantTypes: clientCredentials,
      allowedScopes: ['api1'],
      requireDPoP: true,
    },
    {
      clientId: indicating.id,
      clientSecrets: [{ value: hashSecret(indicating.secret) }],
      allowedGrantTypes: clientCredentials,
      allowedScopes: ['api1', 'api2'],
      allowedResources: ['api1', 'api2'],
    },
    {
      clientId: admin.id,
      clientSecrets: [{ value: hashSecret(admin.secret) }],
      allowedGrantTypes: clientCredentials,
      allowedScopes: ['identity.admin'],
    },
  ],
};

/** The `alg` of the last DPoP proof a client library sent. */
let lastProofAlg: unknown;

/** fetch for the client libraries, remembering every credential, token and proof they send. */
const remembering = (
  url: string,
  options: { headers?: HeadersInit; body?: unknown; method?: string },
): Promise<Response> => {
  const headers = new Headers(options.headers);
  const proof = headers.get('dpop');
  if (proof !== null) lastProofAlg = decodeJwt(proof).header.alg;
  rememberSecrets(
    headers.get('dpop') ?? undefined,
    headers.get('authorization')?.replace(/^\S+\s+/, ''),
  );
  if (typeof options.body === 'string') {
    const form = new URLSearchParams(options.body);
    rememberSecrets(form.get('token') ?? undefined, form.get('client_secret') ?? undefined);
  }
  return fetch(url, options as RequestInit);
};

/** GET with `Authorization: Bearer <token>` only, as a client would send a plain bearer token. */
function asBearer(url: string, token: string): Promise<WireResponse> {
  return getJson(`${url}/weatherforecast`, { headers: { authorization: `Bearer ${token}` } });
}

/** The `WWW-Authenticate` error code of a refusal. */
function challengeError(response: WireResponse): string | undefined {
  return /error="([^"]+)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1];
}

// A DPoP proof signed with node:crypto, for every algorithm discovery lists (the standard
// clients sign with a few only).
type ProofAlg =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519';

interface ProofKey {
  readonly alg: ProofAlg;
  readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey;
}

function proofKey(alg: ProofAlg): ProofKey {
  const curve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as Record<string, string>;
  const pair =
    alg === 'EdDSA' || alg === 'Ed25519'
      ? generateKeyPairSync('ed25519')
      : alg.startsWith('ES')
        ? generateKeyPairSync('ec', { namedCurve: curve[alg] })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { alg, privateKey: pair.privateKey, publicJwk: pair.publicKey.export({ format: 'jwk' }) };
}

const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A proof for `htm htu` (RFC 9449 §4.2); with `token`, its `ath`. Remembered for the log scan. */
function signedProof(
  key: ProofKey,
  htm: string,
  htu: string,
  { nonce, token }: { nonce?: string; token?: string } = {},
): string {
  const header = { typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk };
  const claims = {
    jti: randomUUID(),
    htm,
    htu,
    iat: Math.floor(Date.now() / 1000),
    ...(nonce === undefined ? {} : { nonce }),
    ...(token === undefined ? {} : { ath: createHash('sha256').update(token).digest('base64url') }),
  };
  const input = Buffer.from(`${segment(header)}.${segment(claims)}`);
  const digest = `sha${key.alg.slice(2)}`;
  const signature =
    key.alg === 'EdDSA' || key.alg === 'Ed25519'
      ? sign(null, input, key.privateKey)
      : key.alg.startsWith('ES')
        ? sign(digest, input, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
        : key.alg.startsWith('PS')
          ? sign(digest, input, {
              key: key.privateKey,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
            })
          : sign(digest, input, { key: key.privateKey, padding: constants.RSA_PKCS1_PADDING });
  const proof = `${input.toString()}.${signature.toString('base64url')}`;
  rememberSecrets(proof);
  return proof;
}

describe('the chain end to end: identity and weather-api, with the standard clients', () => {
  let oidc: OpenIdClient;
  let oauth: OAuth4WebApi;
  let identity: RunningIdentity;
  /** API_SECRET set, introspection answers reused for 1 s. */
  let api: RunningApp;
  /** No API_SECRET: JWTs only. */
  let jwtOnlyApi: RunningApp;
  let metadata: Record<string, unknown>;

  beforeAll(async () => {
    rememberSecrets(api1.secret, reference.secret, jwtClient.secret, mustUseDPoP.secret);
    rememberSecrets(indicating.secret, admin.secret);
    [oidc, oauth] = await Promise.all([import('openid-client'), import('oauth4webapi')]);
    identity = await startIdentity({ configFile: writeConfig(config) });
    [api, jwtOnlyApi] = await Promise.all([
      startWeatherApi({
        env: {
          AUTHORITY: identity.url,
          API_SECRET: api1.secret,
          INTROSPECTION_CACHE_SECONDS: '1',
        },
      }),
      startWeatherApi({ env: { AUTHORITY: identity.url } }),
    ]);
    metadata = (await getJson(`${identity.url}${DISCOVERY_PATH}`)).json as Record<string, unknown>;
  });
  afterAll(() => Promise.all([api?.stop(), jwtOnlyApi?.stop(), identity?.stop()]));

  /** openid-client's Configuration for `client`, discovered from the identity. */
  async function openIdConfiguration(client: Credentials) {
    const configuration = await oidc.discovery(
      new URL(identity.url),
      client.id,
      client.secret,
      oidc.ClientSecretBasic(),
      { execute: [oidc.allowInsecureRequests] },
    );
    configuration[oidc.customFetch] = remembering;
    return configuration;
  }

  async function oauthServer() {
    const issuer = new URL(identity.url);
    return oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }),
    );
  }

  const libraryOptions = () =>
    ({ [oauth.allowInsecureRequests]: true, [oauth.customFetch]: remembering }) as const;

  /** oauth4webapi's client credentials grant with a DPoP handle, retrying once on use_dpop_nonce. */
  async function dpopGrant(client: Credentials, dpop: ReturnType<OAuth4WebApi['DPoP']>) {
    const as = await oauthServer();
    const oauthClient = { client_id: client.id };
    const request = async () =>
      oauth.processClientCredentialsResponse(
        as,
        oauthClient,
        await oauth.clientCredentialsGrantRequest(
          as,
          oauthClient,
          oauth.ClientSecretBasic(client.secret),
          { scope: 'api1' },
          { DPoP: dpop, ...libraryOptions() },
        ),
      );
    const result = await request().catch(async (error: unknown) => {
      if (!oauth.isDPoPNonceError(error)) throw error;
      return request();
    });
    rememberSecrets(result.access_token);
    return result;
  }

  /** GET /weatherforecast through oauth4webapi with `dpop`: the status, challenge included. */
  async function dpopRequest(
    target: RunningApp,
    token: string,
    dpop: ReturnType<OAuth4WebApi['DPoP']>,
  ): Promise<{ status: number; error?: string }> {
    try {
      const response = await oauth.protectedResourceRequest(
        token,
        'GET',
        new URL(`${target.url}/weatherforecast`),
        undefined,
        undefined,
        { DPoP: dpop, ...libraryOptions() },
      );
      if (response.status === 200) expect(await response.json()).toHaveLength(5);
      return { status: response.status };
    } catch (error) {
      if (!(error instanceof oauth.WWWAuthenticateChallengeError)) throw error;
      return { status: error.status, error: error.cause[0]?.parameters.error };
    }
  }

  describe('reference tokens (RFC 7662, RFC 7009) at the weather-api', () => {
    it('openid-client gets a reference token, the API accepts it, and refuses it once revoked', async () => {
      const configuration = await openIdConfiguration(reference);
      const tokens = await oidc.clientCredentialsGrant(configuration, { scope: 'api1' });
      rememberSecrets(tokens.access_token);
      expect(tokens.access_token).not.toContain('.'); // opaque, not a JWS
      expect(tokens.token_type).toBe('bearer');

      const resource = new URL(`${api.url}/weatherforecast`);
      const before = await oidc.fetchProtectedResource(
        configuration,
        tokens.access_token,
        resource,
        'GET',
      );
      expect(before.status).toBe(200);
      expect(await before.json()).toHaveLength(5);

      await oidc.tokenRevocation(configuration, tokens.access_token, {
        token_type_hint: 'access_token',
      });

      // The API reuses an active answer for INTROSPECTION_CACHE_SECONDS (1 s here), no longer.
      expect(
        await eventually(
          async () => (await asBearer(api.url, tokens.access_token)).status === 401,
          5000,
        ),
      ).toBe(true);
      const after = await asBearer(api.url, tokens.access_token);
      expect(after.json).toEqual({
        error: 'invalid_token',
        error_description: 'the token is not active',
      });
      await expect(
        oidc.fetchProtectedResource(configuration, tokens.access_token, resource, 'GET'),
      ).rejects.toMatchObject({ status: 401 });
    });

    it('refuses a reference token issued for another resource (aud api2): 401 invalid_token', async () => {
      const tokens = await oidc.clientCredentialsGrant(await openIdConfiguration(reference), {
        scope: 'api2',
      });
      rememberSecrets(tokens.access_token);

      const response = await asBearer(api.url, tokens.access_token);

      expect(response.status).toBe(401);
      expect(challengeError(response)).toBe('invalid_token');
    });

    it('without API_SECRET, the API refuses a reference token: 401 invalid_token', async () => {
      const tokens = await oidc.clientCredentialsGrant(await openIdConfiguration(reference), {
        scope: 'api1',
      });
      rememberSecrets(tokens.access_token);

      const response = await asBearer(jwtOnlyApi.url, tokens.access_token);

      expect(response.status).toBe(401);
      expect(challengeError(response)).toBe('invalid_token');
      // The same token is good where the API may introspect.
      expect((await asBearer(api.url, tokens.access_token)).status).toBe(200);
    });
  });

  describe('DPoP (RFC 9449) from the token endpoint to the weather-api', () => {
    it('oauth4webapi: a DPoP-bound JWT works with the same handle, not as Bearer nor with another key', async () => {
      const dpop = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
      const result = await dpopGrant(jwtClient, dpop);
      expect(result.token_type).toBe('dpop');
      expect(decodeJwt(result.access_token).payload.cnf).toEqual({
        jkt: await dpop.calculateThumbprint(),
      });

      expect(await dpopRequest(api, result.access_token, dpop)).toEqual({ status: 200 });
      expect(await dpopRequest(jwtOnlyApi, result.access_token, dpop)).toEqual({ status: 200 });

      const asBearerToken = await asBearer(api.url, result.access_token);
      expect(asBearerToken.status).toBe(401);
      expect(challengeError(asBearerToken)).toBe('invalid_token');

      const otherKey = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
      expect(await dpopRequest(api, result.access_token, otherKey)).toEqual({
        status: 401,
        error: 'invalid_token',
      });
    });

    it('openid-client: a DPoP-bound reference token (reference + DPoP) works through introspection', async () => {
      const configuration = await openIdConfiguration(reference);
      const DPoP = oidc.getDPoPHandle(configuration, await oidc.randomDPoPKeyPair('ES256'));
      const tokens = await oidc.clientCredentialsGrant(configuration, { scope: 'api1' }, { DPoP });
      rememberSecrets(tokens.access_token);
      expect(tokens.token_type).toBe('dpop');
      expect(tokens.access_token).not.toContain('.');

      const response = await oidc.fetchProtectedResource(
        configuration,
        tokens.access_token,
        new URL(`${api.url}/weatherforecast`),
        'GET',
        undefined,
        undefined,
        { DPoP },
      );
      expect(response.status).toBe(200);

      const asBearerToken = await asBearer(api.url, tokens.access_token);
      expect(asBearerToken.status).toBe(401);
      expect(challengeError(asBearerToken)).toBe('invalid_token');
    });

    it('oauth4webapi: the same for a reference token with an Ed25519 key; another key is refused', async () => {
      const dpop = oauth.DPoP({}, await oauth.generateKeyPair('EdDSA'));
      const result = await dpopGrant(reference, dpop);
      expect(result.token_type).toBe('dpop');

      expect(await dpopRequest(api, result.access_token, dpop)).toEqual({ status: 200 });
      // The library signs an Ed25519 key's proofs as RFC 9864's Ed25519, not EdDSA.
      expect(lastProofAlg).toBe('Ed25519');
      const otherKey = oauth.DPoP({}, await oauth.generateKeyPair('EdDSA'));
      expect(await dpopRequest(api, result.access_token, otherKey)).toEqual({
        status: 401,
        error: 'invalid_token',
      });
    });

    it('a requireDPoP client gets 400 invalid_request without a proof (openid-client)', async () => {
      await expect(
        oidc.clientCredentialsGrant(await openIdConfiguration(mustUseDPoP), { scope: 'api1' }),
      ).rejects.toMatchObject({ status: 400, error: 'invalid_request' });

      const dpop = oauth.DPoP({}, await oauth.generateKeyPair('ES256'));
      const result = await dpopGrant(mustUseDPoP, dpop);
      expect(await dpopRequest(api, result.access_token, dpop)).toEqual({ status: 200 });
    });
  });

  describe('resource indicators (RFC 8707) at the weather-api', () => {
    it('a token for the API resource uri is accepted; one for another resource is refused (aud)', async () => {
      const configuration = await openIdConfiguration(indicating);
      const forApi1 = await oidc.clientCredentialsGrant(configuration, { resource: API1_URI });
      const forApi2 = await oidc.clientCredentialsGrant(configuration, { resource: API2_URI });
      rememberSecrets(forApi1.access_token, forApi2.access_token);
      expect(decodeJwt(forApi1.access_token).payload).toMatchObject({ aud: 'api1', scope: 'api1' });
      expect(decodeJwt(forApi2.access_token).payload).toMatchObject({ aud: 'api2', scope: 'api2' });

      const accepted = await oidc.fetchProtectedResource(
        configuration,
        forApi1.access_token,
        new URL(`${api.url}/weatherforecast`),
        'GET',
      );
      expect(accepted.status).toBe(200);

      const refused = await asBearer(api.url, forApi2.access_token);
      expect(refused.status).toBe(401);
      expect(refused.json).toEqual({
        error: 'invalid_token',
        error_description: expect.stringMatching(/audience/),
      });
    });
  });

  describe('discovery advertises exactly what works', () => {
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

    it('names endpoints on this issuer, and the grant, scopes and algorithms that work', async () => {
      expect(metadata).toMatchObject({
        issuer: identity.url,
        token_endpoint: `${identity.url}${TOKEN_PATH}`,
        introspection_endpoint: `${identity.url}/connect/introspect`,
        revocation_endpoint: `${identity.url}/connect/revocation`,
        grant_types_supported: ['client_credentials'],
        response_types_supported: [],
      });
      // The configured scopes and the admin API's built-in one.
      expect([...(metadata.scopes_supported as string[])].sort()).toEqual([
        'api1',
        'api2',
        'identity.admin',
      ]);

      // Each scope listed gets a token; the algorithm it is signed with is listed.
      for (const scope of metadata.scopes_supported as string[]) {
        const response = await postToken(identity.url, {
          form: { grant_type: 'client_credentials', scope },
          basic: scope === 'identity.admin' ? admin : indicating,
        });
        expect(response.status).toBe(200);
        const { header } = decodeJwt((response.json as TokenResponseBody).access_token);
        expect(metadata.access_token_signing_alg_values_supported).toContain(header.alg);
      }
    });

    it('the introspection endpoint answers, signed with a listed algorithm on request (RFC 9701)', async () => {
      const tokens = await oidc.clientCredentialsGrant(await openIdConfiguration(reference), {
        scope: 'api1',
      });
      rememberSecrets(tokens.access_token);
      const endpoint = metadata.introspection_endpoint as string;

      const json = await getJson(endpoint, {
        method: 'POST',
        headers: {
          authorization: basicAuthorization(api1),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form({ token: tokens.access_token }),
      });
      expect(json.status).toBe(200);
      expect(json.json).toMatchObject({ active: true, client_id: reference.id, aud: 'api1' });

      const signed = await fetch(endpoint, {
        method: 'POST',
        headers: {
          authorization: basicAuthorization(api1),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/token-introspection+jwt',
        },
        body: form({ token: tokens.access_token }),
      });
      expect(signed.status).toBe(200);
      const jwt = await signed.text();
      rememberSecrets(jwt);
      expect(metadata.introspection_signing_alg_values_supported).toContain(
        decodeJwt(jwt).header.alg,
      );
    });

    it('the revocation endpoint answers with client_secret_basic and client_secret_post, both listed', async () => {
      const methods = metadata.revocation_endpoint_auth_methods_supported as string[];
      expect(methods).toEqual(
        expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
      );
      for (const method of ['client_secret_basic', 'client_secret_post']) {
        const tokens = await oidc.clientCredentialsGrant(await openIdConfiguration(reference), {
          scope: 'api1',
        });
        rememberSecrets(tokens.access_token);
        const response = await fetch(metadata.revocation_endpoint as string, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            ...(method === 'client_secret_basic'
              ? { authorization: basicAuthorization(reference) }
              : {}),
          },
          body: form({
            token: tokens.access_token,
            ...(method === 'client_secret_post'
              ? { client_id: reference.id, client_secret: reference.secret }
              : {}),
          }),
        });
        expect(response.status).toBe(200);
        expect(
          await eventually(
            async () => (await asBearer(api.url, tokens.access_token)).status === 401,
            5000,
          ),
        ).toBe(true);
      }
    });

    it('lists at least ES256, RS256, EdDSA and PS256 as DPoP proof algorithms', () => {
      expect(metadata.dpop_signing_alg_values_supported).toEqual(
        expect.arrayContaining(['ES256', 'RS256', 'EdDSA', 'PS256']),
      );
    });

    it('every listed DPoP algorithm gets a bound token, which the weather-api accepts', async () => {
      const tokenEndpoint = metadata.token_endpoint as string;
      for (const alg of metadata.dpop_signing_alg_values_supported as ProofAlg[]) {
        const key = proofKey(alg);
        const first = await postTokenWithProofs(identity.url, jwtClient, [
          signedProof(key, 'POST', tokenEndpoint),
        ]);
        expect({ alg, status: first.status, error: first.json.error }).toEqual({
          alg,
          status: 400,
          error: 'use_dpop_nonce',
        });
        const nonce = String(first.headers['dpop-nonce']);

        const issued = await postTokenWithProofs(identity.url, jwtClient, [
          signedProof(key, 'POST', tokenEndpoint, { nonce }),
        ]);
        expect({ alg, status: issued.status, type: issued.json.token_type }).toEqual({
          alg,
          status: 200,
          type: 'DPoP',
        });
        const token = String(issued.json.access_token);
        expect(decodeJwt(token).payload.cnf).toEqual({ jkt: jwkThumbprintOf(key.publicJwk) });

        const htu = `${api.url}/weatherforecast`;
        const response = await getJson(htu, {
          headers: {
            authorization: `DPoP ${token}`,
            dpop: signedProof(key, 'GET', htu, { token }),
          },
        });
        expect({ alg, status: response.status }).toEqual({ alg, status: 200 });
      }
    });
  });
});
