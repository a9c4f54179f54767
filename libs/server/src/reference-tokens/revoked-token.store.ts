import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IDENTITY_DATA_SOURCE } from '../persistence/identity-data-source';
import type { DataSource } from 'typeorm';
import { RevokedTokenEntity } from '../persistence/entities/revoked-token.entity';
import { StoreWriter } from '../persistence/store-writer';
import { noCacheChange, rethrowUnavailable } from './reference-token.store';

/**
 * The deny-list of revoked JWT access tokens, by `jti`, shared by every replica through the
 * database. An entry lives until the token's own `exp`; introspection consults it.
 */
@Injectable()
export class RevokedTokenStore {
  constructor(
    @InjectDataSource(IDENTITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly writer: StoreWriter,
  ) {}

  /** Denies the token `jti` until `expiresAt`. Revoking twice is harmless. */
  async revoke(jti: string, clientId: string, expiresAt: Date): Promise<void> {
    await this.writer
      .write(
        (manager) =>
          manager
            .createQueryBuilder()
            .insert()
            .into(RevokedTokenEntity)
            .values({ jti, clientId, expiresAt })
            .orIgnore()
            .execute(),
        noCacheChange,
      )
      .catch(rethrowUnavailable);
  }

  async isRevoked(jti: string): Promise<boolean> {
    const count = await this.dataSource
      .getRepository(RevokedTokenEntity)
      .countBy({ jti })
      .catch(rethrowUnavailable);
    return count > 0;
  }
}
