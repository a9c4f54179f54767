import type { CompactJws } from './compact-jws';

/**
 * One named rule on a verified JWS's header or claims: the problem (a description safe to show,
 * naming the claim, never its value), or undefined when the rule holds. `now` is in seconds.
 */
export interface ClaimCheck {
  readonly name: string;
  problem(jws: Pick<CompactJws, 'header' | 'payload'>, now: number): string | undefined;
}

/**
 * The first problem of a declared list of checks, run in order; undefined when all hold. Every
 * JWT the product reads is judged this way once its signature is verified: access tokens at the
 * API, at introspection and at the admin API, client assertions and DPoP proofs.
 */
export function firstClaimProblem(
  jws: Pick<CompactJws, 'header' | 'payload'>,
  checks: readonly ClaimCheck[],
  now: number,
): string | undefined {
  for (const check of checks) {
    const problem = check.problem(jws, now);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** A finite JSON number (RFC 7519 §2 NumericDate): `1e999` parses as Infinity and is not one. */
export function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * The one clock-skew policy of every time rule: a claim is judged against `now` widened by
 * `skewSeconds` in the holder's favour, so two clocks that differ by less never disagree.
 */
export interface TimeRules {
  readonly skewSeconds: number;
}

/** `nbf` (RFC 7519 §4.1.5): when present, a number, and not after now (plus the skew). */
export function notBeforeCheck({ skewSeconds }: TimeRules): ClaimCheck {
  return {
    name: 'nbf',
    problem: ({ payload: { nbf } }, now) => {
      if (nbf === undefined) return undefined;
      if (typeof nbf !== 'number') return "the token's exp or nbf is not a number";
      return nbf > now + skewSeconds ? 'the token is not valid yet' : undefined;
    },
  };
}

/** `exp` (RFC 7519 §4.1.4): when present, a number, and not reached (minus the skew). */
export function expiryCheck({ skewSeconds }: TimeRules): ClaimCheck {
  return {
    name: 'exp',
    problem: ({ payload: { exp } }, now) => {
      if (exp === undefined) return undefined;
      if (typeof exp !== 'number') return "the token's exp or nbf is not a number";
      return now >= exp + skewSeconds ? 'the token expired' : undefined;
    },
  };
}

/** `aud` (RFC 7519 §4.1.3): a string or array of strings naming one of `accepted`. */
export function audienceCheck(accepted: readonly string[]): ClaimCheck {
  return {
    name: 'aud',
    problem: ({ payload: { aud } }) => {
      const given: readonly unknown[] = Array.isArray(aud) ? aud : [aud];
      return given.some((value) => typeof value === 'string' && accepted.includes(value))
        ? undefined
        : 'the token is not valid for this audience';
    },
  };
}

/** `iss` (RFC 7519 §4.1.1): exactly the issuer trusted. */
export function issuerCheck(issuer: string): ClaimCheck {
  return {
    name: 'iss',
    problem: ({ payload: { iss } }) =>
      iss === issuer ? undefined : "the token's issuer is not trusted",
  };
}

/**
 * The header's `typ` (RFC 7515 §4.1.9): one of `types`, compared case-insensitively, with or
 * without the `application/` prefix the media type may carry (RFC 7515 §4.1.9, RFC 8725 §3.11).
 */
export function typeCheck(type: string, description: string): ClaimCheck {
  const accepted = [type, `application/${type}`];
  return {
    name: 'typ',
    problem: ({ header: { typ } }) =>
      typeof typ === 'string' && accepted.includes(typ.toLowerCase()) ? undefined : description,
  };
}
