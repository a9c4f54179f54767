import type { KeyObject } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  InvalidToken,
  TemporarilyUnavailable,
  readCompactJws,
  type OAuthError,
} from '@nest-identity/shared';
import {
  FakeAuthority,
  TestSigningKey,
  type TestAlgorithm,
} from '@nest-identity/jwt-bearer/testing';
import { AuthorityMetadata } from './authority-metadata';
import { authorityUnavailable } from './authority-unavailable';
import { resolveJwtBearerOptions, type JwtBearerOptions } from './jwt-bearer.options';
import { SigningKeyResolver } from './signing-key-resolver';

describe('SigningKeyResolver', () => {
  let authority: FakeAuthority;
  let resolver: SigningKeyResolver;

  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  beforeEach(async () => {
    authority = await FakeAuthority.start();
    // A 1 ms key cache, so every resolve() asks the JWKS again.
    resolver = resolverFor({ keyCacheSeconds: 0.001 });
  });
  afterEach(() => authority.close());

  function resolverFor(options: Partial<JwtBearerOptions> = {}): SigningKeyResolver {
    const resolved = resolveJwtBearerOptions({
      authority: authority.issuer,
      audience: 'api1',
      requireHttpsMetadata: false,
      ...options,
    });
    return new SigningKeyResolver(resolved, new AuthorityMetadata(resolved));
  }

  /** The key the resolver picks for a token's header. */
  const keyFor = (keys: SigningKeyResolver, token: string): Promise<KeyObject> =>
    keys.resolve(readCompactJws(token, 16 * 1024).header).then(({ key }) => key);

  /** The key as a JWK, to compare KeyObjects by value. */
  const jwkOf = (key: { export(options: { format: 'jwk' }): unknown }) =>
    key.export({ format: 'jwk' });

  it('finds the published key named by the token kid, as a KeyObject', async () => {
    const key = await keyFor(resolver, authority.signAccessToken());
    expect(jwkOf(key)).toEqual(jwkOf(authority.signingKey.publicKey));
  });

  it('parses a key once: the same KeyObject for every token of that kid', async () => {
    const cached = resolverFor();
    const first = await keyFor(cached, authority.signAccessToken());
    const second = await keyFor(cached, authority.signAccessToken());
    expect(second).toBe(first);
    expect(authority.requests.jwks).toBe(1);
  });

  it.each(['HS256', 'none', 'RS1'])('refuses alg %s without asking the authority', async (alg) => {
    await expect(keyFor(resolver, authority.signAccessToken({ header: { alg } }))).rejects.toThrow(
      new InvalidToken("the token's alg is not allowed"),
    );
    expect(authority.requests.jwks).toBe(0);
  });

  it('refuses an alg outside the configured allow-list without asking the authority', async () => {
    const rsaOnly = resolverFor({ algorithms: ['RS256'] });
    const key = new TestSigningKey(undefined, 'EdDSA');
    authority.publishedKeys.push(key);
    await expect(keyFor(rsaOnly, authority.signAccessToken({ key }))).rejects.toThrow(
      new InvalidToken("the token's alg is not allowed"),
    );
    expect(authority.requests.jwks).toBe(0);
  });

  it('refuses a kid that is not a string without asking the authority', async () => {
    await expect(
      keyFor(resolver, authority.signAccessToken({ header: { kid: 7 } })),
    ).rejects.toThrow(new InvalidToken('the token is malformed'));
    expect(authority.requests.jwks).toBe(0);
  });

  it('refuses a kid the authority does not publish', async () => {
    const token = authority.signAccessToken({ key: new TestSigningKey('unknown') });
    await expect(keyFor(resolver, token)).rejects.toThrow(
      new InvalidToken("the token's signing key is unknown"),
    );
  });

  describe('a token cannot choose how a key is used', () => {
    it.each<[string, TestAlgorithm, string]>([
      ['an RS256 key (JWK alg RS256) for PS256', 'RS256', 'PS256'],
      ['an RS256 key for ES256', 'RS256', 'ES256'],
      ['an RS256 key for EdDSA', 'RS256', 'EdDSA'],
      ['a P-256 key for ES384', 'ES256', 'ES384'],
      ['an Ed25519 key for ES256', 'EdDSA', 'ES256'],
    ])('refuses %s', async (_case, keyAlg, tokenAlg) => {
      const key = new TestSigningKey(undefined, keyAlg);
      authority.publishedKeys.push(key);
      await expect(
        keyFor(resolver, authority.signAccessToken({ key, header: { alg: tokenAlg } })),
      ).rejects.toThrow(new InvalidToken("the token's alg does not fit its signing key"));
    });

    it('without an alg in the JWK, the key type decides: an RSA key for PS256, not for ES256', async () => {
      const key = new TestSigningKey();
      delete key.publicJwk.alg;
      authority.publishedKeys.push(key);
      await expect(
        keyFor(resolver, authority.signAccessToken({ key, header: { alg: 'PS256' } })),
      ).resolves.toBeDefined();
      await expect(
        keyFor(resolver, authority.signAccessToken({ key, header: { alg: 'ES256' } })),
      ).rejects.toThrow(new InvalidToken("the token's alg does not fit its signing key"));
    });

    it.each<TestAlgorithm>(['PS256', 'ES256', 'EdDSA'])(
      'accepts a %s key for its own alg',
      async (alg) => {
        const key = new TestSigningKey(undefined, alg);
        authority.publishedKeys.push(key);
        const resolved = await keyFor(resolver, authority.signAccessToken({ key }));
        expect(jwkOf(resolved)).toEqual(jwkOf(key.publicKey));
      },
    );
  });

  it('keeps a key it has seen working while the authority is down', async () => {
    const token = authority.signAccessToken();
    const key = await keyFor(resolver, token);
    authority.available = false;
    await sleep(5);
    await expect(keyFor(resolver, token)).resolves.toBe(key);
  });

  describe('a kid it does not hold while the authority is down: 503, never 401', () => {
    async function failureOf(promise: Promise<unknown>): Promise<OAuthError> {
      const failure: unknown = await promise.then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(TemporarilyUnavailable);
      return failure as OAuthError;
    }

    it('cannot vouch for a key it has never seen: temporarily_unavailable with Retry-After', async () => {
      authority.available = false;
      const failure = await failureOf(keyFor(resolver, authority.signAccessToken()));
      expect(failure.status).toBe(503);
      expect(failure.body()).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'the token cannot be checked now',
      });
      expect(failure.retryAfterSeconds()).toBe(1); // metadataRetrySeconds
    });

    it('Retry-After says when the authority is worth asking again', async () => {
      const patient = resolverFor({ metadataRetrySeconds: 90 });
      await keyFor(patient, authority.signAccessToken());
      authority.available = false;
      const newKey = authority.signAccessToken({ key: new TestSigningKey() });
      expect((await failureOf(keyFor(patient, newKey))).retryAfterSeconds()).toBe(90);
      // Within the retry wait nobody is asked; the answer counts down.
      jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 30_000);
      expect((await failureOf(keyFor(patient, newKey))).retryAfterSeconds()).toBe(60);
      jest.restoreAllMocks();
    });

    it('is the very answer introspection gives when the authority is down', async () => {
      authority.available = false;
      const failure = await failureOf(keyFor(resolver, authority.signAccessToken()));
      const rendered = (error: OAuthError) => ({
        type: error.constructor,
        status: error.status,
        body: error.body(),
      });
      expect(rendered(failure)).toEqual(rendered(authorityUnavailable(1, 'any cause')));
    });
  });

  it('forgets a key the authority stopped publishing', async () => {
    const token = authority.signAccessToken();
    await keyFor(resolver, token);
    authority.publishedKeys = [new TestSigningKey()];
    await sleep(5);
    await expect(keyFor(resolver, token)).rejects.toThrow(
      new InvalidToken("the token's signing key is unknown"),
    );

    authority.available = false;
    await sleep(5);
    await expect(keyFor(resolver, token)).rejects.toBeInstanceOf(TemporarilyUnavailable);
  });

  describe('unknown kids: the JWKS refresh cooldown (jwksRefreshCooldownSeconds, 30 s)', () => {
    let cached: SigningKeyResolver;
    // One attacker key signs every made-up kid: RSA key generation is slow.
    const attackerKey = new TestSigningKey('attacker');
    const withKid = (kid: string) =>
      authority.signAccessToken({ key: attackerKey, header: { kid } });
    const unknown = new InvalidToken("the token's signing key is unknown");

    beforeEach(async () => {
      cached = resolverFor();
      await keyFor(cached, authority.signAccessToken());
      expect(authority.requests.jwks).toBe(1);
    });
    afterEach(() => jest.restoreAllMocks());

    it('a flood of made-up kids costs the authority one fetch per cooldown', async () => {
      for (let i = 0; i < 100; i++)
        await expect(keyFor(cached, withKid(`made-up-${i}`))).rejects.toThrow(unknown);
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          expect(keyFor(cached, withKid(`concurrent-${i}`))).rejects.toThrow(unknown),
        ),
      );
      expect(authority.requests.jwks).toBe(2);

      const afterCooldown = Date.now() + 30_000;
      jest.spyOn(Date, 'now').mockReturnValue(afterCooldown);
      await expect(keyFor(cached, withKid('made-up-again'))).rejects.toThrow(unknown);
      await expect(keyFor(cached, withKid('and-again'))).rejects.toThrow(unknown);
      expect(authority.requests.jwks).toBe(3);
    });

    it('concurrent made-up kids share one fetch when no keys are held yet', async () => {
      const fresh = resolverFor();
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          expect(keyFor(fresh, withKid(`first-${i}`))).rejects.toThrow(unknown),
        ),
      );
      expect(authority.requests.jwks).toBe(2);
    });

    it('a key published since the last fetch is found at once, each time (a rotation never waits)', async () => {
      for (const alg of ['PS256', 'ES256'] as const) {
        const key = new TestSigningKey(undefined, alg);
        authority.publishedKeys.push(key);
        await expect(keyFor(cached, authority.signAccessToken({ key }))).resolves.toBeDefined();
      }
      expect(authority.requests.jwks).toBe(3);
    });

    it('a key published during a cooldown is found once it ends', async () => {
      await expect(keyFor(cached, withKid('made-up'))).rejects.toThrow(unknown);
      const key = new TestSigningKey();
      authority.publishedKeys.push(key);
      await expect(keyFor(cached, authority.signAccessToken({ key }))).rejects.toThrow(unknown);

      const afterCooldown = Date.now() + 30_000;
      jest.spyOn(Date, 'now').mockReturnValue(afterCooldown);
      await expect(keyFor(cached, authority.signAccessToken({ key }))).resolves.toBeDefined();
    });

    it('a key the last fetch held keeps working during a cooldown', async () => {
      await expect(keyFor(cached, withKid('made-up'))).rejects.toThrow(unknown);
      await expect(keyFor(cached, authority.signAccessToken())).resolves.toBeDefined();
      expect(authority.requests.jwks).toBe(2);
    });

    it('a shorter cooldown, as configured', async () => {
      const quick = resolverFor({ jwksRefreshCooldownSeconds: 0.001 });
      await expect(keyFor(quick, withKid('one'))).rejects.toThrow(unknown);
      await sleep(5);
      await expect(keyFor(quick, withKid('two'))).rejects.toThrow(unknown);
      expect(authority.requests.jwks).toBe(1 + 2);
    });
  });

  describe('isTrusted: may a verdict on a token this key verified for this kid be reused?', () => {
    const kid = () => authority.signingKey.kid;

    it('not for a kid never resolved', () => {
      expect(resolver.isTrusted(kid(), authority.signingKey.publicKey)).toBe(false);
    });

    it('for keyCacheSeconds after the JWKS last held the key', async () => {
      const trusting = resolverFor({ keyCacheSeconds: 600 });
      const before = Date.now();
      const key = await keyFor(trusting, authority.signAccessToken());
      expect(trusting.isTrusted(kid(), key)).toBe(true);
      expect(trusting.isTrusted(kid(), key, before + 599_000)).toBe(true);
      expect(trusting.isTrusted(kid(), key, Date.now() + 600_000)).toBe(false);
    });

    it('only for the very key resolved, not another KeyObject of the kid', async () => {
      const trusting = resolverFor({ keyCacheSeconds: 600 });
      const key = await keyFor(trusting, authority.signAccessToken());
      expect(trusting.isTrusted(kid(), authority.signingKey.publicKey)).toBe(false);
      expect(trusting.isTrusted(kid(), key)).toBe(true);
    });

    it('no longer once the authority says the kid is gone', async () => {
      const token = authority.signAccessToken();
      const key = await keyFor(resolver, token);
      authority.publishedKeys = [new TestSigningKey()];
      await sleep(5); // past the 1 ms key cache: the next resolve() asks the JWKS
      await expect(keyFor(resolver, token)).rejects.toThrow(
        new InvalidToken("the token's signing key is unknown"),
      );
      expect(resolver.isTrusted(kid(), key, 0)).toBe(false);
    });

    describe('a refetch, within keyCacheSeconds, drops at once a key it no longer lists', () => {
      let trusting: SigningKeyResolver;
      let key: KeyObject;

      beforeEach(async () => {
        trusting = resolverFor({ keyCacheSeconds: 600 });
        key = await keyFor(trusting, authority.signAccessToken());
      });

      /** A new key's first token: a kid the set lacks, so the JWKS is fetched again. */
      async function refetchFor(newKey: TestSigningKey): Promise<void> {
        await keyFor(trusting, authority.signAccessToken({ key: newKey }));
        expect(authority.requests.jwks).toBe(2);
      }

      it('a key removed', async () => {
        const next = new TestSigningKey();
        authority.publishedKeys = [next];
        await refetchFor(next);
        expect(trusting.isTrusted(kid(), key)).toBe(false);
      });

      it('the only key of a kid-less token, replaced by another only key', async () => {
        const kidless = await keyFor(
          trusting,
          authority.signAccessToken({ header: { kid: undefined } }),
        );
        expect(trusting.isTrusted(undefined, kidless)).toBe(true);
        const next = new TestSigningKey();
        authority.publishedKeys = [next];
        await refetchFor(next);
        expect(trusting.isTrusted(undefined, kidless)).toBe(false);
      });

      it('a kid republished with other key material', async () => {
        const next = new TestSigningKey();
        authority.publishedKeys = [new TestSigningKey(kid()), next];
        await refetchFor(next);
        expect(trusting.isTrusted(kid(), key)).toBe(false);
      });

      it('but keeps the very KeyObject of a key it lists again, and its verdicts', async () => {
        const next = new TestSigningKey();
        authority.publishedKeys = [authority.signingKey, next];
        await refetchFor(next);
        expect(trusting.isTrusted(kid(), key)).toBe(true);
        await expect(keyFor(trusting, authority.signAccessToken())).resolves.toBe(key);
      });
    });

    it('not beyond the moment the full path would ask the authority again', async () => {
      const key = await keyFor(resolver, authority.signAccessToken());
      await sleep(5);
      expect(resolver.isTrusted(kid(), key)).toBe(false);
      await keyFor(resolver, authority.signAccessToken());
      expect(authority.requests.jwks).toBe(2);
    });

    it('while the authority is down, until the next retry', async () => {
      const token = authority.signAccessToken();
      const key = await keyFor(resolver, token); // 1 ms key cache: trusted for 1 ms
      authority.available = false;
      await sleep(5);
      expect(resolver.isTrusted(kid(), key)).toBe(false);

      await keyFor(resolver, token); // the last-known-good key
      expect(resolver.isTrusted(kid(), key)).toBe(true);
      expect(resolver.isTrusted(kid(), key, Date.now() + 1_000)).toBe(false); // metadataRetrySeconds
    });
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
