import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { SerialQueue } from '@nest-identity/shared';
import { StoreChanges } from '../../persistence/store-changes';
import { KeyRotation } from '../rotation/key-rotation';
import type { SigningKey } from '../signing-key';
import { SigningKeyCache } from '../signing-key-cache';
import { SigningKeyLoader } from '../signing-key-loader';
import { SigningKeyStore } from '../signing-key-store';

/** Each replica re-reads the keys and does what the schedule says at least this often. */
export const MAINTENANCE_INTERVAL_MS = 60_000;
/** The soonest the maintenance timer fires again, so a schedule due now cannot spin. */
const MIN_MAINTENANCE_DELAY_MS = 250;
/** How long a JWKS request waits for a fresh read before answering from memory. */
const FRESH_READ_BUDGET_MS = 500;

/**
 * The signing keys from the database, held in memory (SigningKeyCache): issuing a token reads
 * nothing from the database. The keys are reloaded when StoreChanges sees a write (here, in
 * another replica, in the CLI), on a maintenance timer that also creates and deletes keys when
 * due (KeyRotation), and before each JWKS response, so a key another replica just forced is
 * published by every replica at once. When the database is unreachable, the keys in memory keep
 * signing and being published.
 */
@Injectable()
export class DatabaseSigningKeyStore
  extends SigningKeyStore
  implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy
{
  private readonly logger = new Logger('SigningKeys');
  private readonly refreshes = new SerialQueue();
  private queued?: Promise<void>;
  private queuedMaintenance = false;
  private timer?: NodeJS.Timeout;
  private running = false;
  private failing = false;

  constructor(
    private readonly rotation: KeyRotation,
    private readonly loader: SigningKeyLoader,
    private readonly cache: SigningKeyCache,
    private readonly changes: StoreChanges,
  ) {
    super();
  }

  /** Loads the keys, creating the first one if needed; an unusable key stops the start-up. */
  async onModuleInit(): Promise<void> {
    this.changes.onChange(() => void this.refresh(false).catch(() => undefined));
    this.cache.replace(await this.rotation.maintain());
    const active = this.cache.signingKey();
    const published = this.cache.publishedKeys().length;
    this.logger.log(`signing with ${active.kid} (${active.alg}); ${published} key(s) published`);
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.scheduleMaintenance(false);
  }

  onModuleDestroy(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** The token endpoint's hot path: computed from memory, never a database read. */
  getActiveKey(): Promise<SigningKey> {
    try {
      return Promise.resolve(this.cache.signingKey());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async getPublishedKeys(): Promise<readonly SigningKey[]> {
    await this.freshRead();
    return this.cache.publishedKeys();
  }

  /** Resolves once every reload and maintenance run started so far has finished (for specs). */
  async whenSettled(): Promise<void> {
    await this.refreshes.settled();
  }

  /** Runs the maintenance now instead of at the timer (for specs and an operator's command). */
  maintainNow(): Promise<void> {
    return this.refresh(true);
  }

  private async freshRead(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, FRESH_READ_BUDGET_MS);
    });
    await Promise.race([this.refresh(false).catch(() => undefined), budget]);
    clearTimeout(timer);
  }

  /**
   * Reloads (and, with `maintenance`, maintains) the keys. Runs one at a time; callers arriving
   * while one runs share the next run, which starts after they asked, so it sees their writes.
   */
  private refresh(maintenance: boolean): Promise<void> {
    this.queuedMaintenance ||= maintenance;
    if (!this.queued) {
      this.queued = this.refreshes.run(async () => {
        this.queued = undefined;
        const maintain = this.queuedMaintenance;
        this.queuedMaintenance = false;
        try {
          const keys = maintain ? await this.rotation.maintain() : await this.loader.loadKeys();
          this.cache.replace(keys);
          this.succeeded();
          if (maintain) this.scheduleMaintenance(false);
        } catch (error) {
          this.failed(error);
          if (maintain) this.scheduleMaintenance(true);
          throw error;
        }
      });
    }
    return this.queued;
  }

  /** At the next due write (a successor, a deletion), and at least every interval. */
  private scheduleMaintenance(failed: boolean): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    const now = this.rotation.clock();
    const due = failed ? undefined : this.cache.nextWriteAt();
    const delay =
      due === undefined
        ? MAINTENANCE_INTERVAL_MS
        : Math.min(Math.max(due - now, MIN_MAINTENANCE_DELAY_MS), MAINTENANCE_INTERVAL_MS);
    this.timer = setTimeout(() => void this.refresh(true).catch(() => undefined), delay);
    this.timer.unref();
  }

  private failed(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error(`cannot read the signing keys (${reason}); using the keys in memory`);
  }

  private succeeded(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.log('the signing keys can be read again');
  }
}
