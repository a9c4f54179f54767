import { resolveJwtBearerOptions } from '../jwt-bearer.options';
import { DPoPReplayCache } from './dpop-replay-cache';

describe('DPoPReplayCache', () => {
  const cacheOf = (replayCacheSize: number) =>
    new DPoPReplayCache(
      resolveJwtBearerOptions({
        authority: 'https://id.example.com',
        audience: 'api1',
        dpop: { replayCacheSize },
      }),
    );

  it('says true the first time, false on a replay while the proof could still be accepted', () => {
    const cache = cacheOf(10);
    expect(cache.firstUse('jkt:1', 2_000, 1_000)).toBe(true);
    expect(cache.firstUse('jkt:1', 2_000, 1_999)).toBe(false);
    expect(cache.firstUse('jkt:2', 2_000, 1_999)).toBe(true);
  });

  it('forgets a jti once its proof expired (it would be refused as too old anyway)', () => {
    const cache = cacheOf(10);
    cache.firstUse('jkt:1', 2_000, 1_000);
    expect(cache.firstUse('jkt:1', 4_000, 2_000)).toBe(true);
  });

  it('sweeps expired entries when full, and answers undefined rather than forget a live one', () => {
    const cache = cacheOf(2);
    cache.firstUse('a', 2_000, 1_000);
    cache.firstUse('b', 5_000, 1_000);
    expect(cache.firstUse('c', 5_000, 3_000)).toBe(true); // `a` expired and was swept
    expect(cache.size).toBe(2);
    expect(cache.firstUse('d', 5_000, 3_000)).toBeUndefined();
    expect(cache.firstUse('b', 5_000, 3_000)).toBe(false);
  });
});
