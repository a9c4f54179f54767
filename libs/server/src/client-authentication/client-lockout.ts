/** One client authentication, admitted by the lock-out, which learns how it ended. */
export interface AuthenticationAttempt {
  /**
   * Waits for `outcome`: an InvalidClient counts as a failure toward a lock-out; a success
   * clears the failures counted so far. Returns or rethrows the outcome as it is.
   */
  settle<T>(outcome: Promise<T>): Promise<T>;
}

/**
 * Locks a client id out after repeated failed authentications. Declared here, where client
 * authentication consults it; the throttling folder implements it over its counters
 * (CountingClientLockout), and RATE_LIMIT=off binds `ClientLockout.none`.
 */
export abstract class ClientLockout {
  /**
   * Refuses (429, Retry-After) a client id locked out at this source address, before any secret
   * is checked.
   */
  abstract admit(clientId: string, address: string): Promise<AuthenticationAttempt>;

  static readonly none: ClientLockout = {
    admit: () => Promise.resolve({ settle: (outcome) => outcome }),
  };
}
