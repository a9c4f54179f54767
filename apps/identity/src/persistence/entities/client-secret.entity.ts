import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ClientEntity } from './client.entity';
import { epochMillis } from './epoch-millis.transformer';

/** One secret of a database client, kept only as base64(SHA-256(secret)). */
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

  @Column({ name: 'expires_at', type: 'bigint', nullable: true, transformer: epochMillis })
  expiresAt?: Date;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;
}
