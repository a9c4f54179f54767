import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillis } from './epoch-millis.transformer';

/**
 * A revoked JWT access token, by its `jti` (RFC 7009 for self-contained tokens): kept until the
 * token's own `exp`, after which the token is refused anyway and the purge deletes the entry.
 */
@Entity({ name: 'identity_revoked_tokens' })
export class RevokedTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  jti!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 200 })
  clientId!: string;

  @Index('identity_revoked_tokens_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMillis })
  expiresAt!: Date;
}
