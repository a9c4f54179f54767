import type { AccessTokenRequiredClaim } from '@app/shared';

/**
 * Every rule on an access token's claims lives here, one function each, and `claimsProblem` is the
 * one entry both ways a token comes in use: JwtStrategy (a JWT, once jsonwebtoken has checked its
 * signature, `aud` and `exp`/`nbf` against the clock) and TokenIntrospector (an introspection
 * answer). Each rule answers with a description safe to show (it names the claim, never its
 * value), or undefined when it holds. All are O(1) and run once per token: a verdict reused from
 * VerifiedTokenCache is not checked again, since none of them can start failing later (`exp` only
 * gets nearer).
 */

/** The resolved options the rules read (ResolvedJwtBearerOptions has them all). */
export interface ClaimRules {
  readonly clockSkewSeconds: number;
  readonly requiredClaims: readonly AccessTokenRequiredClaim[];
  readonly maxTokenLifetimeSeconds: number;
}

/** What is wrong with a token's claims, by the first rule that fails; undefined when none does. */
export function claimsProblem(
  payload: Record<string, unknown>,
  rules: ClaimRules,
  nowSeconds: number,
): string | undefined {
  return (
    timeClaimTypesProblem(payload) ??
    expirationMissingProblem(payload) ??
    requiredClaimsProblem(payload, rules.requiredClaims) ??
    issuedInFutureProblem(payload, rules.clockSkewSeconds, nowSeconds) ??
    lifetimeProblem(payload, rules.maxTokenLifetimeSeconds) ??
    expirationTooFarProblem(
      payload,
      rules.maxTokenLifetimeSeconds,
      rules.clockSkewSeconds,
      nowSeconds,
    )
  );
}

/** The time claims of RFC 7519 §4.1.4-6, each a NumericDate when present. */
const TIME_CLAIMS = ['exp', 'nbf', 'iat'] as const;

/**
 * Each time claim present is a finite number: a JSON `1e999` parses as Infinity, a token that
 * would never expire.
 */
export function timeClaimTypesProblem(payload: Record<string, unknown>): string | undefined {
  for (const claim of TIME_CLAIMS) {
    const value = payload[claim];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value)))
      return `the token's ${claim} is not a NumericDate`;
  }
  return undefined;
}

/** RFC 9068 §2.2: `exp` is required, whatever `requiredClaims` says. */
export function expirationMissingProblem(payload: Record<string, unknown>): string | undefined {
  return payload.exp === undefined ? 'the token has no exp' : undefined;
}

/**
 * RFC 9068 §2.2: the claims it makes REQUIRED besides `iss`, `exp` and `aud`, as far as
 * `requiredClaims` asks for them (all by default): `iat` a NumericDate (its type is checked
 * above), `jti`, `sub` and `client_id` non-empty strings. A claim not required is not checked.
 */
export function requiredClaimsProblem(
  payload: Record<string, unknown>,
  required: readonly AccessTokenRequiredClaim[],
): string | undefined {
  for (const claim of required) {
    const value = payload[claim];
    const present =
      claim === 'iat' ? value !== undefined : typeof value === 'string' && value !== '';
    if (!present) return `the token has no ${claim}`;
  }
  return undefined;
}

/**
 * `iat` not in the future beyond the clock skew: a token issued tomorrow was not issued by an
 * authority whose clock we trust.
 */
export function issuedInFutureProblem(
  payload: Record<string, unknown>,
  clockSkewSeconds: number,
  nowSeconds: number,
): string | undefined {
  return typeof payload.iat === 'number' && payload.iat > nowSeconds + clockSkewSeconds
    ? 'the token was issued in the future'
    : undefined;
}

/** With an `iat`: the token was issued to live at most `maxTokenLifetimeSeconds`. */
export function lifetimeProblem(
  payload: Record<string, unknown>,
  maxTokenLifetimeSeconds: number,
): string | undefined {
  return typeof payload.iat === 'number' &&
    (payload.exp as number) - payload.iat > maxTokenLifetimeSeconds
    ? "the token's lifetime is longer than this API accepts"
    : undefined;
}

/**
 * With or without an `iat`: `exp` at most `maxTokenLifetimeSeconds` from now (plus the clock
 * skew, for a token just issued by an authority whose clock runs ahead), so a token minted to
 * live a century is refused even when it says nothing of when it was issued.
 */
export function expirationTooFarProblem(
  payload: Record<string, unknown>,
  maxTokenLifetimeSeconds: number,
  clockSkewSeconds: number,
  nowSeconds: number,
): string | undefined {
  return (payload.exp as number) > nowSeconds + maxTokenLifetimeSeconds + clockSkewSeconds
    ? "the token's lifetime is longer than this API accepts"
    : undefined;
}
