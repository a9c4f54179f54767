import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { createTestDatabase, type TestDatabase } from '../../persistence/test-databases.fixture';
import { MemoryReplayCache } from '../memory.replay-cache';
import type { ReplayCache } from '../replay-cache';
import { DatabaseReplayCache, USED_JTIS_TABLE } from './database.replay-cache';
import { RedisReplayCache } from './redis.replay-cache';

// One contract, four stores: the first use of a key wins until it expires, exactly once however
// many ask at the same time. Real Redis (REDIS_URL, else 127.0.0.1:6379, under a prefix of this
// run), a fresh PostgreSQL database and a fresh SQLite file.
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

interface Harness {
  readonly cache: ReplayCache;
  /** Moves the store's clock (Redis expires keys on its own clock: the tests wait instead). */
  readonly clock: { now: number };
  readonly ownClock: boolean;
  rows?(): Promise<number>;
  purge?(): Promise<void>;
  close(): Promise<void>;
}

const fail = (error: unknown): never => {
  throw error;
};

function databaseHarness(dialect: 'sqlite' | 'postgres') {
  return async (): Promise<Harness> => {
    const clock = { now: Date.now() };
    const database: TestDatabase = await createTestDatabase(dialect);
    const cache = new DatabaseReplayCache(database.dataSource, fail, 60_000, () => clock.now);
    return {
      cache,
      clock,
      ownClock: true,
      rows: async () => {
        const [row] = await database.dataSource.query<{ n: string | number }[]>(
          `SELECT COUNT(*) AS n FROM ${USED_JTIS_TABLE}`,
        );
        return Number(row?.n);
      },
      purge: () => cache.purge(),
      close: async () => {
        cache.onModuleDestroy();
        await database.drop();
      },
    };
  };
}

const harnesses: Record<string, () => Promise<Harness>> = {
  memory: () => {
    const clock = { now: Date.now() };
    const cache = new MemoryReplayCache(() => clock.now);
    return Promise.resolve({ cache, clock, ownClock: true, close: () => Promise.resolve() });
  },
  sqlite: databaseHarness('sqlite'),
  postgres: databaseHarness('postgres'),
  redis: () => {
    const clock = { now: Date.now() };
    const prefix = `identity-unit-${randomBytes(6).toString('hex')}:`;
    const cache = new RedisReplayCache(
      `${REDIS_URL}?keyPrefix=${encodeURIComponent(prefix)}`,
      () => undefined,
      () => clock.now,
    );
    return Promise.resolve({
      cache,
      clock,
      ownClock: false,
      close: async () => {
        const admin = new Redis(REDIS_URL);
        const keys = await admin.keys(`${prefix}*`);
        if (keys.length > 0) await admin.del(...keys);
        admin.disconnect();
        cache.onModuleDestroy();
      },
    });
  },
};

describe.each(Object.keys(harnesses))('%s replay cache', (name) => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await harnesses[name]();
  });
  afterEach(() => harness.close());

  it('answers true the first time, false for a replay, true for another key', async () => {
    const until = harness.clock.now + 60_000;
    expect(await harness.cache.firstUse('client-assertion:c:1', until)).toBe(true);
    expect(await harness.cache.firstUse('client-assertion:c:1', until)).toBe(false);
    expect(await harness.cache.firstUse('client-assertion:c:2', until)).toBe(true);
    expect(await harness.cache.firstUse('client-assertion:other:1', until)).toBe(true);
  });

  it('lets exactly one of many concurrent presentations through', async () => {
    const until = harness.clock.now + 60_000;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => harness.cache.firstUse('dpop:same', until)),
    );
    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it('forgets a key once it has expired', async () => {
    const until = harness.clock.now + (harness.ownClock ? 60_000 : 300);
    expect(await harness.cache.firstUse('k', until)).toBe(true);
    if (harness.ownClock) harness.clock.now += 60_001;
    else await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await harness.cache.firstUse('k', harness.clock.now + 60_000)).toBe(true);
    expect(await harness.cache.firstUse('k', harness.clock.now + 60_000)).toBe(false);
  });

  it('keeps a hash of the key, and purges expired rows', async () => {
    if (!harness.rows || !harness.purge) return;
    await harness.cache.firstUse('a', harness.clock.now + 1000);
    await harness.cache.firstUse('b', harness.clock.now + 120_000);
    harness.clock.now += 2000;
    await harness.purge();
    expect(await harness.rows()).toBe(1);
  });
});
