import { InvalidToken, hasDuplicateMemberNames } from '@app/shared';

/**
 * What a token must be before any key is looked up or any signature checked, beyond what
 * jsonwebtoken checks: a compact JWS (three parts) whose header and claims set are JSON objects
 * without a repeated member name (RFC 7515 §4, RFC 7519 §4: we refuse rather than guess which
 * one counts), and whose header has no `crit`, since this API understands no JWS extension
 * (RFC 7515 §4.1.11: a recipient that does not understand one must refuse the token; jsonwebtoken
 * ignores `crit`). Runs on the full verification path only: VerifiedTokenCache admits the tokens
 * that passed it before.
 */
export function assertWellFormedJws(token: string): void {
  const parts = token.split('.');
  if (parts.length !== 3) throw new InvalidToken('the token is malformed');
  const header = jsonObjectIn(parts[0]);
  if (Object.hasOwn(header, 'crit'))
    throw new InvalidToken('the token requires JWS extensions (crit) this API does not support');
  jsonObjectIn(parts[1]);
}

function jsonObjectIn(part: string): Record<string, unknown> {
  const text = Buffer.from(part, 'base64url').toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidToken('the token is malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidToken('the token is malformed');
  if (hasDuplicateMemberNames(text)) throw new InvalidToken('the token repeats a JSON member name');
  return value as Record<string, unknown>;
}
