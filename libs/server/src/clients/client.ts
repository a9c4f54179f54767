import type { AccessTokenType, JsonWebKeySet } from '@nest-identity/shared';

/** A registered client as the token endpoint sees it, whatever store it comes from. */
export type ClientSource = 'configuration' | 'database';

export interface Client {
  readonly clientId: string;
  /** Configuration-file clients are read-only; database clients are managed by the CLI and API. */
  readonly source: ClientSource;
  readonly enabled: boolean;
  readonly secrets: readonly ClientSecret[];
  readonly allowedGrantTypes: readonly string[];
  readonly allowedScopes: readonly string[];
  /** Seconds. */
  readonly accessTokenLifetime: number;
  /** Claims added to every access token issued to the client; a type may repeat. */
  readonly claims: readonly { readonly type: string; readonly value: string }[];
  /** `jwt` (RFC 9068) or `reference` (an opaque handle, resolved by introspection). */
  readonly accessTokenType: AccessTokenType;
  /** Every token must be bound to a DPoP proof's key (RFC 9449); Bearer requests are refused. */
  readonly requireDPoP: boolean;
  /**
   * The API resources (by name) the client may name in a `resource` parameter (RFC 8707).
   * Empty: the client may not use `resource`.
   */
  readonly allowedResources: readonly string[];
  /** The client's public keys for private_key_jwt (RFC 7523), inline. */
  readonly jwks?: JsonWebKeySet;
  /** Where the client publishes its public keys for private_key_jwt, instead of `jwks`. */
  readonly jwksUri?: string;
}

export interface ClientSecret {
  /** SHA-256 of the secret: only the hash is ever stored. */
  readonly sha256: Buffer;
  /**
   * The secret itself, for client_secret_jwt (the HMAC key): only for a secret the configuration
   * file names by environment variable. Never stored anywhere.
   */
  readonly hmacKey?: Buffer;
  readonly expiresAt?: Date;
}

/** An API scope a client may be granted. */
export interface ApiScope {
  readonly name: string;
  readonly displayName?: string;
}

/** An API that tokens are issued for: its name becomes the token's `aud`. */
export interface ApiResource {
  readonly name: string;
  readonly scopes: readonly string[];
  /**
   * An absolute URI that also identifies the resource in a `resource` parameter (RFC 8707),
   * when its name is not one.
   */
  readonly uri?: string;
  /** The resource's own secrets, to call introspection (IdentityServer's ApiSecrets). */
  readonly secrets: readonly ClientSecret[];
}
