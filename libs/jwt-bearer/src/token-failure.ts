import { JsonWebTokenError, NotBeforeError, TokenExpiredError } from '@nestjs/jwt';
import { InvalidToken, OAuthError } from '@app/shared';

/**
 * Turns whatever passport-jwt or jsonwebtoken reported into an InvalidToken with a short
 * description that is safe to show: never a key, an expected value or a stack.
 */
export function toInvalidToken(failure: unknown): OAuthError {
  if (failure instanceof OAuthError) return failure;
  return new InvalidToken(describeTokenFailure(failure), { cause: failure });
}

function describeTokenFailure(failure: unknown): string {
  if (failure instanceof TokenExpiredError) return 'the token expired';
  if (failure instanceof NotBeforeError) return 'the token is not valid yet';
  if (!(failure instanceof JsonWebTokenError)) return 'the token is not valid';
  const message = failure.message;
  if (message.startsWith('jwt audience invalid')) return 'the token is not valid for this audience';
  if (message.startsWith('jwt issuer invalid')) return "the token's issuer is not trusted";
  if (message === 'invalid signature') return 'signature verification failed';
  if (message === 'invalid algorithm' || message.startsWith('secretOrPublicKey must be'))
    return "the token's alg is not allowed";
  if (message === 'invalid exp value' || message === 'invalid nbf value')
    return "the token's exp or nbf is not a number";
  return 'the token is malformed';
}
