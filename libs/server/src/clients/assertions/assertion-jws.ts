import {
  ClientSecretJwtAlgorithms,
  MalformedJws,
  PrivateKeyJwtAlgorithms,
  readCompactJws,
  type ClientSecretJwtAlgorithm,
  type CompactJws,
  type MalformedJwsReason,
  type PrivateKeyJwtAlgorithm,
} from '@nest-identity/shared';
import { ClientAuthenticationFailures as Failures } from '../../audit/audit-events';
import { OAuthFormLimits } from '../../http/oauth-form-limits';
import { ClientAuthenticationRejected } from '../client-authentication-rejected';

/**
 * The longest assertion read: the `client_assertion` parameter's own bound (8 KiB), so the form
 * limit (400 invalid_request) and the reader agree, with room for an `x5c` certificate chain.
 */
const MAX_ASSERTION_LENGTH = OAuthFormLimits.maxLengths.client_assertion;

/** What the log says of an assertion that is no compact JWS we read (never the assertion). */
const MALFORMED: Readonly<Record<MalformedJwsReason, string>> = {
  'too-large': `longer than ${MAX_ASSERTION_LENGTH} characters`,
  'not-compact': 'not a compact JWS',
  'not-json-object': 'the header or the claims set is not a JSON object',
  'repeated-member': 'the header or the claims set repeats a member name',
  'critical-extension': 'the header requires extensions (crit)',
};

/**
 * A client assertion (RFC 7523 §3) read by @nest-identity/shared's readCompactJws: three base64url parts,
 * JSON objects without a repeated member, no `crit`, a signature part (so no `alg: none`).
 * Verifies nothing; throws ClientAuthenticationRejected (assertion malformed).
 */
export function readClientAssertion(assertion: string): CompactJws {
  try {
    return readCompactJws(assertion, MAX_ASSERTION_LENGTH);
  } catch (error) {
    if (error instanceof MalformedJws)
      throw new ClientAuthenticationRejected(Failures.AssertionMalformed, MALFORMED[error.reason]);
    throw error;
  }
}

export function isPrivateKeyJwtAlgorithm(alg: unknown): alg is PrivateKeyJwtAlgorithm {
  return (PrivateKeyJwtAlgorithms as readonly unknown[]).includes(alg);
}

export function isClientSecretJwtAlgorithm(alg: unknown): alg is ClientSecretJwtAlgorithm {
  return (ClientSecretJwtAlgorithms as readonly unknown[]).includes(alg);
}
