import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ReferenceTokenEntity } from '../persistence/entities/reference-token.entity';
import { RevokedTokenEntity } from '../persistence/entities/revoked-token.entity';
import { StoreWriter } from '../persistence/store-writer';
import { noCacheChange } from './reference-token.store';

/** How often expired rows are deleted. Expired rows are already refused; this only bounds size. */
export const PURGE_INTERVAL_MS = 60_000;

export interface PurgeResult {
  readonly referenceTokens: number;
  readonly revokedTokens: number;
}

/**
 * Deletes expired reference tokens and deny-list entries in the background. Every replica runs
 * it; two deleting the same rows is harmless (a DELETE of nothing deletes nothing). The timer
 * does not keep the process alive and stops at shutdown.
 */
@Injectable()
export class ExpiredTokenPurge implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ExpiredTokenPurge.name);
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(private readonly writer: StoreWriter) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purgeQuietly(), PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Deletes what expired at or before `now`. */
  purge(now = new Date()): Promise<PurgeResult> {
    return this.writer.write(async (manager) => {
      const expired = (entity: typeof ReferenceTokenEntity | typeof RevokedTokenEntity) =>
        manager
          .createQueryBuilder()
          .delete()
          .from(entity)
          .where('expires_at <= :now', { now: now.getTime() })
          .execute();
      const referenceTokens = (await expired(ReferenceTokenEntity)).affected ?? 0;
      const revokedTokens = (await expired(RevokedTokenEntity)).affected ?? 0;
      return { referenceTokens, revokedTokens };
    }, noCacheChange);
  }

  private async purgeQuietly(): Promise<void> {
    try {
      await this.purge();
      if (this.failing) this.logger.log('expired tokens are purged again');
      this.failing = false;
    } catch (error) {
      // The next round tries again; say so once, not every minute.
      if (!this.failing)
        this.logger.warn(`cannot purge expired tokens: ${(error as Error).message}`);
      this.failing = true;
    }
  }
}
