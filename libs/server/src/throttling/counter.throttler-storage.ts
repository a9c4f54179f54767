import type { ThrottlerStorage } from '@nestjs/throttler';
import { CounterStore } from './counter';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** @nestjs/throttler's storage over our counter store, so the throttles are shared by replicas. */
export class CounterThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly store: CounterStore,
    private readonly now: () => number = Date.now,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    const state = await this.store.hit(key, {
      limit,
      windowMs: ttl,
      blockMs: blockDuration,
      maxBlockMs: blockDuration,
      strikeMemoryMs: 0,
    });
    const now = this.now();
    const blockedMs = Math.max(0, state.blockedUntil - now);
    // The throttler's record counts in seconds.
    return {
      totalHits: state.hits,
      timeToExpire: Math.max(0, Math.ceil((state.windowEndsAt - now) / 1000)),
      isBlocked: blockedMs > 0,
      timeToBlockExpire: Math.ceil(blockedMs / 1000),
    };
  }
}
