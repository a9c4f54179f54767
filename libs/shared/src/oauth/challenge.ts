import { BearerTokenMissing, InsufficientScope, type OAuthError } from './oauth-error';

/**
 * How the client presented itself on this request, which is what a 401 or 403 challenges
 * (RFC 7235 §4.1): the scheme its credentials came with, and what the challenge must name.
 */
export interface ChallengeRecord {
  /** The scheme of the credentials; undefined when none came. */
  readonly scheme?: 'Bearer' | 'DPoP' | 'Basic';
  /** The realm of a Basic challenge (RFC 7617 §2). */
  readonly realm?: string;
  /**
   * RFC 9449 §7.1: the space-delimited DPoP proof algorithms accepted, for a DPoP challenge (the
   * DPoP scheme, or a request with no token at all at an API that offers both schemes).
   */
  readonly algs?: string;
}

/**
 * Each request's record, for the error filter to read: a WeakMap, so nothing is added to the
 * request object and nothing outlives it. A request with no record presented no credentials
 * the filter must answer in kind: its challenges use the Bearer scheme.
 */
const records = new WeakMap<object, ChallengeRecord>();

/** Records how the client presented itself: set by whoever reads its credentials. */
export function recordChallenge(request: object, record: ChallengeRecord): void {
  records.set(request, record);
}

export function challengeRecordOf(request: object): ChallengeRecord | undefined {
  return records.get(request);
}

/**
 * The `WWW-Authenticate` value for an error answered on a request presented as `record` says,
 * if it gets one: invalid_token and insufficient_scope (RFC 6750 §3) in the scheme the token
 * came with, Bearer by default; invalid_dpop_proof at a resource (RFC 9449 §7.1); a bare
 * challenge without an error code when no token came (RFC 6750 §3.1); invalid_client after
 * HTTP Basic (RFC 6749 §5.2).
 */
export function wwwAuthenticate(
  error: OAuthError,
  record: ChallengeRecord | undefined,
): string | undefined {
  if (error instanceof BearerTokenMissing)
    return record?.algs === undefined ? 'Bearer' : `Bearer, DPoP algs="${quoted(record.algs)}"`;
  switch (error.error) {
    case 'invalid_client':
      return record?.scheme === 'Basic' && record.realm !== undefined
        ? `Basic realm="${quoted(record.realm)}"`
        : undefined;
    case 'invalid_token':
      return inScheme(
        `error="invalid_token", error_description="${quoted(error.description ?? 'invalid token')}"`,
        record,
      );
    case 'insufficient_scope':
      return inScheme(
        `error="insufficient_scope", scope="${quoted(requiredScopes(error))}"`,
        record,
      );
    case 'invalid_dpop_proof':
      // The token endpoint's invalid_dpop_proof (RFC 9449 §5) is a 400 without a challenge.
      return record?.scheme === 'DPoP'
        ? inScheme(
            `error="invalid_dpop_proof", error_description="${quoted(error.description ?? '')}"`,
            record,
          )
        : undefined;
    default:
      return undefined;
  }
}

function inScheme(parameters: string, record: ChallengeRecord | undefined): string {
  return record?.scheme === 'DPoP'
    ? `DPoP ${parameters}, algs="${quoted(record.algs ?? '')}"`
    : `Bearer ${parameters}`;
}

function requiredScopes(error: OAuthError): string {
  return error instanceof InsufficientScope ? error.requiredScopes.join(' ') : '';
}

/** RFC 6750 §3 allows only %x20-21 / %x23-5B / %x5D-7E inside the quoted attribute values. */
function quoted(value: string): string {
  return value.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '');
}
