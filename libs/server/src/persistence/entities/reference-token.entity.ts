import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillis, jsonText } from './epoch-millis.transformer';

/**
 * A reference (opaque) access token. Only the SHA-256 of the handle is kept: a copy of the
 * database holds nothing a caller could present. `claims` are what a JWT would have carried.
 * Revoking deletes the row; the purge deletes rows past `expiresAt`.
 */
@Entity({ name: 'identity_reference_tokens' })
export class ReferenceTokenEntity {
  /** base64url(SHA-256(handle)). */
  @PrimaryColumn({ name: 'handle_hash', type: 'varchar', length: 64 })
  handleHash!: string;

  /** The client the token was issued to: only it may revoke the token. */
  @Column({ name: 'client_id', type: 'varchar', length: 200 })
  clientId!: string;

  @Column({ type: 'text', transformer: jsonText })
  claims!: Record<string, unknown>;

  @Index('identity_reference_tokens_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMillis })
  expiresAt!: Date;
}
