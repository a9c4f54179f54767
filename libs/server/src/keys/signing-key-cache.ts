import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { SigningKeyRotated } from '../audit/audit-events';
import { AuditTrail } from '../audit/audit-trail';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { KEYS_CLOCK, systemClock, type Clock } from './clock';
import { activeKey, lastActiveKey, nextWriteAt, publishedKeys } from './key-schedule';
import type { SigningKey } from './signing-key';
import type { ScheduledSigningKey } from './signing-key-loader';

/**
 * The signing keys in memory, with their schedule: what the token endpoint signs with and the
 * JWKS publishes, computed at each call from the clock, so moving from a key to its successor at
 * `retiresAt` needs no database read. Records when this process starts signing with another key.
 */
@Injectable()
export class SigningKeyCache {
  private readonly logger = new Logger('SigningKeys');
  private keys: readonly ScheduledSigningKey[] = [];
  /** The kid whose overdue signing was last warned about, so it is warned about once. */
  private signingOverdue?: string;
  /** The kid this process signed with last, to tell when the schedule moves to another. */
  private signingKid?: string;

  constructor(
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
    @Optional() @Inject(KEYS_CLOCK) private readonly clock: Clock = systemClock,
    @Optional() private readonly audit?: AuditTrail,
  ) {}

  /** The keys just read from the store. */
  replace(keys: readonly ScheduledSigningKey[]): void {
    this.keys = keys;
  }

  /**
   * The key that signs now; if none is scheduled to (the store could not be read past a
   * retirement), the last one that signed, with a warning. Throws when no key is loaded.
   */
  signingKey(): SigningKey {
    const now = this.clock();
    const active = activeKey(this.keys, now);
    if (active) {
      this.signingOverdue = undefined;
      if (active.kid !== this.signingKid) this.startedSigning(active);
      return active.key;
    }
    const last = lastActiveKey(this.keys, now);
    if (!last) throw new Error('no signing key is loaded');
    if (this.signingOverdue !== last.kid) {
      this.signingOverdue = last.kid;
      this.logger.warn(
        `no key is scheduled to sign now (the store cannot be read?): still signing with ${last.kid}, retired at ${new Date(last.retiresAt).toISOString()}`,
      );
    }
    return last.key;
  }

  /** Every key whose tokens may still be in use now: what the JWKS publishes. */
  publishedKeys(): SigningKey[] {
    return publishedKeys(this.keys, this.clock(), this.settings.keys).map(
      (scheduled) => scheduled.key,
    );
  }

  /** When the store next needs a write (a successor, a deletion), by these keys' schedule. */
  nextWriteAt(): number | undefined {
    return nextWriteAt(this.keys, this.clock(), this.settings.keys);
  }

  /**
   * Noticed when a token is signed (or the health or metrics ask), so the hot path pays one
   * string comparison. The key this process starts with is logged at start-up, not an event.
   */
  private startedSigning(active: ScheduledSigningKey): void {
    const previousKid = this.signingKid;
    this.signingKid = active.kid;
    if (previousKid === undefined) return;
    this.audit?.record(
      new SigningKeyRotated('activated', active.kid, {
        alg: active.key.alg,
        generation: active.generation,
        activatesAt: new Date(active.activatesAt).toISOString(),
        retiresAt: new Date(active.retiresAt).toISOString(),
        previousKid,
      }),
    );
  }
}
