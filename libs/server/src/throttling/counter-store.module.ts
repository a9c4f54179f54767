import { Logger, Module } from '@nestjs/common';
import { IdentityDataSourceToken } from '../persistence/identity-data-source';
import type { DataSource } from 'typeorm';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { CounterStore } from './counter';
import { FailOpenCounterStore } from './fail-open.counter-store';
import { MemoryCounterStore } from './stores/memory.counter-store';
import { PostgresCounterStore } from './stores/postgres.counter-store';
import { RedisCounterStore } from './stores/redis.counter-store';

/**
 * The counter store: Redis when REDIS_URL is set, else PostgreSQL when DATABASE_URL is set (so
 * replicas share their counts), else this process's memory. A shared store fails open.
 */
@Module({
  providers: [
    {
      provide: CounterStore,
      inject: [identitySettings.KEY, IdentityDataSourceToken],
      useFactory: (settings: IdentitySettings, dataSource: DataSource): CounterStore =>
        createCounterStore(settings, dataSource),
    },
  ],
  exports: [CounterStore],
})
export class CounterStoreModule {}

function createCounterStore(settings: IdentitySettings, dataSource: DataSource): CounterStore {
  const { enabled, redisUrl } = settings.rateLimits;
  if (!enabled || (!redisUrl && !settings.databaseUrl)) return new MemoryCounterStore();
  const logger = new Logger('RateLimit');
  return new FailOpenCounterStore(
    (reportFailure) =>
      redisUrl
        ? new RedisCounterStore(redisUrl, reportFailure)
        : new PostgresCounterStore(dataSource, reportFailure),
    (message) => logger.warn(message),
  );
}
