import { InvalidRequest } from '@nest-identity/shared';
import type { OAuthForm } from '../http/oauth-form';

/**
 * The `token` parameter of an introspection or revocation request (RFC 7662 §2.1, RFC 7009
 * §2.1), required. `token_type_hint` is optional and only a hint: both endpoints look the token
 * up by its own shape, and an unknown hint is ignored (RFC 7009 §2.1).
 */
export function requiredToken(request: OAuthForm): string {
  const token = request.param('token');
  if (token === undefined) throw new InvalidRequest('the token parameter is required');
  return token;
}
