import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ClientEntity } from './client.entity';
import { epochMillis } from './epoch-millis.transformer';

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
