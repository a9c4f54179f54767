import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IDENTITY_DATA_SOURCE } from '../persistence/identity-data-source';
import type { DataSource } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ReferenceTokenEntity } from '../persistence/entities/reference-token.entity';
import { asStoreUnavailable } from '../persistence/store-unavailable';
import { StoreWriter } from '../persistence/store-writer';
import { referenceHandleHash } from './reference-handle';

/** A reference token as stored: whom it was issued to, the claims it stands for, its expiry. */
export interface StoredReferenceToken {
  readonly clientId: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly expiresAt: Date;
}

/**
 * Reference tokens in the identity's database (SQLite or PostgreSQL), keyed by the hash of their
 * handle. Writes go through StoreWriter without recording a change: a token is no client or key,
 * so no cache has to drop anything. A store that cannot answer throws StoreUnavailable (503),
 * never "unknown token", so an outage cannot pass for a revocation or hide one.
 */
@Injectable()
export class ReferenceTokenStore {
  constructor(
    @InjectDataSource(IDENTITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly writer: StoreWriter,
  ) {}

  async save(handle: string, token: StoredReferenceToken): Promise<void> {
    // The JSON claims column is typed loosely by TypeORM's partial-entity type.
    const row: QueryDeepPartialEntity<ReferenceTokenEntity> = {
      handleHash: referenceHandleHash(handle),
      clientId: token.clientId,
      claims: { ...token.claims } as QueryDeepPartialEntity<Record<string, unknown>>,
      expiresAt: token.expiresAt,
    };
    await this.writer
      .write((manager) => manager.insert(ReferenceTokenEntity, row), noCacheChange)
      .catch(rethrowUnavailable);
  }

  /** The token `handle` stands for, if it exists and has not expired at `now`. */
  async find(handle: string, now = new Date()): Promise<StoredReferenceToken | undefined> {
    const row = await this.dataSource
      .getRepository(ReferenceTokenEntity)
      .findOneBy({ handleHash: referenceHandleHash(handle) })
      .catch(rethrowUnavailable);
    if (!row || row.expiresAt <= now) return undefined;
    return { clientId: row.clientId, claims: row.claims, expiresAt: row.expiresAt };
  }

  /** Revokes the token: its row goes, so no replica finds it again. Idempotent. */
  async remove(handle: string): Promise<void> {
    await this.writer
      .write(
        (manager) =>
          manager.delete(ReferenceTokenEntity, { handleHash: referenceHandleHash(handle) }),
        noCacheChange,
      )
      .catch(rethrowUnavailable);
  }
}

export const noCacheChange = (): boolean => false;

export function rethrowUnavailable(error: unknown): never {
  throw asStoreUnavailable(error);
}
