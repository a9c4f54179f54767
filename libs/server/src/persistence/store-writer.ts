import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IDENTITY_DATA_SOURCE } from './identity-data-source';
import type { DataSource, EntityManager } from 'typeorm';
import { SerialQueue } from '@nest-identity/shared';
import { StoreChanges } from './store-changes';

/**
 * The one way to write clients or keys: a transaction that also records the change, so every
 * process drops its caches. This process's writes run one at a time: on SQLite, TypeORM shares
 * one connection, and a second transaction opened while one is running would nest inside it as
 * a savepoint (a rollback of one could undo the other). Writes are rare; reads never wait here.
 */
@Injectable()
export class StoreWriter {
  private readonly writes = new SerialQueue();

  constructor(
    @InjectDataSource(IDENTITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly changes: StoreChanges,
  ) {}

  /**
   * Runs `work` in a transaction. The change is recorded unless `changed(result)` says nothing
   * changed (an idempotent write another replica made first).
   */
  write<T>(
    work: (manager: EntityManager) => Promise<T>,
    changed: (result: T) => boolean = () => true,
  ): Promise<T> {
    return this.writes.run(() =>
      this.dataSource.transaction(async (manager) => {
        const result = await work(manager);
        if (changed(result)) await this.changes.recordChange(manager);
        return result;
      }),
    );
  }
}
