/**
 * The claims of a client assertion (RFC 7523 §3, OIDC Core §9), checked after its signature.
 * Each rule returns the problem for the log, never for the caller.
 */
export const AssertionClaimRules = {
  /** Tolerance on `exp`, `nbf` and `iat`, for clocks that differ a little. */
  clockSkewSeconds: 60,
  /**
   * The furthest `exp` may be in the future. An assertion is for one request, and its `jti` is
   * remembered until `exp`: a short bound keeps the replay store small and a stolen assertion
   * short-lived. Client libraries use 60 s (openid-client, oauth4webapi) to 5 min.
   */
  maxLifetimeSeconds: 600,
  maxJtiLength: 256,
} as const;

export interface AssertionExpectations {
  readonly clientId: string;
  /** The token endpoint URL and the issuer: the `aud` values accepted (RFC 7523 §3 item 3). */
  readonly audiences: readonly string[];
  /** Seconds since the epoch. */
  readonly now: number;
}

export interface AcceptedAssertion {
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly exp: number;
}

/** The accepted `jti` and `exp`, or a string saying what is wrong. */
export function checkAssertionClaims(
  claims: Readonly<Record<string, unknown>>,
  expected: AssertionExpectations,
): AcceptedAssertion | string {
  const { clockSkewSeconds: skew, maxLifetimeSeconds, maxJtiLength } = AssertionClaimRules;
  const { iss, sub, aud, exp, nbf, iat, jti } = claims;
  if (iss !== expected.clientId) return 'iss is not the client id';
  if (sub !== expected.clientId) return 'sub is not the client id';
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : undefined;
  if (!audiences || !audiences.every((value) => typeof value === 'string'))
    return 'aud is missing or not a string or array of strings';
  if (!audiences.some((value) => expected.audiences.includes(value)))
    return 'aud names neither the token endpoint nor the issuer';
  if (!isNumericDate(exp)) return 'exp is missing or not a number';
  if (exp <= expected.now - skew) return 'exp has passed';
  if (exp > expected.now + maxLifetimeSeconds + skew)
    return `exp is more than ${maxLifetimeSeconds} s ahead`;
  if (nbf !== undefined && (!isNumericDate(nbf) || nbf > expected.now + skew))
    return 'nbf is not a number or in the future';
  if (iat !== undefined && (!isNumericDate(iat) || iat > expected.now + skew))
    return 'iat is not a number or in the future';
  if (typeof jti !== 'string' || jti === '') return 'jti is missing';
  if (jti.length > maxJtiLength) return `jti is longer than ${maxJtiLength} characters`;
  return { jti, exp };
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
