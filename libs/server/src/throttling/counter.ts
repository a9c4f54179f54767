/**
 * A fixed-window counter that blocks a key once it exceeds its limit. Throttles and the client
 * lock-out are both this one rule with different policies; every store (memory, Redis,
 * PostgreSQL) applies `countHit` atomically, so replicas sharing a store agree.
 */
export interface CounterPolicy {
  /** Hits allowed in one window; the next one blocks the key. */
  readonly limit: number;
  readonly windowMs: number;
  /** The first block. Each further block in a row doubles it, up to `maxBlockMs`. */
  readonly blockMs: number;
  readonly maxBlockMs: number;
  /** How long after a block ends the next one still counts as "in a row" (0: never). */
  readonly strikeMemoryMs: number;
}

export interface CounterState {
  /** Hits in the current window. */
  readonly hits: number;
  /** Epoch ms; at or before now, the next hit opens a new window. */
  readonly windowEndsAt: number;
  /** Epoch ms; after now, the key is blocked (0: never blocked). */
  readonly blockedUntil: number;
  /** Blocks in a row so far. */
  readonly strikes: number;
}

/** The hard cap on doubling, so `2 ** strikes` stays a safe integer whatever the policy. */
const MAX_DOUBLINGS = 30;

/** The state after one more hit at `now`. A hit on a blocked key changes nothing. */
export function countHit(
  previous: CounterState | undefined,
  now: number,
  policy: CounterPolicy,
): CounterState {
  if (previous && previous.blockedUntil > now) return previous;
  const strikes =
    previous && now < previous.blockedUntil + policy.strikeMemoryMs ? previous.strikes : 0;
  const fresh = !previous || previous.windowEndsAt <= now;
  const hits = fresh ? 1 : previous.hits + 1;
  if (hits > policy.limit) {
    // The block replaces the window: once it ends, counting starts over.
    return {
      hits: 0,
      windowEndsAt: now,
      blockedUntil: now + blockMs(strikes, policy),
      strikes: strikes + 1,
    };
  }
  return {
    hits,
    windowEndsAt: fresh ? now + policy.windowMs : previous.windowEndsAt,
    blockedUntil: previous?.blockedUntil ?? 0,
    strikes,
  };
}

export function blockMs(strikes: number, policy: CounterPolicy): number {
  return Math.min(policy.blockMs * 2 ** Math.min(strikes, MAX_DOUBLINGS), policy.maxBlockMs);
}

/** When a state stops mattering: its window is over and its strikes are forgotten. */
export function expiresAt(state: CounterState, policy: CounterPolicy): number {
  return Math.max(state.windowEndsAt, state.blockedUntil + policy.strikeMemoryMs);
}

/** Milliseconds the key stays blocked after `now` (0: not blocked). */
export function blockedFor(state: CounterState | undefined, now: number): number {
  return state ? Math.max(0, state.blockedUntil - now) : 0;
}

/**
 * Where counters live. Every method is atomic per key: replicas sharing a store count together.
 * Keys are built by `counterKeys` only.
 */
export abstract class CounterStore {
  /** Counts one hit (see countHit) and returns the state after it. */
  abstract hit(key: string, policy: CounterPolicy): Promise<CounterState>;
  /** The state without counting anything; undefined when the key has none. */
  abstract read(key: string): Promise<CounterState | undefined>;
  /** Forgets the hits of the current window, keeping any block and strikes. */
  abstract clearHits(key: string): Promise<void>;

  /** Releases connections and timers. */
  onModuleDestroy(): Promise<void> | void {}
}
