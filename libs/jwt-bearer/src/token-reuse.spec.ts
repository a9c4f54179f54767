import { Controller, Get, Injectable, Logger } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  RequireScopes,
  TokenClaims,
  TokenRevocation,
  type AccessTokenClaims,
  type JwtBearerOptions,
} from '@nest-identity/jwt-bearer';
import {
  FakeAuthority,
  TestSigningKey,
  type TokenChanges,
} from '@nest-identity/jwt-bearer/testing';
import { AccessTokenVerifier } from './access-token-verifier';
import { SigningKeyResolver } from './signing-key-resolver';
import { VerifiedTokenCache } from './verified-token-cache';
import { compileResourceServer } from './resource-server.fixture';

@Controller()
class ClaimsController {
  @Get('claims')
  @RequireScopes('api1')
  claims(@TokenClaims() claims: AccessTokenClaims): AccessTokenClaims {
    return claims;
  }
}

/** Counts what is asked; revokes the jtis in `revoked`. */
@Injectable()
class RecordingRevocation extends TokenRevocation {
  static readonly revoked = new Set<unknown>();
  static asked = 0;
  static answerAsync = false;

  isRevoked(claims: AccessTokenClaims): boolean | Promise<boolean> {
    RecordingRevocation.asked++;
    const revoked = RecordingRevocation.revoked.has(claims.jti);
    return RecordingRevocation.answerAsync ? Promise.resolve(revoked) : revoked;
  }
}

afterEach(() => jest.restoreAllMocks());

/** VerifiedTokenCache in front of the verification: what a second request skips. */
describe('reusing the verdict on a token already verified', () => {
  let authority: FakeAuthority;
  let app: NestFastifyApplication;
  let resolve: jest.SpyInstance;
  let verify: jest.SpyInstance;
  let cache: VerifiedTokenCache;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    authority = await FakeAuthority.start();
    app = await startApp({ authority: authority.issuer });
    cache = app.get(VerifiedTokenCache);
  });
  beforeEach(() => {
    resolve = jest.spyOn(SigningKeyResolver.prototype, 'resolve');
    verify = jest.spyOn(AccessTokenVerifier.prototype, 'verify');
    RecordingRevocation.revoked.clear();
    RecordingRevocation.asked = 0;
    RecordingRevocation.answerAsync = false;
    authority.available = true;
    authority.publishedKeys = [authority.signingKey];
  });
  afterAll(async () => {
    await app.close();
    await authority.close();
  });

  const get = (token: string) =>
    app.inject({ url: '/claims', headers: { authorization: `Bearer ${token}` } });
  const sign = (changes?: TokenChanges) => authority.signAccessToken(changes);

  it('verifies a token once: the next requests resolve no key and check no signature', async () => {
    const token = sign();
    const first = await get(token);
    expect(first.statusCode).toBe(200);
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(verify).toHaveBeenCalledTimes(1);

    for (let i = 0; i < 3; i++) {
      const again = await get(token);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(first.json());
    }
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('finds the token whatever the case of the scheme', async () => {
    const token = sign();
    expect((await get(token)).statusCode).toBe(200);
    const lower = await app.inject({
      url: '/claims',
      headers: { authorization: `bearer ${token}` },
    });
    expect(lower.statusCode).toBe(200);
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it('hands every request the same frozen claims', async () => {
    const token = sign();
    await get(token);
    const claims = cache.get(token)?.claims;
    expect(Object.isFrozen(claims)).toBe(true);
  });

  it('still answers 403 to a cached token without the scope', async () => {
    const token = sign({ claims: { scope: 'api2' } });
    expect((await get(token)).statusCode).toBe(403);
    expect((await get(token)).statusCode).toBe(403);
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  describe('failures are not remembered', () => {
    it.each<[string, () => string]>([
      ['another audience', () => sign({ claims: { aud: 'api2' } })],
      ['a bad signature', () => sign({ key: new TestSigningKey(authority.signingKey.kid) })],
      ['typ JWT', () => sign({ header: { typ: 'JWT' } })],
      ['not valid yet beyond the skew', () => sign({ claims: { nbf: nowSeconds() + 120 } })],
    ])('%s: verified again on every request', async (_case, token) => {
      const invalid = token();
      const sizeBefore = cache.size;
      expect((await get(invalid)).statusCode).toBe(401);
      expect((await get(invalid)).statusCode).toBe(401);
      expect(resolve).toHaveBeenCalledTimes(2);
      expect(cache.size).toBe(sizeBefore);
    });

    it('an unknown key, accepted once the authority publishes it (after the refresh cooldown)', async () => {
      const next = new TestSigningKey();
      const token = sign({ key: next });
      expect((await get(token)).statusCode).toBe(401);
      authority.publishedKeys = [authority.signingKey, next];
      const later = Date.now() + 31_000;
      jest.spyOn(Date, 'now').mockReturnValue(later);
      expect((await get(token)).statusCode).toBe(200);
    });
  });

  describe('revocation (TokenRevocation)', () => {
    it('is asked on the full path and on every reuse', async () => {
      const token = sign();
      await get(token);
      await get(token);
      await get(token);
      expect(resolve).toHaveBeenCalledTimes(1);
      expect(RecordingRevocation.asked).toBe(3);
    });

    it.each([false, true])(
      'refuses a cached token once revoked (answering async: %s)',
      async (answerAsync) => {
        RecordingRevocation.answerAsync = answerAsync;
        const token = sign();
        expect((await get(token)).statusCode).toBe(200);
        RecordingRevocation.revoked.add(decodePayload(token).jti);
        const refused = await get(token);
        expect(refused.statusCode).toBe(401);
        expect(refused.json()).toEqual({
          error: 'invalid_token',
          error_description: 'the token was revoked',
        });
        expect(cache.get(token)).toBeUndefined();
      },
    );

    it('refuses a revoked token on the full path, and does not remember it', async () => {
      const token = sign();
      RecordingRevocation.revoked.add(decodePayload(token).jti);
      expect((await get(token)).json()).toEqual({
        error: 'invalid_token',
        error_description: 'the token was revoked',
      });
      expect(cache.get(token)).toBeUndefined();
    });
  });

  it('keeps serving cached tokens while the authority is down', async () => {
    const token = sign();
    expect((await get(token)).statusCode).toBe(200);
    authority.available = false;
    expect((await get(token)).statusCode).toBe(200);
  });
});

describe('reuse and key removal', () => {
  let authority: FakeAuthority;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    authority = await FakeAuthority.start();
    app = await startApp({ authority: authority.issuer, keyCacheSeconds: 0.3 });
  });
  afterAll(async () => {
    await app.close();
    await authority.close();
  });

  it('refuses a cached token once the authority no longer publishes its key', async () => {
    const token = authority.signAccessToken();
    const get = () => app.inject({ url: '/claims', headers: { authorization: `Bearer ${token}` } });
    const resolve = jest.spyOn(SigningKeyResolver.prototype, 'resolve');
    expect((await get()).statusCode).toBe(200);
    expect((await get()).statusCode).toBe(200);
    expect(resolve).toHaveBeenCalledTimes(1);

    authority.publishedKeys = [new TestSigningKey()];
    await sleep(350); // keyCacheSeconds: the full path would ask the JWKS again
    const refused = await get();
    expect(refused.json()).toEqual({
      error: 'invalid_token',
      error_description: "the token's signing key is unknown",
    });
    expect(authority.requests.jwks).toBe(2);
  });
});

// Issue 12, point 7: a key a fresh JWKS no longer lists stops verifying at the refetch, whatever
// keyCacheSeconds (10 min here, the default) and whatever verdicts are cached.
describe('a key dropped from the JWKS, at the next refetch', () => {
  let authority: FakeAuthority;
  let app: NestFastifyApplication;
  const get = (token: string) =>
    app.inject({ url: '/claims', headers: { authorization: `Bearer ${token}` } });
  const unknownKey = {
    error: 'invalid_token',
    error_description: "the token's signing key is unknown",
  };

  beforeAll(async () => {
    Logger.overrideLogger(false);
    authority = await FakeAuthority.start();
  });
  beforeEach(async () => {
    authority.publishedKeys = [authority.signingKey];
    app = await startApp({ authority: authority.issuer });
  });
  afterEach(() => app.close());
  afterAll(() => authority.close());

  /** The authority drops every key for `next`, whose first token makes the API refetch. */
  async function replaceKeys(...next: TestSigningKey[]): Promise<void> {
    const jwks = authority.requests.jwks;
    authority.publishedKeys = next;
    expect((await get(authority.signAccessToken({ key: next[next.length - 1] }))).statusCode).toBe(
      200,
    );
    expect(authority.requests.jwks).toBeGreaterThan(jwks);
  }

  it('refuses a cached token of the dropped kid at once, not keyCacheSeconds later', async () => {
    const token = authority.signAccessToken();
    expect((await get(token)).statusCode).toBe(200);
    expect((await get(token)).statusCode).toBe(200); // cached

    await replaceKeys(new TestSigningKey());
    expect((await get(token)).json()).toEqual(unknownKey);
    // Nor is a new token of that key (a forgery with the dropped key) accepted.
    expect((await get(authority.signAccessToken())).json()).toEqual(unknownKey);
  });

  it('refuses a cached token without a kid once the only key is another one', async () => {
    const token = authority.signAccessToken({ header: { kid: undefined } });
    expect((await get(token)).statusCode).toBe(200);
    expect((await get(token)).statusCode).toBe(200); // cached

    await replaceKeys(new TestSigningKey());
    const refused = await get(token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({
      error: 'invalid_token',
      error_description: 'signature verification failed',
    });
  });

  it('refuses a cached token once its kid names another key', async () => {
    const token = authority.signAccessToken();
    expect((await get(token)).statusCode).toBe(200);
    expect((await get(token)).statusCode).toBe(200); // cached

    // The same kid, republished with other key material (an authority that reuses kids).
    await replaceKeys(new TestSigningKey(authority.signingKey.kid), new TestSigningKey());
    const refused = await get(token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({
      error: 'invalid_token',
      error_description: 'signature verification failed',
    });
  });

  it('keeps the verdicts on tokens of a key every refetch lists again', async () => {
    const token = authority.signAccessToken();
    expect((await get(token)).statusCode).toBe(200);
    const resolve = jest.spyOn(SigningKeyResolver.prototype, 'resolve');

    await replaceKeys(authority.signingKey, new TestSigningKey());
    expect((await get(token)).statusCode).toBe(200);
    // Only the new key's token was verified in full: the kept key's verdict stood.
    expect(resolve).toHaveBeenCalledTimes(1);
  });
});

describe('reuse at the expiry boundary, with the clock skew', () => {
  let authority: FakeAuthority;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    authority = await FakeAuthority.start();
    app = await startApp({ authority: authority.issuer, clockSkewSeconds: 60 });
  });
  afterEach(() => jest.useRealTimers());
  afterAll(async () => {
    await app.close();
    await authority.close();
  });

  /** Only Date moves; timers and I/O stay real. */
  function setClock(ms: number): void {
    jest.useFakeTimers({
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
      now: ms,
    });
  }

  it('serves the token until exp + skew, then refuses it as the full path does', async () => {
    const now = nowSeconds();
    const exp = now + 5;
    const token = authority.signAccessToken({ claims: { exp } });
    const get = () => app.inject({ url: '/claims', headers: { authorization: `Bearer ${token}` } });
    expect((await get()).statusCode).toBe(200);
    const resolve = jest.spyOn(SigningKeyResolver.prototype, 'resolve');

    setClock((exp + 59) * 1000 + 999);
    expect((await get()).statusCode).toBe(200);
    expect(resolve).not.toHaveBeenCalled();

    setClock((exp + 60) * 1000);
    const expired = await get();
    expect(expired.json()).toEqual({
      error: 'invalid_token',
      error_description: 'the token expired',
    });
    expect(resolve).toHaveBeenCalledTimes(1); // the full path decided
  });
});

async function startApp(options: Partial<JwtBearerOptions>): Promise<NestFastifyApplication> {
  const moduleRef = await compileResourceServer([ClaimsController], {
    authority: 'http://127.0.0.1:1',
    ...options,
    tokenRevocation: RecordingRevocation,
  });
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
