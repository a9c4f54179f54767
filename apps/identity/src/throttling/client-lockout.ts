import { Logger } from '@nestjs/common';
import { InvalidClient, TemporarilyUnavailable } from '@app/shared';
import { CounterStore, blockedFor, type CounterPolicy } from './counter';
import { counterKeys } from './counter-keys';

/** One client authentication, admitted by the lock-out, which learns how it ended. */
export interface AuthenticationAttempt {
  /**
   * Waits for `outcome`: an InvalidClient counts as a failure toward a lock-out; a success
   * clears the failures counted so far. Returns or rethrows the outcome as it is.
   */
  settle<T>(outcome: Promise<T>): Promise<T>;
}

/**
 * Locks a client id out after repeated failed authentications. The CLI builds the clients module
 * without it (it authenticates no one), and RATE_LIMIT=off binds `ClientLockout.none`.
 */
export abstract class ClientLockout {
  /** Refuses (429, Retry-After) a client id that is locked out, before any secret is checked. */
  abstract admit(clientId: string): Promise<AuthenticationAttempt>;

  static readonly none: ClientLockout = {
    admit: () => Promise.resolve({ settle: (outcome) => outcome }),
  };
}

export interface LockoutPolicy {
  /** Failures within `windowMs` that lock the client id out. */
  readonly threshold: number;
  readonly windowMs: number;
  /** The first lock-out; each further one in a row doubles, up to `maxDurationMs`. */
  readonly durationMs: number;
  readonly maxDurationMs: number;
}

/**
 * The lock-out over a counter store: the failures of one client id are hits on
 * `lockout:<client id>`, whether or not the id exists (the answer never says). After
 * `maxDurationMs` without a lock-out, the next one starts from `durationMs` again: a back-off,
 * never a permanent ban.
 */
export class CountingClientLockout extends ClientLockout {
  private readonly counter: CounterPolicy;
  private readonly logger = new Logger('ClientLockout');

  constructor(
    private readonly store: CounterStore,
    policy: LockoutPolicy,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.counter = {
      limit: policy.threshold - 1,
      windowMs: policy.windowMs,
      blockMs: policy.durationMs,
      maxBlockMs: policy.maxDurationMs,
      strikeMemoryMs: policy.maxDurationMs,
    };
  }

  async admit(clientId: string): Promise<AuthenticationAttempt> {
    const key = counterKeys.lockout(clientId);
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
    const state = await this.store.hit(key, this.counter);
    // Logged once per lock-out; the requests refused while it lasts are not.
    if (state.blockedUntil > now && state.hits === 0) {
      this.logger.warn(
        `client "${clientId}" locked out for ${state.blockedUntil - now} ms after ` +
          `${this.counter.limit + 1} failed authentications (lock-out ${state.strikes} in a row)`,
      );
    }
  }
}
