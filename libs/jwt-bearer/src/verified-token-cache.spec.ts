import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { resolveJwtBearerOptions, type JwtBearerOptions } from './jwt-bearer.options';
import type { SigningKeyResolver } from './signing-key-resolver';
import { VerifiedTokenCache, type VerifiedToken } from './verified-token-cache';

describe('VerifiedTokenCache', () => {
  /** A whole second, in ms: the clock the checks run on. */
  const T = 1_900_000_000;
  const at = (seconds: number) => seconds * 1000;
  let trustedKids: Set<string | undefined>;
  /** The key the resolver holds for those kids. */
  const trustedKey = generateKeyPairSync('ed25519').publicKey;
  let cache: VerifiedTokenCache;

  function cacheWith(options: Partial<JwtBearerOptions> = {}): VerifiedTokenCache {
    const keys = {
      isTrusted: (kid: string | undefined, key: KeyObject) =>
        trustedKids.has(kid) && key === trustedKey,
    };
    return new VerifiedTokenCache(
      resolveJwtBearerOptions({
        authority: 'https://id.example.com',
        audience: 'api1',
        ...options,
      }),
      keys as unknown as SigningKeyResolver,
    );
  }

  beforeEach(() => {
    trustedKids = new Set(['k1']);
    cache = cacheWith({ clockSkewSeconds: 60 });
  });

  let serial = 0;
  /** A distinct token-shaped string (what is cached is never parsed again). */
  const aToken = () => `header.payload.${String(++serial).padStart(48, 'x')}`;
  const verdict = (changes: Partial<VerifiedToken> = {}): VerifiedToken => ({
    claims: { iss: 'https://id.example.com', aud: 'api1', exp: T + 300 },
    kid: 'k1',
    key: trustedKey,
    exp: T + 300,
    nbf: T,
    ...changes,
  });

  it('gives back the verdict on the very same token', () => {
    const token = aToken();
    const verified = verdict();
    cache.set(token, verified, at(T));
    expect(cache.get(token, at(T + 1))).toBe(verified);
    expect(cache.get(aToken(), at(T + 1))).toBeUndefined();
  });

  it('never for another token that shares the lookup key (the end of the signature)', () => {
    const token = `a.b.${'s'.repeat(64)}`;
    cache.set(token, verdict(), at(T));
    expect(cache.get(`a.c.${'s'.repeat(64)}`, at(T))).toBeUndefined();
    expect(cache.get(`x${token}`, at(T))).toBeUndefined();
    expect(cache.get(token, at(T))).toBeDefined();
  });

  describe('exp with the clock skew, to the second as jsonwebtoken counts', () => {
    it('serves the token until exp + skew, exclusive', () => {
      const token = aToken();
      cache.set(token, verdict({ exp: T }), at(T - 10));
      expect(cache.get(token, at(T + 59) + 999)).toBeDefined();
      expect(cache.get(token, at(T + 60))).toBeUndefined();
      // Gone for good, not just hidden.
      expect(cache.get(token, at(T))).toBeUndefined();
    });

    it('with no skew, not from exp on', () => {
      const strict = cacheWith({ clockSkewSeconds: 0 });
      const token = aToken();
      strict.set(token, verdict({ exp: T, nbf: T - 10 }), at(T - 10));
      expect(strict.get(token, at(T - 1) + 999)).toBeDefined();
      expect(strict.get(token, at(T))).toBeUndefined();
    });

    it('does not take a token already expired', () => {
      const token = aToken();
      cache.set(token, verdict({ exp: T }), at(T + 60));
      expect(cache.size).toBe(0);
    });
  });

  describe('nbf in the future', () => {
    it('is not served before nbf - skew', () => {
      const token = aToken();
      cache.set(token, verdict({ nbf: T + 100 }), at(T + 40));
      expect(cache.get(token, at(T + 39))).toBeUndefined();
    });

    it('is not taken while the full path would refuse it', () => {
      const token = aToken();
      cache.set(token, verdict({ nbf: T + 61 }), at(T));
      expect(cache.size).toBe(0);
    });

    it('is served within the skew, as the full path accepts it', () => {
      const token = aToken();
      cache.set(token, verdict({ nbf: T + 60 }), at(T));
      expect(cache.get(token, at(T))).toBeDefined();
    });
  });

  it('serves a token only while its key is trusted (key removal, or time to ask the JWKS)', () => {
    const token = aToken();
    cache.set(token, verdict(), at(T));
    trustedKids.delete('k1');
    expect(cache.get(token, at(T))).toBeUndefined();
    trustedKids.add('k1');
    expect(cache.get(token, at(T))).toBeUndefined(); // dropped: the next request re-verifies
  });

  it('serves a token only while the resolver holds the very key that verified it for its kid', () => {
    const token = aToken();
    cache.set(token, verdict({ key: generateKeyPairSync('ed25519').publicKey }), at(T));
    expect(cache.get(token, at(T))).toBeUndefined();
  });

  it('stays bounded under a flood of distinct tokens, dropping the least recently used', () => {
    const small = cacheWith({ verifiedTokenCacheSize: 100 });
    const hot = aToken();
    small.set(hot, verdict(), at(T));
    for (let i = 0; i < 10_000; i++) {
      small.set(aToken(), verdict(), at(T));
      if (i % 50 === 0) expect(small.get(hot, at(T))).toBeDefined();
    }
    expect(small.size).toBe(100);
    expect(small.get(hot, at(T))).toBeDefined();
  });

  it('holds nothing when its size is 0', () => {
    const off = cacheWith({ verifiedTokenCacheSize: 0 });
    const token = aToken();
    off.set(token, verdict(), at(T));
    expect(off.get(token, at(T))).toBeUndefined();
    expect(off.size).toBe(0);
  });

  it('forgets a token on delete', () => {
    const token = aToken();
    cache.set(token, verdict(), at(T));
    cache.delete(`other${token}`);
    expect(cache.size).toBe(1);
    cache.delete(token);
    expect(cache.get(token, at(T))).toBeUndefined();
  });
});
