import { Logger } from '@nestjs/common';
import { SigningKeyRotated, type AuditEvent } from '../audit/audit-events';
import type { AuditTrail } from '../audit/audit-trail';
import { testSettings } from '../persistence/test-databases.fixture';
import type { SigningKey } from './signing-key';
import { SigningKeyCache } from './signing-key-cache';
import type { ScheduledSigningKey } from './signing-key-loader';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const policy = {
  rotationPeriodMs: 90 * DAY,
  propagationTimeMs: 14 * DAY,
  retentionTimeMs: 14 * DAY,
};

/** A key's schedule; the key itself is a stand-in, the cache never looks inside it. */
function scheduled(
  generation: number,
  activatesAt: number,
  retiresAt: number,
): ScheduledSigningKey {
  const kid = `k${generation}`;
  const key = { kid, alg: 'ES256' } as SigningKey;
  return { kid, generation, createdAt: activatesAt, activatesAt, retiresAt, key };
}

describe('SigningKeyCache', () => {
  let now: number;
  let events: AuditEvent[];
  let cache: SigningKeyCache;
  const settings = testSettings();

  beforeEach(() => {
    now = T0;
    events = [];
    const trail = { record: (event: AuditEvent) => events.push(event) } as unknown as AuditTrail;
    cache = new SigningKeyCache(
      { ...settings, keys: { ...settings.keys, ...policy } },
      () => now,
      trail,
    );
  });

  const first = scheduled(1, T0, T0 + 90 * DAY);
  const successor = scheduled(2, T0 + 90 * DAY, T0 + 180 * DAY);

  it('refuses to sign before any key is loaded', () => {
    expect(() => cache.signingKey()).toThrow('no signing key is loaded');
    expect(cache.publishedKeys()).toEqual([]);
  });

  it('signs with the active key, and with its successor from its retirement, from memory', () => {
    cache.replace([first, successor]);
    expect(cache.signingKey()).toBe(first.key);
    now = T0 + 90 * DAY - 1;
    expect(cache.signingKey()).toBe(first.key);
    now = T0 + 90 * DAY;
    expect(cache.signingKey()).toBe(successor.key);
  });

  it('records an activated event when this process moves to another key, not for the first key', () => {
    cache.replace([first, successor]);
    cache.signingKey();
    cache.signingKey();
    expect(events).toEqual([]);

    now = T0 + 90 * DAY;
    cache.signingKey();
    cache.signingKey();
    expect(events).toHaveLength(1);
    expect(events[0]).toBeInstanceOf(SigningKeyRotated);
    expect(events[0]).toMatchObject({
      action: 'activated',
      kid: 'k2',
      details: {
        alg: 'ES256',
        generation: 2,
        activatesAt: new Date(T0 + 90 * DAY).toISOString(),
        retiresAt: new Date(T0 + 180 * DAY).toISOString(),
        previousKid: 'k1',
      },
    });
  });

  it('keeps signing with the last key past its retirement when no successor is loaded, warning once', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      cache.replace([first]);
      now = T0 + 91 * DAY;
      expect(cache.signingKey()).toBe(first.key);
      expect(cache.signingKey()).toBe(first.key);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('still signing with k1'));
    } finally {
      warn.mockRestore();
    }
  });

  it('publishes the announced successor and retired keys until their retention ends', () => {
    now = T0 + 80 * DAY;
    cache.replace([first, successor]);
    expect(cache.publishedKeys()).toEqual([first.key, successor.key]);
    now = T0 + 90 * DAY;
    expect(cache.publishedKeys()).toEqual([successor.key, first.key]);
    now = T0 + 104 * DAY;
    expect(cache.publishedKeys()).toEqual([successor.key]);
  });

  it('serves what it was last given: a replace swaps the whole set', () => {
    cache.replace([first]);
    const forced = scheduled(2, T0, T0 + 90 * DAY);
    cache.replace([{ ...first, retiresAt: T0 }, forced]);
    expect(cache.signingKey()).toBe(forced.key);
  });

  it('says when the store next needs a write: the successor due a propagation time ahead', () => {
    cache.replace([first]);
    expect(cache.nextWriteAt()).toBe(T0 + 76 * DAY);
  });
});
