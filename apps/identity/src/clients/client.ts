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
}

export interface ClientSecret {
  /** SHA-256 of the secret: only the hash is ever stored. */
  readonly sha256: Buffer;
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
}
