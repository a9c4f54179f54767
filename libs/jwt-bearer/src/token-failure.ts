import { InvalidToken, OAuthError, UnusableBinding } from '@nest-identity/shared';

/**
 * Turns whatever failed on the way into the OAuthError to answer: an OAuthError as it is, any
 * other failure an InvalidToken with a description that is safe to show (never a key, an
 * expected value or a stack); the failure itself goes to the log as the cause.
 */
export function toInvalidToken(failure: unknown): OAuthError {
  if (failure instanceof OAuthError) return failure;
  if (failure instanceof UnusableBinding) return new InvalidToken(failure.message);
  return new InvalidToken('the token is not valid', { cause: failure });
}
