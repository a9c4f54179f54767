import { webcrypto } from 'node:crypto';
import {
  createTestDatabase,
  decodeJwt,
  freePort,
  getJson,
  hashSecret,
  rememberSecrets,
  startIdentity,
  writeConfig,
  DISCOVERY_PATH,
  type RunningIdentity,
} from '../support';
import {
  dpopProof,
  dpopTestKey,
  jwkThumbprintOf,
  postTokenWithProofs,
  type RawTokenResponse,
} from '../support/dpop';

type OpenIdClient = typeof import('openid-client');
type OAuth4WebApi = typeof import('oauth4webapi');

/**
 * DPoP (RFC 9449) at the token endpoint: a valid proof binds the token to its key (`cnf.jkt`,
 * `token_type: DPoP`), server nonces (§8) are required by default, and every rule of §4.3 and §5
 * is refused in the OAuth error format. Interop: openid-client v6 and oauth4webapi.
 */
const client = { id: 'dpop-client', secret: 'dpop-client-secret-5b7e' };
const mustUseDPoP = { id: 'must-dpop', secret: 'must-dpop-secret-8d3a' };

const config = {
  apiScopes: [{ name: 'api1' }],
  apiResources: [{ name: 'api1', scopes: ['api1'] }],
  clients: [
    {
      clientId: client.id,
      clientSecrets: [{ value: hashSecret(client.secret) }],
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: ['api1'],
    },
    {
      clientId: mustUseDPoP.id,
      clientSecrets: [{ value: hashSecret(mustUseDPoP.secret) }],
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: ['api1'],
      requireDPoP: true,
    },
  ],
};

async function publicJwkOf(keyPair: CryptoKeyPair) {
  return webcrypto.subtle.exportKey('jwk', keyPair.publicKey);
}

/** Proofs the client libraries sent. */
let proofsSent = 0;

/** fetch, remembering the proof a client library sends, for the log-secrecy scan. */
const rememberingProofs = (
  url: string,
  options: { headers: Record<string, string>; body?: unknown },
): Promise<Response> => {
  const proof = new Headers(options.headers).get('dpop') ?? undefined;
  if (proof !== undefined) proofsSent++;
  rememberSecrets(proof);
  return fetch(url, options as RequestInit);
};

function errorOf(response: RawTokenResponse) {
  return { status: response.status, body: response.json };
}

describe('DPoP at the token endpoint (RFC 9449)', () => {
  let identity: RunningIdentity;
  let withoutNonces: RunningIdentity;
  let oidc: OpenIdClient;
  let oauth: OAuth4WebApi;
  const key = dpopTestKey('ES256');

  beforeAll(async () => {
    [oidc, oauth] = await Promise.all([import('openid-client'), import('oauth4webapi')]);
    const configFile = writeConfig(config);
    [identity, withoutNonces] = await Promise.all([
      startIdentity({ configFile }),
      startIdentity({ configFile, env: { IDENTITY_DPOP_NONCE: 'off' } }),
    ]);
  });
  afterAll(() => Promise.all([identity?.stop(), withoutNonces?.stop()]));

  /** The nonce the identity hands out with use_dpop_nonce. */
  async function currentNonce(target = identity): Promise<string> {
    const response = await postTokenWithProofs(target.url, client, [dpopProof(key, target.url)]);
    expect(response.status).toBe(400);
    return String(response.headers['dpop-nonce']);
  }

  describe('with the standard clients', () => {
    it('openid-client binds its token to its DPoP key (getDPoPHandle), nonce retry included', async () => {
      const config = await oidc.discovery(
        new URL(identity.url),
        client.id,
        client.secret,
        oidc.ClientSecretBasic(),
        { execute: [oidc.allowInsecureRequests] },
      );
      config[oidc.customFetch] = rememberingProofs;
      const keyPair = await oidc.randomDPoPKeyPair('ES256');
      const DPoP = oidc.getDPoPHandle(config, keyPair);
      const before = proofsSent;

      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'api1' }, { DPoP });
      rememberSecrets(tokens.access_token);

      expect(proofsSent - before).toBe(2); // the first got use_dpop_nonce; the library retried
      expect(tokens.token_type).toBe('dpop');
      const { payload } = decodeJwt(tokens.access_token);
      expect(payload.cnf).toEqual({ jkt: jwkThumbprintOf(await publicJwkOf(keyPair)) });
      expect(payload).toMatchObject({ aud: 'api1', scope: 'api1', client_id: client.id });
    });

    it('oauth4webapi gets use_dpop_nonce first, then a bound token with the nonce it was given', async () => {
      const issuer = new URL(identity.url);
      const as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }),
      );
      const oauthClient = { client_id: client.id };
      const auth = oauth.ClientSecretBasic(client.secret);
      const keyPair = await oauth.generateKeyPair('ES256', { extractable: true });
      // The handle reads only the client's clock-skew setting.
      const DPoP = oauth.DPoP({}, keyPair);
      const request = () =>
        oauth.clientCredentialsGrantRequest(
          as,
          oauthClient,
          auth,
          { scope: 'api1' },
          { DPoP, [oauth.allowInsecureRequests]: true, [oauth.customFetch]: rememberingProofs },
        );

      const first = await request();
      const refusal = await oauth
        .processClientCredentialsResponse(as, oauthClient, first)
        .catch((error: unknown) => error);
      expect(oauth.isDPoPNonceError(refusal)).toBe(true);

      const second = await request();
      expect(second.headers.get('dpop-nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const result = await oauth.processClientCredentialsResponse(as, oauthClient, second);
      rememberSecrets(result.access_token);

      expect(result.token_type).toBe('dpop');
      expect(decodeJwt(result.access_token).payload.cnf).toEqual({
        jkt: jwkThumbprintOf(await publicJwkOf(keyPair)),
      });
    });
  });

  it('advertises exactly the accepted proof algorithms', async () => {
    const metadata = await getJson(`${identity.url}${DISCOVERY_PATH}`);

    expect((metadata.json as Record<string, unknown>).dpop_signing_alg_values_supported).toEqual([
      'RS256',
      'RS384',
      'RS512',
      'PS256',
      'PS384',
      'PS512',
      'ES256',
      'ES384',
      'ES512',
      'EdDSA',
      'Ed25519',
    ]);
  });

  it('without a proof, issues a Bearer token as before, with no cnf', async () => {
    const response = await postTokenWithProofs(identity.url, client, []);

    expect(response.status).toBe(200);
    expect(response.json.token_type).toBe('Bearer');
    expect(decodeJwt(String(response.json.access_token)).payload.cnf).toBeUndefined();
    expect(response.headers['dpop-nonce']).toBeUndefined();
  });

  describe('server nonces (§8)', () => {
    it.each([
      ['missing', undefined],
      ['unknown or stale', 'A'.repeat(43)],
    ])(
      'answers a %s nonce with 400 use_dpop_nonce and a fresh DPoP-Nonce',
      async (_case, nonce) => {
        const response = await postTokenWithProofs(identity.url, client, [
          dpopProof(key, identity.url, { nonce }),
        ]);

        expect(errorOf(response)).toEqual({
          status: 400,
          body: {
            error: 'use_dpop_nonce',
            error_description: 'the DPoP proof must carry the nonce in the DPoP-Nonce header',
          },
        });
        expect(response.headers['dpop-nonce']).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(response.headers['cache-control']).toBe('no-store');
      },
    );

    it.each(['ES256', 'RS256', 'EdDSA'] as const)(
      'with the nonce, binds the token to the %s proof key and sends the next nonce',
      async (alg) => {
        const proofKey = alg === 'ES256' ? key : dpopTestKey(alg);
        const nonce = await currentNonce();

        const response = await postTokenWithProofs(identity.url, client, [
          dpopProof(proofKey, identity.url, { nonce }),
        ]);

        expect(response.status).toBe(200);
        expect(response.json).toEqual({
          access_token: expect.any(String),
          token_type: 'DPoP',
          expires_in: 3600,
          scope: 'api1',
        });
        expect(decodeJwt(String(response.json.access_token)).payload.cnf).toEqual({
          jkt: jwkThumbprintOf(proofKey.publicJwk),
        });
        expect(response.headers['dpop-nonce']).toBe(nonce);
      },
    );

    it('can be turned off (IDENTITY_DPOP_NONCE=off): a proof without nonce is enough', async () => {
      const response = await postTokenWithProofs(withoutNonces.url, client, [
        dpopProof(key, withoutNonces.url),
      ]);

      expect(response.status).toBe(200);
      expect(response.json.token_type).toBe('DPoP');
      expect(response.headers['dpop-nonce']).toBeUndefined();
    });
  });

  describe('invalid proofs (§4.3): 400 invalid_dpop_proof', () => {
    let nonce: string;
    beforeAll(async () => {
      nonce = await currentNonce();
    });

    const seg = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

    const cases: [string, (issuer: string, nonce: string) => string, string][] = [
      [
        'typ JWT',
        (iss, n) => dpopProof(key, iss, { nonce: n }, { typ: 'JWT' }),
        'the DPoP proof typ must be dpop+jwt',
      ],
      [
        'alg none',
        (iss, n) =>
          `${seg({ typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk })}.${seg({ jti: 'x', htm: 'POST', htu: `${iss}/connect/token`, iat: Math.floor(Date.now() / 1000), nonce: n })}.`,
        'the DPoP proof is not a compact JWS',
      ],
      [
        'alg HS256',
        (iss, n) => dpopProof(key, iss, { nonce: n }, { alg: 'HS256' }),
        'the DPoP proof alg is not an accepted asymmetric algorithm',
      ],
      [
        'a private key in jwk',
        (iss, n) =>
          dpopProof(key, iss, { nonce: n }, { jwk: key.privateKey.export({ format: 'jwk' }) }),
        'the DPoP proof jwk must be a public key, without private members',
      ],
      [
        'a signature by another key',
        (iss, n) => dpopProof(key, iss, { nonce: n }, { jwk: dpopTestKey().publicJwk }),
        'the DPoP proof signature does not verify with its jwk',
      ],
      [
        'htm GET',
        (iss, n) => dpopProof(key, iss, { nonce: n, htm: 'GET' }),
        'the DPoP proof htm does not match the request method',
      ],
      [
        'htu of another endpoint',
        (iss, n) => dpopProof(key, iss, { nonce: n, htu: `${iss}/connect/introspect` }),
        'the DPoP proof htu does not match the request URL',
      ],
      [
        'iat two minutes old',
        (iss, n) => dpopProof(key, iss, { nonce: n, iat: Math.floor(Date.now() / 1000) - 120 }),
        'the DPoP proof iat is too old',
      ],
      [
        'iat two minutes ahead',
        (iss, n) => dpopProof(key, iss, { nonce: n, iat: Math.floor(Date.now() / 1000) + 120 }),
        'the DPoP proof iat is in the future',
      ],
      [
        'no jti',
        (iss, n) => dpopProof(key, iss, { nonce: n, jti: undefined }),
        'the DPoP proof lacks the claim jti',
      ],
      ['not a JWT', () => 'not-a-jwt', 'the DPoP proof is not a compact JWS'],
    ];

    it.each(cases)('refuses %s', async (_case, proof, description) => {
      const response = await postTokenWithProofs(identity.url, client, [
        proof(identity.url, nonce),
      ]);

      expect(errorOf(response)).toEqual({
        status: 400,
        body: { error: 'invalid_dpop_proof', error_description: description },
      });
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('htu is compared without its query and fragment (§4.3)', async () => {
      const response = await postTokenWithProofs(identity.url, client, [
        dpopProof(key, identity.url, { nonce, htu: `${identity.url}/connect/token?x=1#f` }),
      ]);

      expect(response.status).toBe(200);
    });

    it('refuses two DPoP headers, even two valid proofs', async () => {
      const response = await postTokenWithProofs(identity.url, client, [
        dpopProof(key, identity.url, { nonce }),
        dpopProof(key, identity.url, { nonce }),
      ]);

      expect(errorOf(response)).toEqual({
        status: 400,
        body: {
          error: 'invalid_dpop_proof',
          error_description: 'exactly one DPoP header is allowed',
        },
      });
    });

    it('refuses a replayed proof (the same jti a second time)', async () => {
      const proof = dpopProof(key, identity.url, { nonce });
      const first = await postTokenWithProofs(identity.url, client, [proof]);
      const replay = await postTokenWithProofs(identity.url, client, [proof]);

      expect(first.status).toBe(200);
      expect(errorOf(replay)).toEqual({
        status: 400,
        body: {
          error: 'invalid_dpop_proof',
          error_description: 'the DPoP proof has been used before',
        },
      });
    });
  });

  describe('a client with requireDPoP', () => {
    it('is refused a token without a proof: 400 invalid_request (a required header missing)', async () => {
      const response = await postTokenWithProofs(identity.url, mustUseDPoP, []);

      expect(errorOf(response)).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: 'the client must send a DPoP proof' },
      });
    });

    it('gets a DPoP token with one', async () => {
      const nonce = await currentNonce();
      const response = await postTokenWithProofs(identity.url, mustUseDPoP, [
        dpopProof(key, identity.url, { nonce }),
      ]);

      expect(response.status).toBe(200);
      expect(response.json.token_type).toBe('DPoP');
    });
  });

  describe('replicas', () => {
    let one: RunningIdentity;
    let two: RunningIdentity;
    let issuer: string;

    beforeAll(async () => {
      const database = await createTestDatabase();
      const port = await freePort();
      issuer = `http://localhost:${port}`;
      const env = { DATABASE_URL: database.url, ISSUER: issuer };
      const configFile = writeConfig(config);
      [one, two] = await Promise.all([
        startIdentity({ port, env, configFile }),
        startIdentity({ env, configFile }),
      ]);
    });
    afterAll(() => Promise.all([one?.stop(), two?.stop()]));

    it('accept each other’s nonces with no shared nonce state', async () => {
      const refusal = await postTokenWithProofs(one.url, client, [dpopProof(key, issuer)]);
      const nonce = String(refusal.headers['dpop-nonce']);

      const response = await postTokenWithProofs(two.url, client, [
        dpopProof(key, issuer, { nonce }),
      ]);

      expect(response.status).toBe(200);
      expect(response.json.token_type).toBe('DPoP');
    });

    it('refuse the nonce of another authority (other signing keys)', async () => {
      const refusal = await postTokenWithProofs(one.url, client, [dpopProof(key, issuer)]);
      const foreign = String(refusal.headers['dpop-nonce']);

      const response = await postTokenWithProofs(identity.url, client, [
        dpopProof(key, identity.url, { nonce: foreign }),
      ]);

      expect(response.json.error).toBe('use_dpop_nonce');
      expect(response.headers['dpop-nonce']).not.toBe(foreign);
    });
  });
});
