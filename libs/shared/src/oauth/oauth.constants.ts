/** Protocol names used on the wire by both apps. */

export const GrantTypes = {
  ClientCredentials: 'client_credentials',
} as const;

export const ClientAuthMethods = {
  ClientSecretBasic: 'client_secret_basic',
  ClientSecretPost: 'client_secret_post',
  /** RFC 7523 §2.2 / OIDC Core §9: a JWT signed with one of the client's registered keys. */
  PrivateKeyJwt: 'private_key_jwt',
  /** RFC 7523 §2.2 / OIDC Core §9: a JWT MACed (HS*) with a secret the server can read. */
  ClientSecretJwt: 'client_secret_jwt',
} as const;
export type ClientAuthMethod = (typeof ClientAuthMethods)[keyof typeof ClientAuthMethods];

/** RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion. */
export const JwtBearerClientAssertionType =
  'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** RFC 9068 §2.1: the `typ` header of a JWT access token (the `application/` prefix is optional). */
export const AccessTokenJwtType = 'at+jwt';

/**
 * RFC 9068 §2.2: the claims a JWT access token must carry besides `iss`, `exp` and `aud`, which a
 * resource server always checks. The identity issues every one; a resource server may be told to
 * do without some for an authority that omits them.
 */
export const AccessTokenRequiredClaims = ['iat', 'jti', 'sub', 'client_id'] as const;
export type AccessTokenRequiredClaim = (typeof AccessTokenRequiredClaims)[number];

export const OAuthPaths = {
  Token: '/connect/token',
  OpenIdConfiguration: '/.well-known/openid-configuration',
  AuthorizationServerMetadata: '/.well-known/oauth-authorization-server',
  Jwks: '/.well-known/openid-configuration/jwks',
  /** RFC 7662, at IdentityServer's path. */
  Introspection: '/connect/introspect',
  /** RFC 7009, at IdentityServer's path. */
  Revocation: '/connect/revocation',
  Health: '/health',
} as const;

/**
 * How a client's access tokens are issued: a self-contained JWT (RFC 9068), or a reference
 * token (an opaque handle the API resolves through introspection, RFC 7662).
 */
export const AccessTokenTypes = { Jwt: 'jwt', Reference: 'reference' } as const;
export type AccessTokenType = (typeof AccessTokenTypes)[keyof typeof AccessTokenTypes];

export const FormUrlEncoded = 'application/x-www-form-urlencoded';

/** Asymmetric JWS algorithms (RFC 7518) a resource server may accept; never `none` or HS*. */
export const AsymmetricJwsAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;
export type AsymmetricJwsAlgorithm = (typeof AsymmetricJwsAlgorithms)[number];

/**
 * The asymmetric algorithms a client may sign a private_key_jwt assertion or a DPoP proof with:
 * RFC 7518 §3's, EdDSA (RFC 8037) and RFC 9864's fully-specified Ed25519, which oauth4webapi and
 * openid-client sign with an Ed25519 key.
 */
export const ClientSigningAlgorithms = [...AsymmetricJwsAlgorithms, 'EdDSA', 'Ed25519'] as const;

/** The algorithms a private_key_jwt assertion may use. */
export const PrivateKeyJwtAlgorithms = ClientSigningAlgorithms;
export type PrivateKeyJwtAlgorithm = (typeof PrivateKeyJwtAlgorithms)[number];

/** The algorithms a client_secret_jwt assertion may use (RFC 7518 §3.2); never `none`. */
export const ClientSecretJwtAlgorithms = ['HS256', 'HS384', 'HS512'] as const;
export type ClientSecretJwtAlgorithm = (typeof ClientSecretJwtAlgorithms)[number];
