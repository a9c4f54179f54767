import { CounterStore, type CounterPolicy, type CounterState } from './counter';
import { FailOpenCounterStore } from './fail-open.counter-store';

const policy: CounterPolicy = {
  limit: 1,
  windowMs: 1000,
  blockMs: 1000,
  maxBlockMs: 1000,
  strikeMemoryMs: 0,
};

const blocked: CounterState = { hits: 0, windowEndsAt: 0, blockedUntil: 9e15, strikes: 1 };

/** A store whose every call does what `behaviour` says. */
class ScriptedStore extends CounterStore {
  calls = 0;
  constructor(public behaviour: () => Promise<CounterState>) {
    super();
  }
  hit(): Promise<CounterState> {
    this.calls++;
    return this.behaviour();
  }
  read(): Promise<CounterState | undefined> {
    this.calls++;
    return this.behaviour();
  }
  async clearHits(): Promise<void> {
    this.calls++;
    await this.behaviour();
  }
}

describe('FailOpenCounterStore', () => {
  let clock: { now: number };
  let inner: ScriptedStore;
  let warnings: string[];
  let store: FailOpenCounterStore;

  beforeEach(() => {
    clock = { now: 0 };
    warnings = [];
    inner = new ScriptedStore(() => Promise.resolve(blocked));
    store = new FailOpenCounterStore(
      () => inner,
      (message) => warnings.push(message),
      { timeoutMs: 50, pauseMs: 5000, now: () => clock.now },
    );
  });

  it('passes answers through while the store works', async () => {
    await expect(store.hit('k', policy)).resolves.toBe(blocked);
    expect(warnings).toEqual([]);
  });

  it('lets requests through when the store fails, warning once per pause', async () => {
    inner.behaviour = () => Promise.reject(new Error('ECONNREFUSED'));
    await expect(store.hit('k', policy)).resolves.toMatchObject({ blockedUntil: 0 });
    await expect(store.read('k')).resolves.toBeUndefined();
    await expect(store.clearHits('k')).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('ECONNREFUSED');
    // Paused: the store is not asked again until the pause ends.
    expect(inner.calls).toBe(1);
    clock.now += 5000;
    await store.hit('k', policy);
    expect(inner.calls).toBe(2);
    expect(warnings).toHaveLength(2);
  });

  it('treats a store that does not answer in time as failed', async () => {
    inner.behaviour = () => new Promise(() => undefined);
    await expect(store.hit('k', policy)).resolves.toMatchObject({ blockedUntil: 0 });
    expect(warnings[0]).toContain('no answer within 50 ms');
  });

  it('resumes counting once the store answers again', async () => {
    inner.behaviour = () => Promise.reject(new Error('down'));
    await store.hit('k', policy);
    inner.behaviour = () => Promise.resolve(blocked);
    clock.now += 5000;
    await expect(store.hit('k', policy)).resolves.toBe(blocked);
  });
});
