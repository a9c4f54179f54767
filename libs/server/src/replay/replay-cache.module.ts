import { Global, Logger, Module } from '@nestjs/common';
import { IdentityDataSourceToken } from '../persistence/identity-data-source';
import type { DataSource } from 'typeorm';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { ReplayCache } from './replay-cache';
import { DatabaseReplayCache } from './stores/database.replay-cache';
import { RedisReplayCache } from './stores/redis.replay-cache';

/**
 * The one ReplayCache of the identity, for every check that needs one: Redis when REDIS_URL is
 * set, else the identity's database (PostgreSQL, or the embedded SQLite file), so replicas and
 * workers share what they remember. Never this process's memory alone: a replay to another
 * process would pass.
 */
@Global()
@Module({
  providers: [
    {
      provide: ReplayCache,
      inject: [identitySettings.KEY, IdentityDataSourceToken],
      useFactory: (settings: IdentitySettings, dataSource: DataSource): ReplayCache => {
        const logger = new Logger('ReplayCache');
        const redisUrl = settings.rateLimits.redisUrl;
        return redisUrl
          ? new RedisReplayCache(redisUrl, (error) => logger.warn(`Redis: ${String(error)}`))
          : new DatabaseReplayCache(dataSource, (error) =>
              logger.warn(`purging expired entries failed: ${String(error)}`),
            );
      },
    },
  ],
  exports: [ReplayCache],
})
export class ReplayCacheModule {}
