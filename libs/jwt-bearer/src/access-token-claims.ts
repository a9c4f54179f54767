/**
 * The claims of a validated access token (RFC 9068 §2.2). Only `iss`, `aud` and `exp` are
 * guaranteed, because only they are checked: IdentityServer-style authorities omit `sub` for
 * client credentials and send `scope` as an array.
 */
export interface AccessTokenClaims {
  iss: string;
  aud: string | string[];
  exp: number;
  sub?: string;
  client_id?: string;
  /** Space-delimited, or a JSON array; read it with `readScopeClaim` from @app/shared. */
  scope?: string | string[];
  iat?: number;
  nbf?: number;
  jti?: string;
  [claim: string]: unknown;
}
