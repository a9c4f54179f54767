/**
 * The one error type of the OAuth protocols we speak. Each RFC error code has one subclass, and
 * OAuthErrorFilter renders every one of them (status, headers, body) in one place.
 * Deliberately not an HttpException, so nothing else in Nest renders these by accident.
 */
export type OAuthErrorCode =
  // RFC 6749 §5.2
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  // RFC 6749 §4.1.2.1, registered for any endpoint's overload or outage
  | 'temporarily_unavailable'
  // RFC 8707 §2
  | 'invalid_target'
  // RFC 7009 §2.2.1
  | 'unsupported_token_type'
  // RFC 9449 §5, §8
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  // RFC 6750 §3.1
  | 'invalid_token'
  | 'insufficient_scope';

export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description?: string;
}

export abstract class OAuthError extends Error {
  abstract readonly error: OAuthErrorCode;
  readonly status: number = 400;

  /**
   * @param description safe to show to the caller; internal detail goes in `cause`, which is
   *   logged and never rendered.
   */
  constructor(
    readonly description?: string,
    options?: { cause?: unknown },
  ) {
    super(description, options);
    this.name = new.target.name;
  }

  /** Seconds for the `Retry-After` header, when the caller may simply try again later. */
  retryAfterSeconds(): number | undefined {
    return undefined;
  }

  /** Other response headers that go with this error (a fresh `DPoP-Nonce`...). */
  headers(): Readonly<Record<string, string>> | undefined {
    return undefined;
  }

  /** The JSON body; `undefined` means the response has none. */
  body(): OAuthErrorBody | undefined {
    return this.description === undefined
      ? { error: this.error }
      : { error: this.error, error_description: this.description };
  }
}

export class InvalidRequest extends OAuthError {
  readonly error = 'invalid_request';
  constructor(
    description: string,
    override readonly status: 400 | 413 = 400,
  ) {
    super(description);
  }
}

/**
 * Client authentication failed. The description never says which part was wrong (unknown
 * client, wrong secret, expired secret...): the reason goes to the log through `cause`. A client
 * that tried HTTP Basic is challenged with it (recordChallenge with the Basic scheme and realm).
 */
export class InvalidClient extends OAuthError {
  readonly error = 'invalid_client';
  override readonly status = 401;

  constructor(reason: string) {
    super('client authentication failed', { cause: reason });
  }
}

export class InvalidGrant extends OAuthError {
  readonly error = 'invalid_grant';
}

export class UnauthorizedClient extends OAuthError {
  readonly error = 'unauthorized_client';
}

export class UnsupportedGrantType extends OAuthError {
  readonly error = 'unsupported_grant_type';
}

export class InvalidScope extends OAuthError {
  readonly error = 'invalid_scope';
}

/** RFC 8707 §2: a `resource` is malformed, unknown, or not one the client may ask for. */
export class InvalidTarget extends OAuthError {
  readonly error = 'invalid_target';
}

/** RFC 7009 §2.2.1: the server cannot revoke this type of token. */
export class UnsupportedTokenType extends OAuthError {
  readonly error = 'unsupported_token_type';
}

/**
 * RFC 9449 §5: the `DPoP` proof sent to the token endpoint is invalid, a 400 (a missing one,
 * where required, is invalid_request); §7.1: at a protected resource the proof that came with a
 * DPoP-scheme token is missing or invalid, a 401 with a DPoP challenge.
 */
export class InvalidDPoPProof extends OAuthError {
  readonly error = 'invalid_dpop_proof';

  constructor(
    description: string,
    override readonly status: 400 | 401 = 400,
  ) {
    super(description);
  }
}

/** RFC 9449 §8: the proof must carry the server's nonce, sent with this error. */
export class UseDPoPNonce extends OAuthError {
  readonly error = 'use_dpop_nonce';

  constructor(private readonly nonce: string) {
    super('the DPoP proof must carry the nonce in the DPoP-Nonce header');
  }

  override headers(): Readonly<Record<string, string>> {
    return { 'dpop-nonce': this.nonce };
  }
}

/**
 * The server cannot answer now, through no fault of the request: `429` when a rate limit or a
 * client's lock-out holds the caller back, `503` when a dependency (the database) is down. Both
 * carry `Retry-After`.
 */
export class TemporarilyUnavailable extends OAuthError {
  readonly error = 'temporarily_unavailable';

  constructor(
    description: string,
    override readonly status: 429 | 503,
    private readonly retryAfter: number,
    options?: { cause?: unknown },
  ) {
    super(description, options);
  }

  override retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.retryAfter));
  }
}

/** RFC 6750 §3.1: the request carried a bearer token that is not acceptable. */
export class InvalidToken extends OAuthError {
  readonly error = 'invalid_token';
  override readonly status = 401;
}

/** RFC 6750 §3.1: a valid token without the scopes the resource requires. */
export class InsufficientScope extends OAuthError {
  readonly error = 'insufficient_scope';
  override readonly status = 403;

  constructor(readonly requiredScopes: readonly string[]) {
    super(`the token lacks the scope ${requiredScopes.join(' ')}`);
  }
}

/**
 * RFC 6750 §3.1: a request without any authentication gets a bare challenge (`Bearer`, or
 * `Bearer, DPoP algs="…"` where recorded), with no error code and no error body.
 */
export class BearerTokenMissing extends OAuthError {
  readonly error = 'invalid_token';
  override readonly status = 401;

  constructor() {
    super('no bearer token');
  }

  override body(): undefined {
    return undefined;
  }
}
