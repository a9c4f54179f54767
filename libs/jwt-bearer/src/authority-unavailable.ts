import { TemporarilyUnavailable } from '@nest-identity/shared';

/**
 * The one answer when a token cannot be checked because the authority cannot be asked: its JWKS
 * for a key not held yet (SigningKeyResolver), or its introspection endpoint (TokenIntrospector).
 * The token is then neither valid nor invalid: 503 temporarily_unavailable with Retry-After, not
 * 401, which would make a client throw a good token away and ask the same unreachable authority
 * for a new one.
 *
 * @param retryAfterSeconds when the authority is worth asking again (rounded up, at least 1)
 * @param cause for the operator's log only, never rendered
 */
export function authorityUnavailable(
  retryAfterSeconds: number,
  cause: string,
): TemporarilyUnavailable {
  return new TemporarilyUnavailable('the token cannot be checked now', 503, retryAfterSeconds, {
    cause,
  });
}
