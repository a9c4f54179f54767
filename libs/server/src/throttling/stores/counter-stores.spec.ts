import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../persistence/test-databases.fixture';
import type { CounterPolicy, CounterStore } from '../counter';
import { MemoryCounterStore } from './memory.counter-store';
import { PostgresCounterStore } from './postgres.counter-store';
import { RedisCounterStore } from './redis.counter-store';

// One contract, three stores: the Redis script and the PostgreSQL UPSERT must count exactly as
// countHit does in memory. Real Redis (REDIS_URL, else 127.0.0.1:6379, keys under a prefix of
// this run) and a fresh PostgreSQL database.
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

const policy: CounterPolicy = {
  limit: 2,
  windowMs: 60_000,
  blockMs: 10_000,
  maxBlockMs: 25_000,
  strikeMemoryMs: 120_000,
};

interface Harness {
  readonly store: CounterStore;
  readonly clock: { now: number };
  close(): Promise<void>;
}

const fail = (error: unknown): never => {
  throw error;
};

const harnesses: Record<string, () => Promise<Harness>> = {
  memory: () => {
    // A fake clock starting now: Redis expires keys on its own clock, so never run behind it.
    const clock = { now: Date.now() };
    const store = new MemoryCounterStore({ now: () => clock.now });
    return Promise.resolve({ store, clock, close: () => Promise.resolve(store.onModuleDestroy()) });
  },
  redis: () => {
    const clock = { now: Date.now() };
    const prefix = `identity-unit-${randomBytes(6).toString('hex')}:`;
    const url = `${REDIS_URL}?keyPrefix=${encodeURIComponent(prefix)}`;
    const store = new RedisCounterStore(url, fail, () => clock.now);
    return Promise.resolve({
      store,
      clock,
      close: async () => {
        const admin = new Redis(REDIS_URL);
        const keys = await admin.keys(`${prefix}*`);
        if (keys.length > 0) await admin.del(...keys);
        admin.disconnect();
        store.onModuleDestroy();
      },
    });
  },
  postgres: async () => {
    const clock = { now: Date.now() };
    const database: TestDatabase = await createTestDatabase('postgres');
    const dataSource: DataSource = database.dataSource;
    const store = new PostgresCounterStore(dataSource, fail, 60_000, () => clock.now);
    return {
      store,
      clock,
      close: async () => {
        store.onModuleDestroy();
        await database.drop();
      },
    };
  },
};

describe.each(Object.keys(harnesses))('%s counter store', (name) => {
  let harness: Harness;
  let store: CounterStore;

  beforeEach(async () => {
    harness = await harnesses[name]();
    store = harness.store;
  });
  afterEach(() => harness.close());

  const advance = (ms: number) => (harness.clock.now += ms);

  it('counts hits per key and blocks past the limit', async () => {
    const start = harness.clock.now;
    expect(await store.hit('a', policy)).toEqual({
      hits: 1,
      windowEndsAt: start + 60_000,
      blockedUntil: 0,
      strikes: 0,
    });
    await store.hit('a', policy);
    expect(await store.hit('b', policy)).toMatchObject({ hits: 1 });
    expect(await store.hit('a', policy)).toEqual({
      hits: 0,
      windowEndsAt: start,
      blockedUntil: start + 10_000,
      strikes: 1,
    });
    advance(5000);
    expect(await store.hit('a', policy)).toMatchObject({ blockedUntil: start + 10_000 });
    expect(await store.read('a')).toMatchObject({ blockedUntil: start + 10_000, strikes: 1 });
  });

  it('doubles blocks in a row up to the maximum', async () => {
    const blocks: number[] = [];
    for (let round = 0; round < 3; round++) {
      let state = await store.hit('k', policy);
      while (state.blockedUntil <= harness.clock.now) state = await store.hit('k', policy);
      blocks.push(state.blockedUntil - harness.clock.now);
      harness.clock.now = state.blockedUntil;
    }
    expect(blocks).toEqual([10_000, 20_000, 25_000]);
  });

  it('starts a new window once the old one ends', async () => {
    await store.hit('w', policy);
    await store.hit('w', policy);
    advance(60_000);
    expect(await store.hit('w', policy)).toMatchObject({ hits: 1, blockedUntil: 0 });
  });

  it('clears hits but keeps a block and its strikes', async () => {
    await store.hit('c', policy);
    await store.hit('c', policy);
    await store.clearHits('c');
    expect(await store.hit('c', policy)).toMatchObject({ hits: 1 });
    await store.hit('c', policy);
    const blocked = await store.hit('c', policy);
    await store.clearHits('c');
    expect(await store.read('c')).toMatchObject({
      blockedUntil: blocked.blockedUntil,
      strikes: 1,
    });
  });

  it('reads nothing for a key never counted, and clearing it creates nothing', async () => {
    await store.clearHits('never');
    expect(await store.read('never')).toBeUndefined();
  });
});

describe('MemoryCounterStore bounds', () => {
  it('holds at most maxEntries keys, dropping the least recently counted', async () => {
    const store = new MemoryCounterStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) await store.hit(key, policy);
    await store.hit('a', policy);
    for (let i = 0; i < 1000; i++) await store.hit(`made-up-${i}`, policy);
    expect(store.size).toBe(3);
    await store.hit('x', policy);
    await store.hit('y', policy);
    await store.hit('x', policy);
    await store.hit('z', policy);
    expect(await store.read('x')).toMatchObject({ hits: 2 });
    expect(await store.read('y')).toMatchObject({ hits: 1 });
    store.onModuleDestroy();
  });

  it('sweeps expired keys', async () => {
    const clock = { now: 0 };
    const store = new MemoryCounterStore({ now: () => clock.now });
    await store.hit('short', { ...policy, windowMs: 10, strikeMemoryMs: 0 });
    await store.hit('long', policy);
    clock.now = 11;
    store.sweep();
    expect(store.size).toBe(1);
    expect(await store.read('short')).toBeUndefined();
    store.onModuleDestroy();
  });
});
