import { Column, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import { ClientSecretEntity } from './client-secret.entity';
import type { AccessTokenType } from '@app/shared';
import type { JsonWebKeySet } from '../../clients/client';
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
