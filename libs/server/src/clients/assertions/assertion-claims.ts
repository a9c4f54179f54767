import {
  audienceCheck,
  expiryCheck,
  isNumericDate,
  issuerCheck,
  notBeforeCheck,
  type ClaimCheck,
} from '@nest-identity/shared';

/**
 * The claims of a client assertion (RFC 7523 §3, OIDC Core §9), checked after its signature.
 * Each problem is for the log, never for the caller.
 */
export const AssertionClaimRules = {
  /** Tolerance on `exp`, `nbf` and `iat`, for client clocks that differ a little from ours. */
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
}

/** What an assertion that passed assertionClaimChecks carries. */
export interface AcceptedAssertionClaims {
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly exp: number;
}

const { clockSkewSeconds: skewSeconds, maxLifetimeSeconds, maxJtiLength } = AssertionClaimRules;

/**
 * The declared checks of a client assertion's claims, in order, for firstClaimProblem: the JOSE
 * core's named checks (worded for the operator) where the rule is theirs, with the one skew.
 */
export function assertionClaimChecks(expected: AssertionExpectations): readonly ClaimCheck[] {
  return [
    worded(issuerCheck(expected.clientId), 'iss is not the client id'),
    subjectCheck(expected.clientId),
    audienceShapeCheck,
    worded(
      audienceCheck(expected.audiences),
      'aud names neither the token endpoint nor the issuer',
    ),
    expirationTypeCheck,
    worded(expiryCheck({ skewSeconds }), 'exp has passed'),
    lifetimeCheck,
    notBeforeOrNotNumberCheck,
    issuedAtCheck,
    jtiCheck,
  ];
}

/** The same rule, with the problem worded for an assertion. */
function worded(check: ClaimCheck, problem: string): ClaimCheck {
  return {
    name: check.name,
    problem: (jws, now) => (check.problem(jws, now) === undefined ? undefined : problem),
  };
}

/** RFC 7523 §3 item 2: `sub` is the client id (RFC 7521 §5.2). */
function subjectCheck(clientId: string): ClaimCheck {
  return {
    name: 'sub',
    problem: ({ payload: { sub } }) => (sub === clientId ? undefined : 'sub is not the client id'),
  };
}

/** `aud` is a string or an array of strings only (RFC 7519 §4.1.3), before any is compared. */
const audienceShapeCheck: ClaimCheck = {
  name: 'aud type',
  problem: ({ payload: { aud } }) => {
    const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : undefined;
    return values?.every((value) => typeof value === 'string')
      ? undefined
      : 'aud is missing or not a string or array of strings';
  },
};

/** RFC 7523 §3 item 4: `exp` is required, a NumericDate (`1e999` is none). */
const expirationTypeCheck: ClaimCheck = {
  name: 'exp type',
  problem: ({ payload: { exp } }) =>
    isNumericDate(exp) ? undefined : 'exp is missing or not a number',
};

const lifetimeCheck: ClaimCheck = {
  name: 'lifetime',
  problem: ({ payload }, now) =>
    (payload.exp as number) > now + maxLifetimeSeconds + skewSeconds
      ? `exp is more than ${maxLifetimeSeconds} s ahead`
      : undefined,
};

const notBefore = notBeforeCheck({ skewSeconds });
/** RFC 7523 §3 item 5: `nbf`, when present, a NumericDate already reached. */
const notBeforeOrNotNumberCheck: ClaimCheck = {
  name: 'nbf',
  problem: (jws, now) => {
    const { nbf } = jws.payload;
    if (nbf === undefined) return undefined;
    return !isNumericDate(nbf) || notBefore.problem(jws, now) !== undefined
      ? 'nbf is not a number or in the future'
      : undefined;
  },
};

/** RFC 7523 §3 item 6: `iat`, when present, a NumericDate not in the future. */
const issuedAtCheck: ClaimCheck = {
  name: 'iat',
  problem: ({ payload: { iat } }, now) =>
    iat !== undefined && (!isNumericDate(iat) || iat > now + skewSeconds)
      ? 'iat is not a number or in the future'
      : undefined,
};

/** OIDC Core §9 requires a `jti` (RFC 7523 §3 item 7 allows one): bounded, as it is kept until `exp`. */
const jtiCheck: ClaimCheck = {
  name: 'jti',
  problem: ({ payload: { jti } }) => {
    if (typeof jti !== 'string' || jti === '') return 'jti is missing';
    return jti.length > maxJtiLength ? `jti is longer than ${maxJtiLength} characters` : undefined;
  },
};
