import {
  CounterStore,
  countHit,
  expiresAt,
  type CounterPolicy,
  type CounterState,
} from '../counter';

interface Entry {
  readonly state: CounterState;
  readonly expiresAt: number;
}

export interface MemoryCounterStoreOptions {
  /** The most keys held; past it, the least recently counted key is dropped. */
  readonly maxEntries?: number;
  /** How often expired keys are swept. */
  readonly sweepIntervalMs?: number;
  readonly now?: () => number;
}

/**
 * Counters in this process only: one replica, or tests. Bounded, so a flood of made-up client
 * ids or addresses cannot grow it without limit; expired keys are swept in the background.
 */
export class MemoryCounterStore extends CounterStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: MemoryCounterStoreOptions = {}) {
    super();
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 10_000);
    this.sweeper.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  hit(key: string, policy: CounterPolicy): Promise<CounterState> {
    const now = this.now();
    const previous = this.live(key, now);
    const state = countHit(previous, now, policy);
    if (state !== previous) this.put(key, { state, expiresAt: expiresAt(state, policy) });
    return Promise.resolve(state);
  }

  read(key: string): Promise<CounterState | undefined> {
    return Promise.resolve(this.live(key, this.now()));
  }

  clearHits(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry) this.entries.set(key, { ...entry, state: { ...entry.state, hits: 0 } });
    return Promise.resolve();
  }

  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }

  override onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private live(key: string, now: number): CounterState | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > now ? entry.state : undefined;
  }

  /** Re-inserted on every count, so the Map's order is least recently counted first. */
  private put(key: string, entry: Entry): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, entry);
  }
}
