import { AccessTokenRequiredClaims, type AccessTokenRequiredClaim } from '../oauth/oauth.constants';
import { accessTokenChecks, type AccessTokenRules } from './access-token-checks';
import { firstClaimProblem } from './jwt-claim-checks';

/**
 * The RFC 9068 rules the protected API has always applied to an access token's claims, on the
 * checks that replaced its own (accessTokenChecks): what a token the identity issues passes, and
 * the first problem of each one it must not.
 */
describe('accessTokenChecks: the claim rules of the protected API', () => {
  const now = 1_800_000_000;
  const day = 86_400;
  /** The API's defaults: a 60 s skew, every RFC 9068 claim required, a 1-day lifetime at most. */
  interface Rules {
    readonly clockSkewSeconds: number;
    readonly requiredClaims: readonly AccessTokenRequiredClaim[];
    readonly maxTokenLifetimeSeconds: number;
  }
  const rules: Rules = {
    clockSkewSeconds: 60,
    requiredClaims: AccessTokenRequiredClaims,
    maxTokenLifetimeSeconds: day,
  };
  /** As the identity issues them. */
  const valid = {
    iss: 'https://id.example.com',
    sub: 'client',
    client_id: 'client',
    aud: 'api1',
    iat: now,
    nbf: now,
    exp: now + 300,
    jti: '0b6c1d9e-4f55-4bfb-9d40-2f1e1c0b6f3e',
  };
  const without = (claim: string) => ({ ...valid, [claim]: undefined });

  function claimsProblem(
    payload: Record<string, unknown>,
    { clockSkewSeconds, requiredClaims, maxTokenLifetimeSeconds }: Rules,
    nowSeconds: number,
  ): string | undefined {
    const checkRules: AccessTokenRules = {
      issuer: valid.iss,
      audiences: ['api1'],
      skewSeconds: clockSkewSeconds,
      requiredClaims,
      maxLifetimeSeconds: maxTokenLifetimeSeconds,
    };
    return firstClaimProblem(
      { header: { typ: 'at+jwt' }, payload },
      accessTokenChecks(checkRules),
      nowSeconds,
    );
  }

  it("finds nothing wrong with the identity's tokens, iat up to the clock skew ahead", () => {
    expect(claimsProblem(valid, rules, now)).toBeUndefined();
    expect(claimsProblem({ ...valid, iat: now + 60 }, rules, now)).toBeUndefined();
    expect(claimsProblem({ ...valid, nbf: undefined }, rules, now)).toBeUndefined();
  });

  describe('times: NumericDates, exp required, iat not in the future', () => {
    it.each([
      [{ ...valid, iat: now + 61 }, 60, 'the token was issued in the future'],
      [
        { ...valid, iat: now + 86_400, exp: now + 86_500 },
        60,
        'the token was issued in the future',
      ],
      [{ ...valid, iat: now + 1 }, 0, 'the token was issued in the future'],
      [without('exp'), 60, 'the token has no exp'],
    ])('refuses %j with a skew of %s: %s', (claims, skew, problem) => {
      expect(claimsProblem(claims, { ...rules, clockSkewSeconds: skew }, now)).toBe(problem);
    });

    it.each(['exp', 'nbf', 'iat'])('refuses a %s that is not a finite number', (claim) => {
      for (const value of [String(now), null, [now], { value: now }, true, Infinity, NaN]) {
        // exp and nbf are judged against the clock first (RFC 7519 §4.1.4-5): a non-number
        // there is already a problem; Infinity is a time the token is never valid before.
        const expected =
          claim !== 'iat' && typeof value !== 'number'
            ? "the token's exp or nbf is not a number"
            : claim === 'nbf' && value === Infinity
              ? 'the token is not valid yet'
              : `the token's ${claim} is not a NumericDate`;
        expect(claimsProblem({ ...valid, [claim]: value }, rules, now)).toBe(expected);
      }
    });

    it('requires exp even when requiredClaims is empty', () => {
      expect(claimsProblem(without('exp'), { ...rules, requiredClaims: [] }, now)).toBe(
        'the token has no exp',
      );
    });
  });

  describe('the claims RFC 9068 §2.2 requires: iat, jti, sub, client_id', () => {
    it.each(AccessTokenRequiredClaims)('refuses a token without %s', (claim) => {
      expect(claimsProblem(without(claim), rules, now)).toBe(`the token has no ${claim}`);
    });

    it.each(['jti', 'sub', 'client_id'])('refuses a %s that is empty or not a string', (claim) => {
      for (const value of ['', 42, null, ['client'], { id: 'client' }])
        expect(claimsProblem({ ...valid, [claim]: value }, rules, now)).toBe(
          `the token has no ${claim}`,
        );
    });

    it('accepts what requiredClaims leaves out, for an authority that omits it', () => {
      const identityServerStyle = { ...valid, sub: undefined };
      expect(claimsProblem(identityServerStyle, rules, now)).toBe('the token has no sub');
      expect(
        claimsProblem(
          identityServerStyle,
          { ...rules, requiredClaims: ['iat', 'jti', 'client_id'] },
          now,
        ),
      ).toBeUndefined();

      const bare = { iss: valid.iss, aud: 'api1', exp: now + 300 };
      expect(claimsProblem(bare, { ...rules, requiredClaims: [] }, now)).toBeUndefined();
    });

    it('checks a claim left out of requiredClaims no further than before', () => {
      expect(
        claimsProblem({ ...valid, sub: 42 }, { ...rules, requiredClaims: ['iat', 'jti'] }, now),
      ).toBeUndefined();
    });
  });

  describe('the longest lifetime (maxTokenLifetimeSeconds, 1 day by default)', () => {
    const lifetime = "the token's lifetime is longer than this API accepts";

    it('accepts exactly the maximum, from iat and from now', () => {
      expect(claimsProblem({ ...valid, exp: now + day }, rules, now)).toBeUndefined();
      // Issued by an authority whose clock runs ahead by the skew, for the maximum.
      expect(claimsProblem({ ...valid, iat: now + 60, exp: now + 60 + day }, rules, now)).toBe(
        undefined,
      );
    });

    it('refuses an exp - iat one second beyond it', () => {
      expect(
        claimsProblem({ ...valid, iat: now - 600, exp: now - 600 + day + 1 }, rules, now),
      ).toBe(lifetime);
    });

    it('refuses a token minted to live a century', () => {
      expect(claimsProblem({ ...valid, exp: now + 100 * 365 * day }, rules, now)).toBe(lifetime);
    });

    it('bounds exp from now when there is no iat (and iat is not required)', () => {
      const noIat = { ...without('iat'), exp: now + day + 61 };
      const lenient = { ...rules, requiredClaims: ['jti', 'sub', 'client_id'] as const };
      expect(claimsProblem(noIat, lenient, now)).toBe(lifetime);
      expect(claimsProblem({ ...noIat, exp: now + day + 60 }, lenient, now)).toBeUndefined();
    });

    it('as configured', () => {
      const week = { ...rules, maxTokenLifetimeSeconds: 7 * day };
      expect(claimsProblem({ ...valid, exp: now + 2 * day }, rules, now)).toBe(lifetime);
      expect(claimsProblem({ ...valid, exp: now + 2 * day }, week, now)).toBeUndefined();
      expect(claimsProblem({ ...valid, exp: now + 8 * day }, week, now)).toBe(lifetime);
    });
  });
});
