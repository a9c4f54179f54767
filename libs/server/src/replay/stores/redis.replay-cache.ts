import Redis from 'ioredis';
import { ReplayCache } from '../replay-cache';
import { replayKeyHash } from './replay-key';

/**
 * The replay store in Redis (REDIS_URL), shared by every replica: `SET key 1 NX PX ttl` is atomic,
 * and Redis forgets the key when it expires. Keys are `identity:replay:<sha256>` unless the URL
 * sets another prefix (`?keyPrefix=`). While Redis is unreachable, commands fail after one
 * reconnection attempt, and the caller refuses the request.
 */
export class RedisReplayCache extends ReplayCache {
  private readonly redis: Redis;

  constructor(
    url: string,
    onError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.redis = new Redis(url, {
      keyPrefix: 'identity:',
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      lazyConnect: true,
    });
    this.redis.on('error', onError);
  }

  async firstUse(key: string, expiresAt: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(expiresAt - this.now()));
    const set = await this.redis.set(`replay:${replayKeyHash(key)}`, '1', 'PX', ttl, 'NX');
    return set === 'OK';
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
