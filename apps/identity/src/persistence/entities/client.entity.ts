import { Column, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import { ClientSecretEntity } from './client-secret.entity';
import { epochMillis, jsonText } from './epoch-millis.transformer';

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

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMillis })
  updatedAt!: Date;

  @OneToMany(() => ClientSecretEntity, (secret) => secret.client, { cascade: true })
  secrets!: ClientSecretEntity[];
}
