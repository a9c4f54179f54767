import { CounterStore, type CounterPolicy, type CounterState } from './counter';

/** What a hit answers while the store is out: nothing counted, nothing blocked. */
const OPEN: CounterState = { hits: 0, windowEndsAt: 0, blockedUntil: 0, strikes: 0 };

export interface FailOpenOptions {
  /** A call slower than this counts as a failure. */
  readonly timeoutMs?: number;
  /** After a failure, the store is left alone (and no warning repeated) for this long. */
  readonly pauseMs?: number;
  readonly now?: () => number;
}

/**
 * Wraps a shared store (Redis, PostgreSQL) so that its outage never stops token issuance: a
 * failed or slow call lets the request through, and the store is not asked again for a few
 * seconds, so requests do not each wait for a timeout. One warning per pause.
 */
export class FailOpenCounterStore extends CounterStore {
  private readonly timeoutMs: number;
  private readonly pauseMs: number;
  private readonly now: () => number;
  private readonly store: CounterStore;
  private pausedUntil = 0;

  /**
   * @param open builds the wrapped store, given the function through which it reports failures
   *   seen outside a call (a Redis client's connection errors, a background purge).
   */
  constructor(
    open: (reportFailure: (error: unknown) => void) => CounterStore,
    private readonly warn: (message: string) => void,
    options: FailOpenOptions = {},
  ) {
    super();
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.pauseMs = options.pauseMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.store = open((error) => this.failed(error));
  }

  hit(key: string, policy: CounterPolicy): Promise<CounterState> {
    return this.guarded(() => this.store.hit(key, policy), OPEN);
  }

  read(key: string): Promise<CounterState | undefined> {
    return this.guarded(() => this.store.read(key), undefined);
  }

  clearHits(key: string): Promise<void> {
    return this.guarded(() => this.store.clearHits(key), undefined);
  }

  override onModuleDestroy(): Promise<void> | void {
    return this.store.onModuleDestroy();
  }

  /** A failure: one warning, then a pause. */
  private failed(error: unknown): void {
    const now = this.now();
    if (now < this.pausedUntil) return;
    this.pausedUntil = now + this.pauseMs;
    this.warn(
      `the rate-limit counter store failed (${describe(error)}); requests are let through ` +
        `unthrottled until it answers again`,
    );
  }

  private async guarded<T>(call: () => Promise<T>, fallback: T): Promise<T> {
    if (this.now() < this.pausedUntil) return fallback;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([call(), timeout]);
    } catch (error) {
      this.failed(error);
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
