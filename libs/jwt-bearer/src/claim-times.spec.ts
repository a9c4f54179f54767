import { claimTimesProblem } from './claim-times';

describe('claimTimesProblem', () => {
  const now = 1_800_000_000;
  const valid = { iat: now, nbf: now, exp: now + 300 };

  it('finds nothing wrong with numeric times, iat up to the clock skew ahead', () => {
    expect(claimTimesProblem(valid, 60, now)).toBeUndefined();
    expect(claimTimesProblem({ ...valid, iat: now + 60 }, 60, now)).toBeUndefined();
    expect(claimTimesProblem({ exp: now + 300 }, 60, now)).toBeUndefined();
  });

  it.each([
    [{ ...valid, iat: now + 61 }, 60, 'the token was issued in the future'],
    [{ ...valid, iat: now + 86_400 }, 60, 'the token was issued in the future'],
    [{ ...valid, iat: now + 1 }, 0, 'the token was issued in the future'],
    [{ iat: now, nbf: now }, 60, 'the token has no exp'],
  ])('refuses %j with a skew of %s: %s', (claims, skew, problem) => {
    expect(claimTimesProblem(claims, skew, now)).toBe(problem);
  });

  it.each(['exp', 'nbf', 'iat'])('refuses a %s that is not a finite number', (claim) => {
    for (const value of [String(now), null, [now], { value: now }, true, Infinity, NaN])
      expect(claimTimesProblem({ ...valid, [claim]: value }, 60, now)).toBe(
        `the token's ${claim} is not a NumericDate`,
      );
  });
});
