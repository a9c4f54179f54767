import { InvalidToken } from '@app/shared';

/**
 * The key a validated token is bound to: its `cnf.jkt` (RFC 9449 §6), or undefined when it is a
 * plain bearer token. A `cnf` this API cannot check (malformed, or another confirmation method
 * such as mTLS's `x5t#S256`) makes the token unusable here rather than a bearer token.
 */
export function boundKeyOf(claims: Record<string, unknown>): string | undefined {
  const cnf = claims.cnf;
  if (cnf === undefined) return undefined;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf))
    throw new InvalidToken("the token's cnf is malformed");
  const { jkt } = cnf as Record<string, unknown>;
  if (jkt === undefined)
    throw new InvalidToken('the token is bound by a confirmation method this API does not support');
  if (typeof jkt !== 'string' || jkt === '')
    throw new InvalidToken("the token's cnf.jkt is malformed");
  return jkt;
}
