import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMillis, jsonText } from './epoch-millis.transformer';

/**
 * A signing key and its schedule: published from `createdAt`, signs from `activatesAt` until
 * `retiresAt`, published until `retiresAt` + retention, then deleted. `generation` is unique:
 * replicas that race to create the next key collide on it, and exactly one wins.
 */
@Entity({ name: 'identity_signing_keys' })
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid!: string;

  @Column({ type: 'integer', unique: true })
  generation!: number;

  @Column({ type: 'varchar', length: 10 })
  alg!: string;

  /** PKCS#8 PEM, or an `enc:v1:` envelope when IDENTITY_KEY_ENCRYPTION_KEY is set. */
  @Column({ name: 'private_key', type: 'text' })
  privateKey!: string;

  /** As published: the public members (all strings for RSA, EC and OKP keys), kid, use, alg. */
  @Column({ name: 'public_jwk', type: 'text', transformer: jsonText })
  publicJwk!: Record<string, string>;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;

  @Column({ name: 'activates_at', type: 'bigint', transformer: epochMillis })
  activatesAt!: Date;

  @Column({ name: 'retires_at', type: 'bigint', transformer: epochMillis })
  retiresAt!: Date;
}
