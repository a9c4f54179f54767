/**
 * The claims of a validated access token (RFC 9068 §2.2). `iss`, `aud` and `exp` are always
 * checked; `iat`, `jti`, `sub` and `client_id` are too unless the `requiredClaims` option leaves
 * them out (IdentityServer-style authorities omit `sub` for client credentials), hence optional
 * here. `scope` may be an array (IdentityServer again).
 */
export interface AccessTokenClaims {
  iss: string;
  aud: string | string[];
  exp: number;
  sub?: string;
  client_id?: string;
  /** Space-delimited, or a JSON array; read it with `readScopeClaim` from @nest-identity/shared. */
  scope?: string | string[];
  iat?: number;
  nbf?: number;
  jti?: string;
  [claim: string]: unknown;
}
