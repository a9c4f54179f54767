import { ExtractJwt } from 'passport-jwt';

/**
 * The token from `Authorization: Bearer <token>` (scheme case-insensitive, RFC 7235 §2.1), or null.
 * Never from the query string or body (RFC 6750 §2.2-2.3 are optional and leak tokens into logs).
 */
export const bearerTokenFrom: (request: unknown) => string | null =
  ExtractJwt.fromAuthHeaderWithScheme('bearer');
