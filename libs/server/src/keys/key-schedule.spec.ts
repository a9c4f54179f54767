import {
  activeKey,
  expiredKeys,
  forcedRotation,
  keyStatus,
  lastActiveKey,
  nextKey,
  nextWriteAt,
  publishedKeys,
  revocation,
  type KeyTimes,
  type RotationPolicy,
} from './key-schedule';

const DAY = 86_400_000;
const policy: RotationPolicy = {
  rotationPeriodMs: 90 * DAY,
  propagationTimeMs: 14 * DAY,
  retentionTimeMs: 14 * DAY,
};
const T0 = Date.UTC(2026, 0, 1);

function key(generation: number, activatesAt: number, retiresAt: number, createdAt = activatesAt) {
  return { kid: `k${generation}`, generation, createdAt, activatesAt, retiresAt };
}

/** Applies plans as the manager would, with a clock that only moves forward. */
function run(keys: KeyTimes[], now: number): KeyTimes[] {
  const plan = nextKey(keys, now, policy);
  if (!plan) return keys;
  const extended = keys.map((k) =>
    plan.extend?.key === k ? { ...k, retiresAt: plan.extend.retiresAt } : k,
  );
  return [...extended, { kid: `k${plan.generation}`, createdAt: now, ...plan }];
}

describe('key schedule', () => {
  describe('the first key', () => {
    it('is created on an empty store and signs at once, for one rotation period', () => {
      expect(nextKey([], T0, policy)).toEqual({
        reason: 'first',
        generation: 1,
        activatesAt: T0,
        retiresAt: T0 + 90 * DAY,
      });
    });

    it('is created at once, unannounced, when every key has retired (identity stopped too long)', () => {
      const old = key(3, T0 - 200 * DAY, T0 - 110 * DAY);
      expect(nextKey([old], T0, policy)).toMatchObject({
        reason: 'unscheduled',
        generation: 4,
        activatesAt: T0,
      });
    });
  });

  describe('the successor', () => {
    const k1 = key(1, T0, T0 + 90 * DAY);

    it('is not created while the active key has more than the propagation time left', () => {
      expect(nextKey([k1], T0 + 76 * DAY - 1, policy)).toBeUndefined();
    });

    it('is created when the active key has the propagation time left, signing at its retirement', () => {
      expect(nextKey([k1], T0 + 76 * DAY, policy)).toEqual({
        reason: 'successor',
        generation: 2,
        activatesAt: T0 + 90 * DAY,
        retiresAt: T0 + 180 * DAY,
        extend: undefined,
      });
    });

    it('is created once: not again while it is announced', () => {
      const keys = run([k1], T0 + 76 * DAY);
      expect(nextKey(keys, T0 + 80 * DAY, policy)).toBeUndefined();
      expect(keys).toHaveLength(2);
    });

    it('created late, signs a full propagation time later and the active key signs until then', () => {
      const now = T0 + 85 * DAY;
      expect(nextKey([k1], now, policy)).toEqual({
        reason: 'successor',
        generation: 2,
        activatesAt: now + 14 * DAY,
        retiresAt: now + 104 * DAY,
        extend: { key: k1, retiresAt: now + 14 * DAY },
      });
    });

    it('keeps exactly one key signing at every instant over several rotations', () => {
      let keys: KeyTimes[] = [];
      for (let now = T0; now < T0 + 400 * DAY; now += DAY / 4) {
        keys = run(keys, now);
        keys = keys.filter((k) => !expiredKeys(keys, now, policy).includes(k));
        const active = activeKey(keys, now);
        expect(active).toBeDefined();
        const signing = keys.filter((k) => k.activatesAt <= now && now < k.retiresAt);
        expect(signing).toEqual([active]);
        // Announced for the full propagation time before it signs.
        expect(active!.activatesAt - active!.createdAt).toBeGreaterThanOrEqual(
          active!.generation === 1 ? 0 : policy.propagationTimeMs,
        );
      }
      expect(Math.max(...keys.map((k) => k.generation))).toBe(5);
    });
  });

  describe('the active key', () => {
    it('is the newest generation whose signing window holds now', () => {
      const k1 = key(1, T0, T0 + 90 * DAY);
      const k2 = key(2, T0 + 90 * DAY, T0 + 180 * DAY, T0 + 76 * DAY);
      expect(activeKey([k1, k2], T0 + 80 * DAY)).toBe(k1);
      expect(activeKey([k1, k2], T0 + 90 * DAY - 1)).toBe(k1);
      expect(activeKey([k1, k2], T0 + 90 * DAY)).toBe(k2);
      // Overlapping windows (a duplicate that slipped through): the newest generation decides.
      expect(activeKey([k1, key(2, T0, T0 + 90 * DAY)], T0 + DAY)?.generation).toBe(2);
    });

    it('is none before the first activation and after the last retirement', () => {
      const k1 = key(1, T0, T0 + 90 * DAY);
      expect(activeKey([k1], T0 - 1)).toBeUndefined();
      expect(activeKey([k1], T0 + 90 * DAY)).toBeUndefined();
    });

    it('falls back to the last key that signed when none is scheduled (store unreachable)', () => {
      const k1 = key(1, T0, T0 + 90 * DAY);
      const forcedOut = key(2, T0 + 90 * DAY, T0 + 50 * DAY);
      expect(lastActiveKey([k1, forcedOut], T0 + 95 * DAY)).toBe(k1);
    });
  });

  describe('published keys', () => {
    const k1 = key(1, T0, T0 + 90 * DAY);
    const k2 = key(2, T0 + 90 * DAY, T0 + 180 * DAY, T0 + 76 * DAY);
    const kids = (now: number) => publishedKeys([k1, k2], now, policy).map((k) => k.kid);

    it('are the active key first, then the announced successor', () => {
      expect(kids(T0 + 80 * DAY)).toEqual(['k1', 'k2']);
    });

    it('keep a retired key for the retention time, after the active one', () => {
      expect(kids(T0 + 90 * DAY)).toEqual(['k2', 'k1']);
      expect(kids(T0 + 104 * DAY - 1)).toEqual(['k2', 'k1']);
    });

    it('drop a key once its retention ends, when it is deleted', () => {
      expect(kids(T0 + 104 * DAY)).toEqual(['k2']);
      expect(expiredKeys([k1, k2], T0 + 104 * DAY - 1, policy)).toEqual([]);
      expect(expiredKeys([k1, k2], T0 + 104 * DAY, policy)).toEqual([k1]);
    });

    it('never delete the newest generation, so generations never repeat', () => {
      expect(expiredKeys([k1], T0 + 500 * DAY, policy)).toEqual([]);
    });
  });

  describe('forced rotation', () => {
    const k1 = key(1, T0, T0 + 90 * DAY);
    const k2 = key(2, T0 + 90 * DAY, T0 + 180 * DAY, T0 + 76 * DAY);

    it('creates a key that signs now and retires every key that would still sign', () => {
      const now = T0 + 80 * DAY;
      expect(forcedRotation([k1, k2], now, policy)).toEqual({
        generation: 3,
        activatesAt: now,
        retiresAt: now + 90 * DAY,
        retire: [k1, k2],
      });
    });

    it('leaves the new key active and the retired ones published for the retention time', () => {
      const now = T0 + 10 * DAY;
      const plan = forcedRotation([k1], now, policy);
      const keys = [
        { ...k1, retiresAt: now },
        { kid: 'k2', createdAt: now, ...plan },
      ];
      expect(activeKey(keys, now)?.kid).toBe('k2');
      expect(keys.map((k) => keyStatus(k, keys, now))).toEqual(['retired', 'active']);
      expect(publishedKeys(keys, now + 14 * DAY - 1, policy).map((k) => k.kid)).toEqual([
        'k2',
        'k1',
      ]);
      expect(nextKey(keys, now, policy)).toBeUndefined();
    });

    it('turns an announced successor into a retired key that never signs', () => {
      const now = T0 + 80 * DAY;
      const keys = [
        { ...k1, retiresAt: now },
        { ...k2, retiresAt: now },
        { kid: 'k3', createdAt: now, ...forcedRotation([k1, k2], now, policy) },
      ];
      expect(keyStatus(keys[1], keys, T0 + 95 * DAY)).toBe('retired');
      expect(activeKey(keys, T0 + 95 * DAY)?.kid).toBe('k3');
      expect(lastActiveKey(keys, T0 + 95 * DAY)?.kid).toBe('k3');
    });
  });

  describe('revocation', () => {
    const k1 = key(1, T0, T0 + 10 * DAY); // retired at T0 + 10 d, still published
    const k2 = key(2, T0 + 10 * DAY, T0 + 100 * DAY, T0); // active
    const k3 = key(3, T0 + 100 * DAY, T0 + 190 * DAY, T0 + 86 * DAY); // announced
    const now = T0 + 90 * DAY;

    it('of the active key: a new key signs from now, an announced successor retires now', () => {
      expect(revocation([k1, k2, k3], k2, now, policy)).toEqual({
        replacement: { generation: 4, activatesAt: now, retiresAt: now + 90 * DAY },
        retire: [k3],
      });
    });

    it('of the only key: a new key with the next generation signs from now', () => {
      expect(revocation([k1], k1, T0 + DAY, policy)).toEqual({
        replacement: { generation: 2, activatesAt: T0 + DAY, retiresAt: T0 + 91 * DAY },
        retire: [],
      });
    });

    it('of the last key that signed, past its retirement (the store was out of reach): a new key', () => {
      expect(revocation([k1], k1, T0 + 20 * DAY, policy).replacement).toMatchObject({
        generation: 2,
        activatesAt: T0 + 20 * DAY,
      });
    });

    it('of a retired or an announced key: nothing else changes, the active key keeps signing', () => {
      expect(revocation([k1, k2, k3], k1, now, policy)).toEqual({ keeps: k2, retire: [] });
      expect(revocation([k1, k2, k3], k3, now, policy)).toEqual({ keeps: k2, retire: [] });
    });
  });

  describe('status', () => {
    it('is pending before activation, active while signing, retired after', () => {
      const k1 = key(1, T0, T0 + 90 * DAY);
      const k2 = key(2, T0 + 90 * DAY, T0 + 180 * DAY, T0 + 76 * DAY);
      const at = (now: number) => [k1, k2].map((k) => keyStatus(k, [k1, k2], now));
      expect(at(T0 + 80 * DAY)).toEqual(['active', 'pending']);
      expect(at(T0 + 90 * DAY)).toEqual(['retired', 'active']);
    });
  });

  describe('the next write', () => {
    const k1 = key(1, T0, T0 + 90 * DAY);

    it('is the successor, propagation before the active key retires', () => {
      expect(nextWriteAt([k1], T0, policy)).toBe(T0 + 76 * DAY);
    });

    it('is the deletion of a retired key once the successor exists', () => {
      const k2 = key(2, T0 + 90 * DAY, T0 + 180 * DAY, T0 + 76 * DAY);
      expect(nextWriteAt([k1, k2], T0 + 77 * DAY, policy)).toBe(T0 + 104 * DAY);
    });

    it('is now when no key is active', () => {
      expect(nextWriteAt([], T0, policy)).toBe(T0);
    });
  });
});
