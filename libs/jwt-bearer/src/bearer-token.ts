import { ExtractJwt } from 'passport-jwt';

/**
 * The token from `Authorization: Bearer <token>` (scheme case-insensitive, RFC 7235 §2.1), or null.
 * Never from the query string or body (RFC 6750 §2.2-2.3 are optional and leak tokens into logs).
 */
export const bearerTokenFrom: (request: unknown) => string | null =
  ExtractJwt.fromAuthHeaderWithScheme('bearer');

/**
 * What follows `Bearer ` (any case, one space) in the Authorization header, without parsing it:
 * a candidate to look up among the tokens verified before, whose keys bearerTokenFrom extracted.
 * A candidate that is such a token has no whitespace, so bearerTokenFrom would find the very same
 * one in this header; any other candidate is simply not found, and the request takes the full path.
 * (passport-jwt's regular expression costs about a microsecond on a 1 kB header.)
 */
export function bearerTokenCandidate(request: {
  headers?: Record<string, unknown>;
}): string | null {
  const authorization = request.headers?.authorization;
  if (typeof authorization !== 'string' || authorization.charCodeAt(6) !== 0x20) return null;
  const scheme = authorization.slice(0, 6);
  return scheme === 'Bearer' || scheme.toLowerCase() === 'bearer' ? authorization.slice(7) : null;
}

/** The token from `Authorization: DPoP <token>` (RFC 9449 §7.1, scheme case-insensitive), or null. */
export const dpopTokenFrom: (request: unknown) => string | null =
  ExtractJwt.fromAuthHeaderWithScheme('dpop');

/** The authentication scheme a token was presented with. */
export type TokenScheme = 'Bearer' | 'DPoP';

export interface PresentedToken {
  readonly scheme: TokenScheme;
  readonly token: string;
}

/** The token and its scheme; the DPoP scheme only counts when DPoP is enabled. */
export function presentedToken(request: unknown, dpopEnabled: boolean): PresentedToken | null {
  const bearer = bearerTokenFrom(request);
  if (bearer !== null) return { scheme: 'Bearer', token: bearer };
  const dpop = dpopEnabled ? dpopTokenFrom(request) : null;
  return dpop === null ? null : { scheme: 'DPoP', token: dpop };
}
