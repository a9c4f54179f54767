import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IDENTITY_DATA_SOURCE } from '../../persistence/identity-data-source';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { SerialQueue } from '@nest-identity/shared';
import { SigningKeyEntity } from '../../persistence/entities/signing-key.entity';
import { StoreWriter } from '../../persistence/store-writer';
import { racing } from './lost-race';

/** Keys whose `retiresAt` moves, in the same transaction as the write it goes with. */
export interface Retiring {
  readonly kids: readonly string[];
  readonly retiresAt: Date;
}

/**
 * The signing keys' table: the only code that reads or writes it. Every write is one transaction
 * through StoreWriter, so it records a change and every replica reloads; idempotent writes that
 * found nothing to do record none. A write that lost a race to another replica throws LostRace.
 */
@Injectable()
export class SigningKeyRepository {
  /** One read-plan-write sequence at a time in this process (SQLite shares one connection). */
  private readonly sequences = new SerialQueue();

  constructor(
    @InjectDataSource(IDENTITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly writer: StoreWriter,
  ) {}

  /** Runs `work` (reads, a plan, writes) after every sequence this process started before it. */
  sequence<T>(work: () => Promise<T>): Promise<T> {
    return this.sequences.run(work);
  }

  /** Every stored key, by generation. */
  readAll(): Promise<SigningKeyEntity[]> {
    return racing(() =>
      this.dataSource.getRepository(SigningKeyEntity).find({ order: { generation: 'ASC' } }),
    );
  }

  /** Inserts `row`; `retiring` keys get their new `retiresAt` in the same transaction. */
  async insert(row: SigningKeyEntity, retiring?: Retiring): Promise<void> {
    await racing(() =>
      this.writer.write(async (manager) => {
        await retire(manager, retiring);
        await manager.insert(SigningKeyEntity, row);
      }),
    );
  }

  /**
   * Deletes `kid`, moves `retiring`, and inserts `replacement`, in one transaction. False, and
   * nothing written, when `kid` is gone (another process revoked it since it was read).
   */
  revoke(kid: string, retiring: Retiring, replacement?: SigningKeyEntity): Promise<boolean> {
    return racing(() =>
      this.writer.write(
        async (manager) => {
          const deleted = await manager.delete(SigningKeyEntity, { kid });
          if (!deleted.affected) return false;
          await retire(manager, retiring);
          if (replacement) await manager.insert(SigningKeyEntity, replacement);
          return true;
        },
        (revoked) => revoked,
      ),
    );
  }

  /** Idempotent: a key another replica deleted first is simply gone. Returns how many went. */
  deleteKeys(kids: readonly string[]): Promise<number> {
    return this.writeIfAffected((manager) => manager.delete(SigningKeyEntity, { kid: In(kids) }));
  }

  /**
   * Replaces a key's stored private key, only if it is still `stored` (another replica may have
   * replaced it first). Returns whether this call did.
   */
  async replacePrivateKey(kid: string, stored: string, replacement: string): Promise<boolean> {
    const updated = await this.writeIfAffected((manager) =>
      manager.update(SigningKeyEntity, { kid, privateKey: stored }, { privateKey: replacement }),
    );
    return updated > 0;
  }

  /** A write another replica may have made first: records a change only when rows changed. */
  private writeIfAffected(
    work: (manager: EntityManager) => Promise<{ affected?: number | null }>,
  ): Promise<number> {
    return racing(() =>
      this.writer.write(
        async (manager) => (await work(manager)).affected ?? 0,
        (affected) => affected > 0,
      ),
    );
  }
}

async function retire(manager: EntityManager, retiring: Retiring | undefined): Promise<void> {
  if (!retiring || retiring.kids.length === 0) return;
  await manager.update(
    SigningKeyEntity,
    { kid: In([...retiring.kids]) },
    { retiresAt: retiring.retiresAt },
  );
}
