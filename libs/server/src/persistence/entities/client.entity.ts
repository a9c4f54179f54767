import { Column, Entity, JoinColumn, ManyToOne, OneToMany, PrimaryColumn } from 'typeorm';
import type { AccessTokenType, JsonWebKeySet } from '@nest-identity/shared';
import { epochMillis, jsonText, nullableJsonText } from './epoch-millis.transformer';

/** A client created through the admin API or the CLI (configuration-file clients are not here). */
@Entity({ name: 'identity_clients' })
export class ClientEntity {
  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 200 })
  clientId!: string;

  @Column({ name: 'client_name', type: 'varchar', length: 200, nullable: true })
  clientName!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ name: 'allowed_grant_types', type: 'text', transformer: jsonText })
  allowedGrantTypes!: string[];

  @Column({ name: 'allowed_scopes', type: 'text', transformer: jsonText })
  allowedScopes!: string[];

  @Column({ name: 'access_token_lifetime', type: 'integer' })
  accessTokenLifetime!: number;

  @Column({ type: 'text', transformer: jsonText })
  claims!: { type: string; value: string }[];

  @Column({ name: 'access_token_type', type: 'varchar', length: 20 })
  accessTokenType!: AccessTokenType;

  @Column({ name: 'require_dpop', type: 'boolean' })
  requireDPoP!: boolean;

  @Column({ name: 'allowed_resources', type: 'text', transformer: jsonText })
  allowedResources!: string[];

  /** A JWK Set (public keys) for private_key_jwt, as JSON; null when none. */
  @Column({ type: 'text', nullable: true, transformer: nullableJsonText })
  jwks!: JsonWebKeySet | null;

  @Column({ name: 'jwks_uri', type: 'varchar', length: 2000, nullable: true })
  jwksUri!: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt!: Date;

  @OneToMany(() => ClientSecretEntity, (secret) => secret.client, { cascade: true })
  secrets!: ClientSecretEntity[];
}

// In the same file as ClientEntity: each names the other in its relation, and two files would
// import each other.
/** One secret of a database client, kept as base64(SHA-256(secret)) (and encrypted for client_secret_jwt). */
@Entity({ name: 'identity_client_secrets' })
export class ClientSecretEntity {
  /** Public, stable handle to name the secret (e.g. to remove it); not the secret. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 200 })
  clientId!: string;

  @ManyToOne(() => ClientEntity, (client) => client.secrets, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'client_id' })
  client?: ClientEntity;

  @Column({ type: 'varchar', length: 44 })
  sha256!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /**
   * The secret encrypted under IDENTITY_KEY_ENCRYPTION_KEY, for client_secret_jwt; null for a
   * secret kept only as its hash (the default).
   */
  @Column({ name: 'jwt_secret', type: 'text', nullable: true })
  jwtSecret?: string | null;

  @Column({ name: 'expires_at', type: 'bigint', nullable: true, transformer: epochMillis })
  expiresAt?: Date;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;
}
