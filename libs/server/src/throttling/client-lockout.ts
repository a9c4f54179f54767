import { Logger } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidClient, TemporarilyUnavailable } from '@nest-identity/shared';
import { ClientLockout, type AuthenticationAttempt } from '../client-authentication/client-lockout';
import { CounterStore, blockedFor, type CounterPolicy } from './counter';
import { counterKeys } from './counter-keys';

export interface LockoutPolicy {
  /** Failures within `windowMs`, of one client id from one source address, that lock it out there. */
  readonly threshold: number;
  readonly windowMs: number;
  /** The first lock-out; each further one in a row doubles, up to `maxDurationMs`. */
  readonly durationMs: number;
  readonly maxDurationMs: number;
  /**
   * Failures within `windowMs` of one client id from all addresses together past which each
   * further failure for that id is answered only after `slowDownMs`: it slows a guessing attack
   * spread over many addresses, and never refuses anyone.
   */
  readonly idCeiling: number;
  readonly slowDownMs: number;
}

/**
 * The lock-out over a counter store. Its unit is a client id at one source address (IPv6 folded
 * to its /64, as the address throttle does): the failures are hits on
 * `lockout:<address> <client id>`, whether or not the id exists (the answer never says). So one
 * who knows a client id can lock it out only at their own address: the client keeps getting tokens
 * from its own. After `maxDurationMs` without a lock-out, the next one starts from `durationMs`
 * again: a back-off, never a permanent ban. Failures of an id from all addresses count on
 * `lockout-id:<client id>` too, against the higher `idCeiling`, which only slows.
 */
export class CountingClientLockout extends ClientLockout {
  private readonly counter: CounterPolicy;
  private readonly idCounter: CounterPolicy;
  private readonly slowDownMs: number;
  private readonly logger = new Logger('ClientLockout');

  constructor(
    private readonly store: CounterStore,
    policy: LockoutPolicy,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {
    super();
    this.counter = {
      limit: policy.threshold - 1,
      windowMs: policy.windowMs,
      blockMs: policy.durationMs,
      maxBlockMs: policy.maxDurationMs,
      strikeMemoryMs: policy.maxDurationMs,
    };
    // "Blocked" here means slowed: past the ceiling, until the window is over.
    this.idCounter = {
      limit: policy.idCeiling,
      windowMs: policy.windowMs,
      blockMs: policy.windowMs,
      maxBlockMs: policy.windowMs,
      strikeMemoryMs: 0,
    };
    this.slowDownMs = policy.slowDownMs;
  }

  async admit(clientId: string, address: string): Promise<AuthenticationAttempt> {
    const key = counterKeys.lockout(clientId, normalizeIp(address));
    const now = this.now();
    const state = await this.store.read(key);
    const lockedFor = blockedFor(state, now);
    if (lockedFor > 0) {
      throw new TemporarilyUnavailable(
        'too many failed client authentications; try again later',
        429,
        lockedFor / 1000,
      );
    }
    const failuresCounted = state !== undefined && state.hits > 0 && state.windowEndsAt > now;
    return {
      settle: async <T>(outcome: Promise<T>): Promise<T> => {
        try {
          const result = await outcome;
          // Nothing to clear (the usual case): nothing is written.
          if (failuresCounted) void this.store.clearHits(key);
          return result;
        } catch (error) {
          if (error instanceof InvalidClient) await this.countFailure(clientId, key);
          throw error;
        }
      },
    };
  }

  private async countFailure(clientId: string, key: string): Promise<void> {
    const now = this.now();
    const [state, idState] = await Promise.all([
      this.store.hit(key, this.counter),
      this.store.hit(counterKeys.lockoutId(clientId), this.idCounter),
    ]);
    // Logged once per lock-out; the requests refused while it lasts are not.
    if (state.blockedUntil > now && state.hits === 0) {
      this.logger.warn(
        `client "${clientId}" locked out at one address for ${state.blockedUntil - now} ms after ` +
          `${this.counter.limit + 1} failed authentications (lock-out ${state.strikes} in a row)`,
      );
    }
    const slowed = idState.blockedUntil > now;
    if (slowed && idState.blockedUntil === now + this.idCounter.blockMs) {
      this.logger.warn(
        `client "${clientId}": more than ${this.idCounter.limit} failed authentications from ` +
          `all addresses; each further failure is answered after ${this.slowDownMs} ms`,
      );
    }
    if (slowed) await this.wait(this.slowDownMs);
  }
}
