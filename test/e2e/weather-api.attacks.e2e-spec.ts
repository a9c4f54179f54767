import { execFileSync } from 'node:child_process';
import { constants, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  accessTokenClaims,
  decodeJwt,
  getJson,
  getToken,
  nowSeconds,
  rawRequest,
  readSigningKey,
  seedClient,
  signRs256,
  startIdentity,
  startWeatherApi,
  tempDir,
  type RunningApp,
  type RunningIdentity,
  type WireResponse,
} from '../support';

/** In every attacker-controlled value: no answer may echo it. */
const MARKER = 'evil';

/** What the weather-api accepts at most in an Authorization header's token (its default). */
const MAX_TOKEN_LENGTH = 8192;

/** A local HTTP server that counts the requests it gets, by path. */
interface CountingServer {
  readonly url: string;
  readonly requests: Map<string, number>;
  count(path?: string): number;
  close(): Promise<void>;
}

async function countingServer(
  handle: (path: string, reply: (status: number, body: string) => void) => void,
): Promise<CountingServer> {
  const requests = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '';
    requests.set(path, (requests.get(path) ?? 0) + 1);
    handle(path, (status, body) => response.writeHead(status).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (path) =>
      path === undefined
        ? [...requests.values()].reduce((sum, n) => sum + n, 0)
        : (requests.get(path) ?? 0),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// JWT attacks at the weather-api (issue 5, point 3), against a real identity and real processes.
// The identity's ISSUER is a counting proxy in front of it, which is also the weather-api's
// AUTHORITY: every discovery and JWKS request the API makes is counted there. Tokens are signed
// with the identity's own key (read from its data dir) unless the case is an attacker's key, so
// each differs from a valid token in the one respect under test, and a control shows it is
// accepted without that respect.
describe('weather-api: JWT attacks', () => {
  let proxyServer: Server;
  let proxyUrl: string;
  const backchannel = new Map<string, number>();
  let identity: RunningIdentity;
  let api: RunningApp;
  let signingKey: KeyObject;
  let kid: string;
  /** The attacker's key pair and a self-signed certificate for it (x5u, x5c). */
  const attackerKeys = attackerKeyAndCertificate();
  const attackerKid = `${MARKER}-kid`;
  const attackerJwk = {
    ...attackerKeys.publicKey.export({ format: 'jwk' }),
    kid: attackerKid,
    use: 'sig',
    alg: 'RS256',
  };
  let attacker: CountingServer;

  beforeAll(async () => {
    proxyServer = createServer((request, response) => {
      const path = request.url ?? '';
      backchannel.set(path, (backchannel.get(path) ?? 0) + 1);
      const upstream = httpRequest(
        `${identity.url}${path}`,
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', () => response.writeHead(502).end());
      request.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxyServer.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxyServer.address() as AddressInfo).port}`;

    attacker = await countingServer((path, reply) => {
      if (path.endsWith('/jwks.json')) reply(200, JSON.stringify({ keys: [attackerJwk] }));
      else reply(200, attackerKeys.certificatePem);
    });

    identity = await startIdentity({ env: { ISSUER: proxyUrl } });
    api = await startWeatherApi({ env: { AUTHORITY: proxyUrl } });
    signingKey = readSigningKey(identity.dataDir);
    kid = decodeJwt(await getToken(identity.url, seedClient)).header.kid as string;
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), identity?.stop(), attacker?.close()]);
    proxyServer?.closeAllConnections();
    await new Promise((resolve) => proxyServer?.close(resolve));
  });

  const jwksFetches = () => backchannel.get('/.well-known/openid-configuration/jwks') ?? 0;

  function forecast(token: string, target: RunningApp = api): Promise<WireResponse> {
    return getJson(`${target.url}/weatherforecast`, {
      headers: { authorization: `Bearer ${token}` },
    });
  }

  const claims = (changes: Record<string, unknown> = {}) => accessTokenClaims(proxyUrl, changes);

  /** As the identity would issue it, with `header` and `claimChanges` changed. */
  const forge = (
    claimChanges: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
  ) => signRs256({ typ: 'at+jwt', kid, ...header }, claims(claimChanges), signingKey);

  /** A JWS over header and payload given as raw JSON text, signed RS256 by `key`. */
  function signRaw(headerJson: string, payloadJson: string, key: KeyObject = signingKey): string {
    const input = `${base64url(headerJson)}.${base64url(payloadJson)}`;
    return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
  }

  /** 401 invalid_token, the description in the challenge and the body, never an echo. */
  function expectRefused(response: WireResponse, description?: string): void {
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"]+"$/);
    const body = response.json as { error: string; error_description: string };
    expect(body.error).toBe('invalid_token');
    expect(challenge).toBe(
      `Bearer error="invalid_token", error_description="${body.error_description}"`,
    );
    if (description !== undefined) expect(body.error_description).toBe(description);
    expect(`${challenge} ${response.text}`).not.toContain(MARKER);
  }

  it('accepts a token forged here as the identity would issue it (the control)', async () => {
    expect((await forecast(forge())).status).toBe(200);
    expect(
      (
        await forecast(
          signRaw(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid }), JSON.stringify(claims())),
        )
      ).status,
    ).toBe(200);
  });

  describe('jku, x5u, jwk, x5c: keys come only from the authority’s JWKS, never from the token', () => {
    const injected = () => ({
      jku: `${attacker.url}/${MARKER}/jwks.json`,
      x5u: `${attacker.url}/${MARKER}/cert.pem`,
      jwk: attackerJwk,
      x5c: [attackerKeys.certificateDer],
    });

    it.each(['jku', 'x5u', 'jwk', 'x5c'] as const)(
      '%s naming the attacker’s key: refused whatever the kid, and the attacker’s URL never fetched',
      async (member) => {
        const header = { typ: 'at+jwt', [member]: injected()[member] };
        const payload = claims();
        const cases: [Record<string, unknown>, string][] = [
          [{ ...header, kid: attackerKid }, "the token's signing key is unknown"],
          [{ ...header, kid }, 'signature verification failed'],
          [header, 'signature verification failed'],
        ];
        for (const [attackHeader, description] of cases)
          expectRefused(
            await forecast(signRs256(attackHeader, payload, attackerKeys.privateKey)),
            description,
          );
        expect(attacker.count()).toBe(0);
      },
    );

    it('all four at once, signed by the attacker: refused, nothing fetched from the attacker', async () => {
      const token = signRs256(
        { typ: 'at+jwt', kid: attackerKid, ...injected() },
        claims(),
        attackerKeys.privateKey,
      );
      expectRefused(await forecast(token));
      expect(attacker.count()).toBe(0);
    });
  });

  describe('crit: this API understands no JWS extension (RFC 7515 §4.1.11)', () => {
    const refusal = 'the token requires JWS extensions (crit) this API does not support';

    it.each<[string, Record<string, unknown>]>([
      ['crit naming an unknown extension', { crit: [`urn:${MARKER}`], [`urn:${MARKER}`]: 1 }],
      ['crit naming a present registered member', { crit: ['b64'], b64: true }],
      ['crit naming a present claim-like member', { crit: ['exp'], exp: nowSeconds() + 300 }],
      ['crit empty', { crit: [] }],
      ['crit not an array', { crit: MARKER }],
    ])('%s: refused', async (_case, header) => {
      expectRefused(await forecast(forge({}, header)), refusal);
    });
  });

  describe('typ (RFC 9068 §4: at+jwt, case-insensitive, optionally application/)', () => {
    it.each(['at+JWT', 'AT+JWT', 'Application/At+Jwt'])('%s: accepted', async (typ) => {
      expect((await forecast(forge({}, { typ }))).status).toBe(200);
    });

    it.each<[string, unknown]>([
      ['jwt', 'jwt'],
      ['missing', undefined],
      ['a number', 1],
      ['an array', ['at+jwt']],
      ['with a trailing space', 'at+jwt '],
      ['another media type', `application/${MARKER}+jwt`],
    ])('%s: refused', async (_case, typ) => {
      expectRefused(await forecast(forge({}, { typ })), "the token's typ must be at+jwt");
    });
  });

  describe('duplicate JSON member names: refused, never read either way', () => {
    const refusal = 'the token repeats a JSON member name';
    const headerText = () => JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid });
    /** The claims as JSON text with `extra` members inserted first (JSON.parse keeps the last). */
    const claimsWith = (extra: string) => `{${extra},${JSON.stringify(claims()).slice(1)}`;

    it.each<[string, () => string]>([
      [
        'alg none, then alg RS256',
        () => `{"alg":"none","typ":"at+jwt","kid":"${kid}","alg":"RS256"}`,
      ],
      [
        'an unknown kid, then the real one',
        () => `{"alg":"RS256","typ":"at+jwt","kid":"${MARKER}","kid":"${kid}"}`,
      ],
      [
        'typ JWT, then at+jwt written with an escape',
        () => `{"alg":"RS256","typ":"JWT","kid":"${kid}","\\u0074yp":"at+jwt"}`,
      ],
    ])('in the header: %s', async (_case, header) => {
      expectRefused(await forecast(signRaw(header(), JSON.stringify(claims()))), refusal);
    });

    it.each<[string, () => string]>([
      ['two aud (api2, then api1)', () => claimsWith('"aud":"api2"')],
      [
        'two iss (an attacker’s, then the real one)',
        () => claimsWith(`"iss":"https://${MARKER}.example"`),
      ],
      ['two exp (long past, then valid)', () => claimsWith('"exp":1')],
      ['aud twice, the second escaped', () => claimsWith('"\\u0061ud":"api2"')],
      ['a repeat inside a nested claim', () => claimsWith('"cnf":{"jkt":"a","jkt":"b"}')],
    ])('in the claims: %s', async (_case, payload) => {
      expectRefused(await forecast(signRaw(headerText(), payload())), refusal);
    });
  });

  describe('oversized tokens: refused before anything parses them', () => {
    /** A valid token padded by a claim to at most `length` characters, as close as base64 allows. */
    function tokenOfLength(length: number): string {
      const padded = (padding: number) => forge({ pad: 'x'.repeat(padding) });
      let [fits, tooLong] = [0, length];
      while (tooLong - fits > 1) {
        const middle = Math.floor((fits + tooLong) / 2);
        if (padded(middle).length <= length) fits = middle;
        else tooLong = middle;
      }
      return padded(fits);
    }

    it('a valid token of up to maxTokenLength (8192) characters: accepted', async () => {
      const token = tokenOfLength(MAX_TOKEN_LENGTH);
      expect(token.length).toBeGreaterThan(MAX_TOKEN_LENGTH - 4);
      expect((await forecast(token)).status).toBe(200);
    });

    it('the same, a few characters longer: 401 "the token is too large"', async () => {
      const token = tokenOfLength(MAX_TOKEN_LENGTH + 8);
      expect(token.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
      expectRefused(await forecast(token), 'the token is too large');
    });

    it('just under Node’s 16 KiB header limit: 401 "the token is too large"', async () => {
      const token = tokenOfLength(15_500);
      expectRefused(await forecast(token), 'the token is too large');
    });

    it.each([17 * 1024, 100 * 1024])(
      'over Node’s header limit (%s characters): 431 from Node, never parsed',
      async (length) => {
        const response = await rawRequest(`${api.url}/weatherforecast`, {
          method: 'GET',
          headers: { authorization: `Bearer ${'a'.repeat(length)}` },
        }).catch((error: NodeJS.ErrnoException) => ({ status: error.code ?? 'error' }));
        // Node answers 431 and closes; while a large header is still being written the client
        // may see the connection reset instead. Never a 5xx, never an answer from the app.
        expect([431, 'ECONNRESET', 'EPIPE']).toContain(response.status);
        expect((await forecast(forge())).status).toBe(200);
      },
    );
  });

  describe('time claims', () => {
    it('iat within the clock skew ahead: accepted', async () => {
      expect((await forecast(forge({ iat: nowSeconds() + 30 }))).status).toBe(200);
    });

    it('iat a day in the future, exp and nbf valid: 401 "the token was issued in the future"', async () => {
      expectRefused(
        await forecast(forge({ iat: nowSeconds() + 86_400 })),
        'the token was issued in the future',
      );
    });

    it.each<[string, Record<string, unknown>]>([
      ['exp a string', { exp: String(nowSeconds() + 300) }],
      ['nbf a string', { nbf: String(nowSeconds()) }],
      ['iat a string', { iat: MARKER }],
      ['iat null', { iat: null }],
      ['exp an array', { exp: [nowSeconds() + 300] }],
      ['exp missing', { exp: undefined }],
    ])('%s: refused', async (_case, changes) => {
      expectRefused(await forecast(forge(changes)));
    });

    it('exp 1e999 (JSON.parse makes it Infinity: a token that never expires): refused', async () => {
      const payload = JSON.stringify(claims()).replace(/"exp":\d+/, '"exp":1e999');
      expectRefused(
        await forecast(signRaw(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid }), payload)),
        "the token's exp is not a NumericDate",
      );
    });
  });

  describe('alg changed to another allowed asymmetric alg that does not fit the RS256 key', () => {
    const refusal = "the token's alg does not fit its signing key";
    const signWith = (alg: string, digest: string, options: object) => {
      const input = `${base64url(JSON.stringify({ alg, typ: 'at+jwt', kid }))}.${base64url(JSON.stringify(claims()))}`;
      const signature = sign(digest, Buffer.from(input), { key: signingKey, ...options });
      return `${input}.${signature.toString('base64url')}`;
    };

    it('PS256, a real RSASSA-PSS signature by the right key: refused', async () => {
      const token = signWith('PS256', 'sha256', {
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      });
      expectRefused(await forecast(token), refusal);
    });

    it('RS384, a real signature by the right key: refused', async () => {
      expectRefused(await forecast(signWith('RS384', 'sha384', {})), refusal);
    });

    it.each(['ES256', 'EdDSA'])('%s on an RS256 signature: refused', async (alg) => {
      expectRefused(await forecast(forge({}, { alg })), refusal);
    });
  });

  describe('a flood of unknown kids', () => {
    let floodApi: RunningApp;

    beforeAll(async () => {
      floodApi = await startWeatherApi({ env: { AUTHORITY: proxyUrl } });
    });
    afterAll(() => floodApi?.stop());

    it('1,000 requests: all 401 at once, the JWKS fetched at most once per 30 s cooldown, valid tokens unaffected', async () => {
      const payload = claims();
      const sameToken = signRs256(
        { typ: 'at+jwt', kid: `${MARKER}-same` },
        payload,
        attackerKeys.privateKey,
      );
      const tokens = Array.from({ length: 1000 }, (_, i) =>
        i % 2 === 0
          ? sameToken
          : signRs256({ typ: 'at+jwt', kid: `${MARKER}-${i}` }, payload, attackerKeys.privateKey),
      );
      const before = jwksFetches();
      const started = Date.now();

      const statuses: number[] = [];
      const descriptions = new Set<string>();
      for (let batch = 0; batch < tokens.length; batch += 25) {
        const responses = await Promise.all(
          tokens.slice(batch, batch + 25).map((token) => forecast(token, floodApi)),
        );
        for (const response of responses) {
          statuses.push(response.status);
          descriptions.add((response.json as { error_description: string }).error_description);
          expect(`${response.headers.get('www-authenticate')} ${response.text}`).not.toContain(
            MARKER,
          );
        }
      }
      const elapsedMs = Date.now() - started;

      expect(statuses.filter((status) => status !== 401)).toEqual([]);
      expect([...descriptions]).toEqual(["the token's signing key is unknown"]);
      const fetches = jwksFetches() - before;
      expect(fetches).toBeGreaterThanOrEqual(1);
      expect(fetches).toBeLessThanOrEqual(1 + Math.floor(elapsedMs / 30_000));

      // A valid token meanwhile: its key was in the one fetch, so no other is needed.
      const fetchesBeforeValid = jwksFetches();
      expect((await forecast(forge(), floodApi)).status).toBe(200);
      expect(jwksFetches()).toBe(fetchesBeforeValid);
    }, 120_000);
  });
});

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** An RSA key pair and a self-signed certificate for it, made by openssl. */
function attackerKeyAndCertificate() {
  const dir = tempDir('attacker-cert-');
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  // prettier-ignore
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', `/CN=${MARKER}.example`, '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  const privateKey = createPrivateKey(readFileSync(keyFile));
  const certificatePem = readFileSync(certFile, 'utf8');
  return {
    privateKey,
    publicKey: createPublicKey(privateKey),
    certificatePem,
    certificateDer: certificatePem.replace(/-----[^-]+-----|\s/g, ''),
  };
}
