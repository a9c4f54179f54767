import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IDENTITY_DATA_SOURCE } from './identity-data-source';
import type { DataSource, EntityManager } from 'typeorm';
import { StoreVersionEntity } from './entities/store-version.entity';

/** How often each process looks for changes made elsewhere: well under the 1 s promise. */
export const CHANGE_POLL_INTERVAL_MS = 250;

/**
 * Tells this process's caches when clients or keys changed anywhere: in this process, in another
 * replica on the same PostgreSQL, or in the CLI on the same SQLite file. Writers call `recordChange`
 * inside their transaction; every process polls the counter and notifies its listeners.
 */
@Injectable()
export class StoreChanges implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StoreChanges.name);
  private readonly listeners: (() => void)[] = [];
  private seenVersion?: number;
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(@InjectDataSource(IDENTITY_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** Calls `listener` after any change to clients or keys, here or elsewhere. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Marks a change; call inside the transaction that makes it. */
  async recordChange(manager: EntityManager): Promise<void> {
    await manager.increment(StoreVersionEntity, { id: 1 }, 'version', 1);
  }

  /** Polls once now: after a local write, so this process sees it without waiting. */
  async poll(): Promise<void> {
    try {
      const row = await this.dataSource.getRepository(StoreVersionEntity).findOneBy({ id: 1 });
      if (this.failing) this.logger.log('the store is reachable again');
      this.failing = false;
      const version = row?.version ?? 0;
      if (this.seenVersion !== undefined && version !== this.seenVersion) this.notify();
      this.seenVersion = version;
    } catch (error) {
      // Caches keep serving what they hold; say so once, not every 250 ms.
      if (!this.failing) this.logger.warn(`cannot poll the store: ${(error as Error).message}`);
      this.failing = true;
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.poll();
    const tick = () => {
      this.timer = setTimeout(() => void this.poll().finally(tick), CHANGE_POLL_INTERVAL_MS);
      this.timer.unref();
    };
    tick();
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
