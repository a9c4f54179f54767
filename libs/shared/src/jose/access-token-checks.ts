import {
  AccessTokenJwtType,
  AccessTokenRequiredClaims,
  type AccessTokenRequiredClaim,
} from '../oauth/oauth.constants';
import {
  audienceCheck,
  expiryCheck,
  isNumericDate,
  issuerCheck,
  notBeforeCheck,
  typeCheck,
  type ClaimCheck,
} from './jwt-claim-checks';

/**
 * What an RFC 9068 JWT access token must be, once its signature is verified, wherever the product
 * reads one: the protected API (libs/jwt-bearer), the identity's introspection and its admin API.
 * The checks run in this order, so each token gets the same first problem everywhere.
 */
export interface AccessTokenRules {
  /**
   * The one authority trusted (`iss`). Undefined only for an introspection answer without `iss`
   * (RFC 7662 §2.2 makes it optional); the key must be given either way.
   */
  readonly issuer: string | undefined;
  /**
   * Whether the JWS header's `typ` is checked (RFC 9068 §4 item 2); false for an introspection
   * answer, which has no header.
   */
  readonly checkJwsType?: boolean;
  /** The `aud` values accepted; undefined leaves `aud` to the caller. */
  readonly audiences?: readonly string[];
  readonly skewSeconds: number;
  /** RFC 9068 §2.2's required claims besides `iss`, `exp` and `aud`; all by default. */
  readonly requiredClaims?: readonly AccessTokenRequiredClaim[];
  /** The longest lifetime accepted (`exp` - `iat`, and `exp` from now); undefined: any. */
  readonly maxLifetimeSeconds?: number;
}

/** The declared checks of an access token, in order (see docs/reference.md, "Access tokens"). */
export function accessTokenChecks(rules: AccessTokenRules): readonly ClaimCheck[] {
  const skew = { skewSeconds: rules.skewSeconds };
  const checks: ClaimCheck[] = [notBeforeCheck(skew), expiryCheck(skew)];
  if (rules.audiences !== undefined) checks.push(audienceCheck(rules.audiences));
  if (rules.checkJwsType !== false)
    checks.push(typeCheck(AccessTokenJwtType, `the token's typ must be ${AccessTokenJwtType}`));
  if (rules.issuer !== undefined) checks.push(issuerCheck(rules.issuer));
  checks.push(
    timeClaimTypesCheck,
    expirationRequiredCheck,
    requiredClaimsCheck(rules.requiredClaims ?? AccessTokenRequiredClaims),
    issuedInFutureCheck(rules.skewSeconds),
  );
  if (rules.maxLifetimeSeconds !== undefined)
    checks.push(lifetimeCheck(rules.maxLifetimeSeconds, rules.skewSeconds));
  checks.push(confirmationCheck);
  return checks;
}

const TIME_CLAIMS = ['exp', 'nbf', 'iat'] as const;

/** Each time claim present is a finite number: `1e999` would be a token that never expires. */
const timeClaimTypesCheck: ClaimCheck = {
  name: 'time claim types',
  problem: ({ payload }) => {
    for (const claim of TIME_CLAIMS) {
      const value = payload[claim];
      if (value !== undefined && !isNumericDate(value))
        return `the token's ${claim} is not a NumericDate`;
    }
    return undefined;
  },
};

/** RFC 9068 §2.2: `exp` is required, whatever else is. */
const expirationRequiredCheck: ClaimCheck = {
  name: 'exp required',
  problem: ({ payload }) => (payload.exp === undefined ? 'the token has no exp' : undefined),
};

/** RFC 9068 §2.2: `iat` present (its type is checked above), the others non-empty strings. */
function requiredClaimsCheck(required: readonly AccessTokenRequiredClaim[]): ClaimCheck {
  return {
    name: 'required claims',
    problem: ({ payload }) => {
      for (const claim of required) {
        const value = payload[claim];
        const present =
          claim === 'iat' ? value !== undefined : typeof value === 'string' && value !== '';
        if (!present) return `the token has no ${claim}`;
      }
      return undefined;
    },
  };
}

/** A token issued tomorrow was not issued by an authority whose clock we trust. */
function issuedInFutureCheck(skewSeconds: number): ClaimCheck {
  return {
    name: 'iat',
    problem: ({ payload: { iat } }, now) =>
      typeof iat === 'number' && iat > now + skewSeconds
        ? 'the token was issued in the future'
        : undefined,
  };
}

/**
 * Issued to live at most `maxLifetimeSeconds` (with an `iat`), and, with or without one, `exp` at
 * most that far from now (plus the skew): a token minted for a century is refused either way.
 */
function lifetimeCheck(maxLifetimeSeconds: number, skewSeconds: number): ClaimCheck {
  const tooLong = "the token's lifetime is longer than this API accepts";
  return {
    name: 'lifetime',
    problem: ({ payload }, now) => {
      const exp = payload.exp as number;
      if (typeof payload.iat === 'number' && exp - payload.iat > maxLifetimeSeconds) return tooLong;
      return exp > now + maxLifetimeSeconds + skewSeconds ? tooLong : undefined;
    },
  };
}

/** RFC 9449 §6: a `cnf` is honoured only as a DPoP key binding (tokenBinding reads it). */
const confirmationCheck: ClaimCheck = {
  name: 'cnf',
  problem: ({ payload }) => confirmationProblem(payload),
};

/** What is wrong with a token's `cnf`, if anything; undefined for none or a good `cnf.jkt`. */
function confirmationProblem(claims: Readonly<Record<string, unknown>>): string | undefined {
  const cnf = claims.cnf;
  if (cnf === undefined) return undefined;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf))
    return "the token's cnf is malformed";
  const { jkt } = cnf as Record<string, unknown>;
  if (jkt === undefined)
    return 'the token is bound by a confirmation method this API does not support';
  if (typeof jkt !== 'string' || jkt === '') return "the token's cnf.jkt is malformed";
  return undefined;
}

/**
 * The key a token is bound to: its `cnf.jkt` (RFC 9449 §6.1), or undefined for a bearer token.
 * Throws the problem for a `cnf` that is no DPoP binding: such a token is unusable here, never a
 * bearer token. (A token that passed accessTokenChecks never throws.)
 */
export function boundKeyOf(claims: Readonly<Record<string, unknown>>): string | undefined {
  const problem = confirmationProblem(claims);
  if (problem !== undefined) throw new UnusableBinding(problem);
  return (claims.cnf as { jkt?: string } | undefined)?.jkt;
}

/** A `cnf` that binds the token in a way nobody here can check. */
export class UnusableBinding extends Error {}

/** How an access token was presented (RFC 6750 §2.1, RFC 9449 §7.1). */
export type AccessTokenScheme = 'Bearer' | 'DPoP';

/**
 * RFC 9449 §7.1-7.2: a token bound to a key (`cnf.jkt`) only with the DPoP scheme, never as a
 * bearer token; the DPoP scheme only with a bound token. The problem, or undefined when the
 * scheme fits; the proof itself is the caller's next check.
 */
export function presentationProblem(
  scheme: AccessTokenScheme,
  jkt: string | undefined,
): string | undefined {
  if (scheme === 'Bearer')
    return jkt === undefined
      ? undefined
      : 'the token is DPoP-bound: send it with the DPoP scheme and a proof';
  return jkt === undefined ? 'the token is not DPoP-bound' : undefined;
}
