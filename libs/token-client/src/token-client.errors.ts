/** Every failure to obtain an access token; catch this one to handle them all. */
export abstract class TokenClientError extends Error {}

/**
 * The token endpoint refused the request with an OAuth error (RFC 6749 §5.2), e.g.
 * `invalid_client` for a wrong secret or `invalid_scope`. Retrying will not help until the
 * configuration changes. Carries what the authority said, never what the client sent.
 */
export class TokenEndpointError extends TokenClientError {
  override readonly name = 'TokenEndpointError';

  constructor(
    /** The OAuth `error` code. */
    readonly error: string,
    /** The authority's `error_description`, when it gave one. */
    readonly errorDescription: string | undefined,
    /** The HTTP status of the answer. */
    readonly status: number,
  ) {
    super(
      `the token endpoint refused the request: ${error}${errorDescription ? ` (${errorDescription})` : ''}`,
    );
  }
}

/**
 * No token could be obtained for another reason: the authority is unreachable or timed out, its
 * metadata has no usable token endpoint, or it answered something that is not a token response.
 * Usually transient: the next call tries again.
 */
export class TokenEndpointUnavailable extends TokenClientError {
  override readonly name = 'TokenEndpointUnavailable';
}
