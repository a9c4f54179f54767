import { InvalidClient, InvalidRequest, TemporarilyUnavailable } from '@nest-identity/shared';
import { CountingClientLockout, type LockoutPolicy } from './client-lockout';
import { CounterStore } from './counter';
import { FailOpenCounterStore } from './fail-open.counter-store';
import { MemoryCounterStore } from './stores/memory.counter-store';

const policy: LockoutPolicy = {
  threshold: 3,
  windowMs: 60_000,
  durationMs: 1000,
  maxDurationMs: 5000,
  idCeiling: 6,
  slowDownMs: 1000,
};

const HERE = '192.0.2.1';

describe('CountingClientLockout', () => {
  let clock: { now: number };
  let store: MemoryCounterStore;
  let lockout: CountingClientLockout;
  /** The slow-downs the lock-out asked for, in ms. */
  let waits: number[];

  beforeEach(() => {
    clock = { now: 1_000_000 };
    store = new MemoryCounterStore({ now: () => clock.now });
    waits = [];
    lockout = new CountingClientLockout(
      store,
      policy,
      () => clock.now,
      (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    );
  });
  afterEach(() => store.onModuleDestroy());

  const failure = () => Promise.reject(new InvalidClient('secret wrong'));
  const success = () => Promise.resolve('client');

  async function fail(clientId: string, times: number, address = HERE): Promise<void> {
    for (let i = 0; i < times; i++) {
      const attempt = await lockout.admit(clientId, address);
      await expect(attempt.settle(failure())).rejects.toBeInstanceOf(InvalidClient);
    }
  }

  /** Seconds of Retry-After the lock-out answers now, or undefined when it admits. */
  async function retryAfter(clientId: string, address = HERE): Promise<number | undefined> {
    try {
      await lockout.admit(clientId, address);
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(TemporarilyUnavailable);
      const refused = error as TemporarilyUnavailable;
      expect(refused.status).toBe(429);
      expect(refused.body()).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'too many failed client authentications; try again later',
      });
      return refused.retryAfterSeconds();
    }
  }

  it('locks a client id out after threshold failures, before its outcome is even asked', async () => {
    await fail('client', 2);
    expect(await retryAfter('client')).toBeUndefined();
    await fail('client', 1);
    expect(await retryAfter('client')).toBe(1);
    expect(await retryAfter('another')).toBeUndefined();
  });

  it('doubles each lock-out in a row up to the maximum, then forgets after a quiet period', async () => {
    const durations: number[] = [];
    for (let round = 0; round < 5; round++) {
      await fail('client', 3);
      durations.push((await store.read(`lockout:${HERE} client`))!.blockedUntil - clock.now);
      clock.now = (await store.read(`lockout:${HERE} client`))!.blockedUntil;
      expect(await retryAfter('client')).toBeUndefined();
    }
    expect(durations).toEqual([1000, 2000, 4000, 5000, 5000]);
    clock.now += policy.maxDurationMs;
    await fail('client', 3);
    expect(await retryAfter('client')).toBe(1);
  });

  it('a success clears the failures counted so far', async () => {
    await fail('client', 2);
    await expect((await lockout.admit('client', HERE)).settle(success())).resolves.toBe('client');
    await fail('client', 2);
    expect(await retryAfter('client')).toBeUndefined();
  });

  it('locks a client id out only at the address its failures came from', async () => {
    await fail('client', 3, '198.51.100.7');
    expect(await retryAfter('client', '198.51.100.7')).toBe(1);
    expect(await retryAfter('client', HERE)).toBeUndefined();
    await expect((await lockout.admit('client', HERE)).settle(success())).resolves.toBe('client');
  });

  it('counts an IPv6 /64 as one address, as the address throttle does', async () => {
    await fail('client', 2, '2001:db8:1:2::1');
    await fail('client', 1, '2001:db8:1:2:ffff::9');
    expect(await retryAfter('client', '2001:db8:1:2::abcd')).toBe(1);
    expect(await retryAfter('client', '2001:db8:1:3::1')).toBeUndefined();
  });

  it('past the per-id ceiling over all addresses, slows each failure and never locks', async () => {
    // Two failures from each of five addresses: none is locked, the id passes its ceiling of 6.
    for (let i = 1; i <= 5; i++) await fail('client', 2, `203.0.113.${i}`);
    expect(waits).toEqual([1000, 1000, 1000, 1000]);
    expect(await retryAfter('client', HERE)).toBeUndefined();
    // A success is never slowed.
    await expect((await lockout.admit('client', HERE)).settle(success())).resolves.toBe('client');
    expect(waits).toHaveLength(4);
    // After the window, failures are answered at once again.
    clock.now += policy.windowMs;
    await fail('client', 1, '203.0.113.9');
    expect(waits).toHaveLength(4);
  });

  it('counts unknown client ids like any other', async () => {
    await fail('no-such-client', 3);
    expect(await retryAfter('no-such-client')).toBe(1);
  });

  it('counts only failed authentications, not other errors', async () => {
    for (let i = 0; i < 5; i++) {
      const attempt = await lockout.admit('client', HERE);
      await expect(attempt.settle(Promise.reject(new InvalidRequest('bad')))).rejects.toThrow();
    }
    expect(await retryAfter('client')).toBeUndefined();
  });

  it('writes nothing after a success when no failure was counted', async () => {
    const clearHits = jest.spyOn(store, 'clearHits');
    await (await lockout.admit('client', HERE)).settle(success());
    expect(clearHits).not.toHaveBeenCalled();
  });

  it('admits everyone while its store is out (fail open)', async () => {
    class BrokenStore extends CounterStore {
      hit = () => Promise.reject(new Error('down'));
      read = () => Promise.reject(new Error('down'));
      clearHits = () => Promise.reject(new Error('down'));
    }
    const open = new FailOpenCounterStore(
      () => new BrokenStore(),
      () => undefined,
    );
    const tolerant = new CountingClientLockout(open, policy);
    for (let i = 0; i < 5; i++) {
      const attempt = await tolerant.admit('client', HERE);
      await expect(attempt.settle(failure())).rejects.toBeInstanceOf(InvalidClient);
    }
    await expect((await tolerant.admit('client', HERE)).settle(success())).resolves.toBe('client');
  });
});
