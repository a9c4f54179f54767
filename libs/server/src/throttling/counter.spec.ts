import { blockMs, countHit, expiresAt, type CounterPolicy, type CounterState } from './counter';

const policy: CounterPolicy = {
  limit: 2,
  windowMs: 1000,
  blockMs: 100,
  maxBlockMs: 350,
  strikeMemoryMs: 5000,
};

function hits(count: number, at: number, from?: CounterState): CounterState | undefined {
  let state = from;
  for (let i = 0; i < count; i++) state = countHit(state, at, policy);
  return state;
}

describe('countHit', () => {
  it('counts hits within a window and starts a new window once it ends', () => {
    const two = hits(2, 0);
    expect(two).toEqual({ hits: 2, windowEndsAt: 1000, blockedUntil: 0, strikes: 0 });
    expect(countHit(two, 1000, policy)).toEqual({
      hits: 1,
      windowEndsAt: 2000,
      blockedUntil: 0,
      strikes: 0,
    });
  });

  it('blocks the hit past the limit, and a hit while blocked changes nothing', () => {
    const blocked = hits(3, 10);
    expect(blocked).toEqual({ hits: 0, windowEndsAt: 10, blockedUntil: 110, strikes: 1 });
    expect(countHit(blocked, 109, policy)).toBe(blocked);
  });

  it('doubles each block in a row, up to the maximum', () => {
    let state: CounterState | undefined;
    const blocks: number[] = [];
    let now = 0;
    for (let round = 0; round < 4; round++) {
      state = hits(3, now, state)!;
      blocks.push(state.blockedUntil - now);
      now = state.blockedUntil;
    }
    expect(blocks).toEqual([100, 200, 350, 350]);
  });

  it('forgets the strikes after strikeMemoryMs without a block: a back-off, not a ban', () => {
    const first = hits(3, 0)!;
    const second = hits(3, first.blockedUntil, first)!;
    expect(second.blockedUntil - first.blockedUntil).toBe(200);
    const quiet = second.blockedUntil + policy.strikeMemoryMs;
    const later = hits(3, quiet, second)!;
    expect(later).toMatchObject({ blockedUntil: quiet + 100, strikes: 1 });
  });

  it('blocks at the first hit with a limit of 0 (a lock-out threshold of 1)', () => {
    expect(countHit(undefined, 5, { ...policy, limit: 0 })).toMatchObject({ blockedUntil: 105 });
  });

  it('keeps the block arithmetic finite for any number of strikes', () => {
    expect(blockMs(10_000, { ...policy, maxBlockMs: Number.MAX_SAFE_INTEGER })).toBe(100 * 2 ** 30);
  });

  it('expires a state when its window is over and its strikes are forgotten', () => {
    expect(expiresAt({ hits: 1, windowEndsAt: 900, blockedUntil: 0, strikes: 0 }, policy)).toBe(
      5000,
    );
    expect(expiresAt({ hits: 0, windowEndsAt: 10, blockedUntil: 110, strikes: 1 }, policy)).toBe(
      5110,
    );
  });
});
