import Redis from 'ioredis';
import { CounterStore, type CounterPolicy, type CounterState } from '../counter';

/** countHit (../counter.ts), as one atomic script; a hash per key that expires with its state. */
const COUNT_HIT = `
local now, limit, windowMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local blockMs, maxBlockMs, strikeMemoryMs = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local s = redis.call('HMGET', KEYS[1], 'hits', 'windowEndsAt', 'blockedUntil', 'strikes')
local hits, windowEndsAt = tonumber(s[1]) or 0, tonumber(s[2]) or 0
local blockedUntil, strikes = tonumber(s[3]) or 0, tonumber(s[4]) or 0
if blockedUntil > now then return {hits, windowEndsAt, blockedUntil, strikes} end
if not (now < blockedUntil + strikeMemoryMs) then strikes = 0 end
if windowEndsAt <= now then
  hits, windowEndsAt = 1, now + windowMs
else
  hits = hits + 1
end
if hits > limit then
  local block = math.min(blockMs * 2 ^ math.min(strikes, 30), maxBlockMs)
  hits, windowEndsAt, blockedUntil, strikes = 0, now, now + block, strikes + 1
end
redis.call('HSET', KEYS[1], 'hits', hits, 'windowEndsAt', windowEndsAt,
  'blockedUntil', blockedUntil, 'strikes', strikes)
redis.call('PEXPIREAT', KEYS[1], math.max(windowEndsAt, blockedUntil + strikeMemoryMs))
return {hits, windowEndsAt, blockedUntil, strikes}
`;

/** Only an existing key: a key created here would never expire. */
const CLEAR_HITS = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'hits', 0) end
return 0
`;

interface CounterCommands {
  countHit(key: string, ...args: number[]): Promise<number[]>;
  clearHits(key: string): Promise<number>;
}

/**
 * Counters in Redis (REDIS_URL), shared by every replica. Keys are prefixed `identity:` unless
 * the URL says otherwise (`redis://host:6379/0?keyPrefix=staging:`). While Redis is unreachable,
 * commands fail after one reconnection attempt, and FailOpenCounterStore lets requests through.
 */
export class RedisCounterStore extends CounterStore {
  private readonly redis: Redis & CounterCommands;

  constructor(
    url: string,
    onError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    super();
    // The URL's own options (keyPrefix...) come first and win over these defaults.
    const redis = new Redis(url, {
      keyPrefix: 'identity:',
      // While disconnected, a command waits for one reconnection attempt at most, then fails.
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // At the first command, once the app (and its logger) runs, not while it is being built.
      lazyConnect: true,
    });
    redis.on('error', onError);
    redis.defineCommand('countHit', { numberOfKeys: 1, lua: COUNT_HIT });
    redis.defineCommand('clearHits', { numberOfKeys: 1, lua: CLEAR_HITS });
    this.redis = redis as Redis & CounterCommands;
  }

  async hit(key: string, policy: CounterPolicy): Promise<CounterState> {
    const [hits, windowEndsAt, blockedUntil, strikes] = await this.redis.countHit(
      key,
      this.now(),
      policy.limit,
      policy.windowMs,
      policy.blockMs,
      policy.maxBlockMs,
      policy.strikeMemoryMs,
    );
    return { hits, windowEndsAt, blockedUntil, strikes };
  }

  async read(key: string): Promise<CounterState | undefined> {
    const fields = await this.redis.hmget(key, 'hits', 'windowEndsAt', 'blockedUntil', 'strikes');
    if (fields[0] === null) return undefined;
    const [hits, windowEndsAt, blockedUntil, strikes] = fields.map(Number);
    return { hits, windowEndsAt, blockedUntil, strikes };
  }

  async clearHits(key: string): Promise<void> {
    await this.redis.clearHits(key);
  }

  override onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
