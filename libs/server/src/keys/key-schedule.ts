/**
 * The signing-key schedule, as Duende's automatic key management has it, as pure functions of the
 * keys and the time (epoch milliseconds), so every replica computes the same answer from the
 * same rows:
 *
 *   createdAt ── published ──▶ activatesAt ── signs ──▶ retiresAt ── published ──▶ + retention
 *
 * A successor is created `propagation` before the active key retires, so resource servers have
 * it in their JWKS cache before the first token it signs; keys past their retention are deleted.
 */
export interface KeyTimes {
  readonly kid: string;
  /** Unique and increasing: the newest key has the highest. */
  readonly generation: number;
  readonly createdAt: number;
  readonly activatesAt: number;
  readonly retiresAt: number;
}

/** A stored key's schedule (a database row or a listing), as the functions here read it. */
export function keyTimesOf(key: {
  kid: string;
  generation: number;
  createdAt: Date;
  activatesAt: Date;
  retiresAt: Date;
}): KeyTimes {
  return {
    kid: key.kid,
    generation: key.generation,
    createdAt: key.createdAt.getTime(),
    activatesAt: key.activatesAt.getTime(),
    retiresAt: key.retiresAt.getTime(),
  };
}

export interface RotationPolicy {
  /** How long a key signs. */
  readonly rotationPeriodMs: number;
  /** How long a key is published before it signs. */
  readonly propagationTimeMs: number;
  /** How long a key stays published after it stops signing. */
  readonly retentionTimeMs: number;
}

export type KeyStatus = 'pending' | 'active' | 'retired';

/** The key that signs at `now`: of those in their signing window, the newest generation. */
export function activeKey<K extends KeyTimes>(keys: readonly K[], now: number): K | undefined {
  return newest(keys.filter((key) => key.activatesAt <= now && now < key.retiresAt));
}

/**
 * The key to sign with when no key is active per the schedule (the store could not be reached to
 * create or read the successor): the newest that has ever been active, past its retirement.
 */
export function lastActiveKey<K extends KeyTimes>(keys: readonly K[], now: number): K | undefined {
  return newest(keys.filter((key) => key.activatesAt <= now && key.activatesAt < key.retiresAt));
}

export function keyStatus(key: KeyTimes, keys: readonly KeyTimes[], now: number): KeyStatus {
  if (now < key.activatesAt && now < key.retiresAt) return 'pending';
  return activeKey(keys, now)?.kid === key.kid ? 'active' : 'retired';
}

/** The last instant a key is published: the end of its retention. */
export function publishedUntil(key: KeyTimes, policy: RotationPolicy): number {
  return key.retiresAt + policy.retentionTimeMs;
}

/** What the JWKS publishes at `now`: the active key first, then the others, newest first. */
export function publishedKeys<K extends KeyTimes>(
  keys: readonly K[],
  now: number,
  policy: RotationPolicy,
): K[] {
  const active = activeKey(keys, now);
  return keys.filter((key) => now < publishedUntil(key, policy)).sort((a, b) => rank(b) - rank(a));

  function rank(key: K): number {
    return key === active ? Number.MAX_SAFE_INTEGER : key.generation;
  }
}

/**
 * Keys past their retention, to delete. Never the newest generation: generations only grow, so
 * a replica with a stale read can never reuse one.
 */
export function expiredKeys<K extends KeyTimes>(
  keys: readonly K[],
  now: number,
  policy: RotationPolicy,
): K[] {
  const latest = newest(keys);
  return keys.filter((key) => key !== latest && now >= publishedUntil(key, policy));
}

export interface NewKeyPlan<K extends KeyTimes> {
  /** first: the store is empty; unscheduled: no key is active (the identity was stopped too long). */
  readonly reason: 'first' | 'unscheduled' | 'successor';
  readonly generation: number;
  readonly activatesAt: number;
  readonly retiresAt: number;
  /** A successor created late stretches its predecessor, so it is still announced in time. */
  readonly extend?: { readonly key: K; readonly retiresAt: number };
}

/**
 * The key to create at `now`, if one is due:
 * - none active (empty store, or every key retired): one that signs at once;
 * - the active key retires within `propagation` and has no successor: the successor, signing
 *   from the active key's retirement. If that leaves less than `propagation` to announce it (the
 *   identity was down when it was due), it signs `propagation` from now and the active key keeps
 *   signing until then, as Duende does, rather than surprising resource servers.
 */
export function nextKey<K extends KeyTimes>(
  keys: readonly K[],
  now: number,
  policy: RotationPolicy,
): NewKeyPlan<K> | undefined {
  const generation = nextGeneration(keys);
  const active = activeKey(keys, now);
  if (!active) {
    return {
      reason: keys.length === 0 ? 'first' : 'unscheduled',
      generation,
      activatesAt: now,
      retiresAt: now + policy.rotationPeriodMs,
    };
  }
  if (active.retiresAt - now > policy.propagationTimeMs) return undefined;
  if (hasSuccessor(keys, active, now)) return undefined;
  const activatesAt = Math.max(active.retiresAt, now + policy.propagationTimeMs);
  return {
    reason: 'successor',
    generation,
    activatesAt,
    retiresAt: activatesAt + policy.rotationPeriodMs,
    extend: activatesAt > active.retiresAt ? { key: active, retiresAt: activatesAt } : undefined,
  };
}

export interface ForcedRotationPlan<K extends KeyTimes> {
  readonly generation: number;
  readonly activatesAt: number;
  readonly retiresAt: number;
  /** The active key and any announced successor: they retire now, staying published. */
  readonly retire: readonly K[];
}

/**
 * An operator's rotation: a new key signs from now, and every key that would still sign (the
 * active one, an announced successor) retires now; retired keys stay published for `retention`,
 * so tokens they signed keep validating.
 */
export function forcedRotation<K extends KeyTimes>(
  keys: readonly K[],
  now: number,
  policy: RotationPolicy,
): ForcedRotationPlan<K> {
  return {
    generation: nextGeneration(keys),
    activatesAt: now,
    retiresAt: now + policy.rotationPeriodMs,
    retire: keys.filter((key) => now < key.retiresAt),
  };
}

export interface RevocationPlan<K extends KeyTimes> {
  /** A key that signs from now, when the revoked key was the one signing (or the only one). */
  readonly replacement?: Omit<ForcedRotationPlan<K>, 'retire'>;
  /** Otherwise, the key that keeps signing. */
  readonly keeps?: K;
  /** Keys that would still sign and retire now, staying published (as in a forced rotation). */
  readonly retire: readonly K[];
}

/**
 * An operator's emergency revocation of `revoked`, which is deleted (it leaves the JWKS at once,
 * and nothing can bring it back). If it was the key signing now, or no other key could sign, a
 * forced rotation replaces it: a new key signs from now, announced successors retire. Revoking
 * any other key changes nothing else.
 */
export function revocation<K extends KeyTimes>(
  keys: readonly K[],
  revoked: K,
  now: number,
  policy: RotationPolicy,
): RevocationPlan<K> {
  const signing = (among: readonly K[]) => activeKey(among, now) ?? lastActiveKey(among, now);
  const keeps = signing(keys.filter((key) => key !== revoked));
  if (keeps && signing(keys) !== revoked) return { keeps, retire: [] };
  const { retire, ...replacement } = forcedRotation(keys, now, policy);
  return { replacement, retire: retire.filter((key) => key !== revoked) };
}

/**
 * When the store next needs a write (a successor, a deletion), or undefined if never: the
 * maintenance timer wakes up then instead of waiting for its regular interval.
 */
export function nextWriteAt(
  keys: readonly KeyTimes[],
  now: number,
  policy: RotationPolicy,
): number | undefined {
  const times: number[] = expiredCandidates(keys).map((key) => publishedUntil(key, policy));
  const active = activeKey(keys, now);
  if (!active) times.push(now);
  else if (!hasSuccessor(keys, active, now))
    times.push(active.retiresAt - policy.propagationTimeMs);
  return times.length > 0 ? Math.min(...times) : undefined;
}

function expiredCandidates(keys: readonly KeyTimes[]): KeyTimes[] {
  const latest = newest(keys);
  return keys.filter((key) => key !== latest);
}

function hasSuccessor(keys: readonly KeyTimes[], active: KeyTimes, now: number): boolean {
  return keys.some((key) => key.generation > active.generation && now < key.retiresAt);
}

function nextGeneration(keys: readonly KeyTimes[]): number {
  return (newest(keys)?.generation ?? 0) + 1;
}

function newest<K extends KeyTimes>(keys: readonly K[]): K | undefined {
  let result: K | undefined;
  for (const key of keys) if (!result || key.generation > result.generation) result = key;
  return result;
}
