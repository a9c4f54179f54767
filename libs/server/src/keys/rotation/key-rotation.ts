import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { SigningKeyRotated, type Actor } from '../../audit/audit-events';
import { AuditTrail } from '../../audit/audit-trail';
import { identitySettings, type IdentitySettings } from '../../config/identity-settings';
import type { SigningKeyEntity } from '../../persistence/entities/signing-key.entity';
import { StoreChanges } from '../../persistence/store-changes';
import { KEYS_CLOCK, systemClock, type Clock } from '../clock';
import {
  expiredKeys,
  forcedRotation,
  nextKey,
  revocation,
  type KeyTimes,
  type NewKeyPlan,
  type RotationPolicy,
} from '../key-schedule';
import { SigningKeyRepository } from '../repository/signing-key.repository';
import { generatePrivateKey } from '../signing-key';
import { SigningKeyLoader, type ScheduledSigningKey } from '../signing-key-loader';
import { StoredKeyEncryption } from '../stored-key-encryption';
import { scheduleOf, toStoredKey } from '../stored-signing-key';
import { LegacyKeyImport } from './legacy-key-import';
import { retrying } from './retrying';
import { UnknownSigningKey } from './unknown-signing-key';

/** What `keys revoke` did. */
export interface KeyRevocation {
  readonly revoked: string;
  /** The key that signs new tokens now. */
  readonly signingKid: string;
  /** Whether that key was created by the revocation (the revoked key was the one signing). */
  readonly newSigningKey: boolean;
}

/** What a rotation done now (forced, or by a revocation) changes, planned from the stored keys. */
interface ImmediateChange {
  /** Keys that would still sign: they retire now, staying published. */
  readonly retire: readonly ScheduledSigningKey[];
  /** The key a revocation deletes. */
  readonly revoke?: ScheduledSigningKey;
  /** The new key that signs from now, if any. */
  readonly replacement?: Omit<KeyTimes, 'kid' | 'createdAt'>;
  /** Otherwise, the key that keeps signing. */
  readonly keeps?: ScheduledSigningKey;
}

interface AppliedChange extends ImmediateChange {
  readonly now: number;
  /** The row of the replacement, as stored. */
  readonly created?: SigningKeyEntity;
}

/** A successor created later than this past its due time is worth a warning. */
const LATE_WARNING_MS = 60_000;

/**
 * The rotation: applies the schedule (key-schedule.ts) to the stored keys. maintain() creates the
 * first key and each successor, and deletes keys past retention; forceRotation() and revokeKey()
 * change the schedule now. Replicas agree because creation inserts `max(generation) + 1` and the
 * column is unique: of replicas racing, one insert wins and the others re-read and find its key.
 * Each key created, deleted, revoked or forced in is an audit event (SigningKeyRotated), in the
 * CLI too (actor `cli`).
 */
@Injectable()
export class KeyRotation {
  private readonly logger = new Logger('SigningKeys');

  constructor(
    private readonly repository: SigningKeyRepository,
    private readonly loader: SigningKeyLoader,
    private readonly legacy: LegacyKeyImport,
    private readonly encryption: StoredKeyEncryption,
    private readonly changes: StoreChanges,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
    @Optional() @Inject(KEYS_CLOCK) readonly clock: Clock = systemClock,
    @Optional() private readonly audit?: AuditTrail,
  ) {}

  get policy(): RotationPolicy {
    return this.settings.keys;
  }

  /**
   * Brings the store in line with the schedule now: imports the previous version's key file
   * into an empty store, creates the first key or the due successor, deletes keys past their
   * retention, encrypts keys stored in clear when an encryption key is set. Returns the keys.
   */
  maintain(): Promise<ScheduledSigningKey[]> {
    return this.repository.sequence(() =>
      retrying(async () => {
        let { rows, keys } = await this.loader.load();
        if (keys.length === 0 && (await this.legacy.importIntoEmptyStore())) {
          ({ rows, keys } = await this.loader.load());
        }
        const plan = nextKey(keys, this.clock(), this.policy);
        if (plan) {
          await this.createKey(plan);
          ({ rows, keys } = await this.loader.load());
        }
        const expired = expiredKeys(keys, this.clock(), this.policy);
        if (expired.length > 0) {
          await this.deleteKeys(expired);
          keys = keys.filter((key) => !expired.includes(key));
        }
        if (this.settings.keys.encryptionKey) await this.encryption.encryptInClear(rows);
        return keys;
      }),
    );
  }

  /**
   * Rotates now: a new key (IDENTITY_SIGNING_ALG) signs from now on; the key that was signing,
   * and any announced successor, retire now and stay published for the retention time, so the
   * tokens they signed keep validating. Resource servers fetch the new key from the JWKS when
   * they first see its kid. Returns the new kid.
   */
  async forceRotation(actor?: Actor): Promise<string> {
    const applied = await this.rotateNow(
      (keys, now) => {
        const { retire, ...replacement } = forcedRotation(keys, now, this.policy);
        return { retire, replacement };
      },
      // Before the identity ever started: the previous version's key is still the one in use.
      { importLegacy: true, actor },
    );
    const row = applied.created!;
    const retired = applied.retire.map((key) => key.kid).join(', ') || 'none';
    this.logger.warn(
      `forced rotation: ${row.kid} (${row.alg}, generation ${row.generation}) signs from now; retired ${retired}, published until ${iso(applied.now + this.policy.retentionTimeMs)}`,
    );
    return row.kid;
  }

  /**
   * Emergency revocation (a key exposed): deletes the key, so it leaves every replica's JWKS and
   * is never used or published again, and tokens it signed stop validating here at once (the
   * admin guard and introspection read the published keys). If it was the key signing, a new key
   * (IDENTITY_SIGNING_ALG) signs from now, as after a forced rotation. Throws UnknownSigningKey
   * for a kid the store does not hold.
   */
  async revokeKey(kid: string, actor?: Actor): Promise<KeyRevocation> {
    const applied = await this.rotateNow(
      (keys, now) => {
        const key = keys.find((candidate) => candidate.kid === kid);
        if (!key) throw new UnknownSigningKey(kid);
        return { revoke: key, ...revocation(keys, key, now, this.policy) };
      },
      { actor },
    );
    const signingKid = applied.created?.kid ?? applied.keeps!.kid;
    this.logger.warn(
      `revoked signing key ${kid}: deleted, it leaves the JWKS and its tokens are refused; ${
        applied.created
          ? `a new key ${signingKid} (${applied.created.alg}) signs from now`
          : `${signingKid} keeps signing`
      }`,
    );
    return { revoked: kid, signingKid, newSigningKey: applied.created !== undefined };
  }

  /**
   * What forceRotation and revokeKey share: plans from the keys stored now and writes the plan in
   * one transaction (planned again when another replica wrote first), records the audit events,
   * then polls, so this process's store reloads at once instead of at the next poll.
   */
  private rotateNow(
    plan: (keys: ScheduledSigningKey[], now: number) => ImmediateChange,
    options: { importLegacy?: boolean; actor?: Actor },
  ): Promise<AppliedChange> {
    const alg = this.settings.keys.algorithm;
    // Generated once, and kept when the write is planned again.
    let privateKey: KeyObject | undefined;
    return this.repository.sequence(async () => {
      const applied = await retrying(async (): Promise<AppliedChange> => {
        let keys = await this.loader.loadKeys();
        if (
          options.importLegacy &&
          keys.length === 0 &&
          (await this.legacy.importIntoEmptyStore())
        ) {
          keys = await this.loader.loadKeys();
        }
        const now = this.clock();
        const change = plan(keys, now);
        let created: SigningKeyEntity | undefined;
        if (change.replacement) {
          privateKey ??= await generatePrivateKey(alg);
          const times = { ...change.replacement, createdAt: now };
          created = toStoredKey(privateKey, alg, times, this.settings.keys.encryptionKey);
        }
        const retiring = { kids: change.retire.map((key) => key.kid), retiresAt: new Date(now) };
        if (change.revoke) {
          // False when another process revoked it between our read and this write.
          const revoked = await this.repository.revoke(change.revoke.kid, retiring, created);
          if (!revoked) throw new UnknownSigningKey(change.revoke.kid);
        } else if (created) {
          await this.repository.insert(created, retiring);
        }
        return { ...change, now, created };
      });
      this.recordRotation(applied, options.actor);
      await this.changes.poll();
      return applied;
    });
  }

  private recordRotation({ revoke, created, retire }: AppliedChange, actor?: Actor): void {
    if (revoke) {
      this.audit?.record(
        new SigningKeyRotated('revoked', revoke.kid, {
          alg: revoke.key.alg,
          generation: revoke.generation,
          successor: created?.kid,
          actor,
        }),
      );
    }
    if (created) {
      const retired = retire.map((key) => key.kid);
      this.audit?.record(
        new SigningKeyRotated('forced_rotation', created.kid, {
          ...scheduleOf(created),
          retired,
          actor,
        }),
      );
    }
  }

  private async createKey(plan: NewKeyPlan<ScheduledSigningKey>): Promise<void> {
    const alg = this.settings.keys.algorithm;
    const privateKey = await generatePrivateKey(alg);
    const times = { ...plan, createdAt: this.clock() };
    const row = toStoredKey(privateKey, alg, times, this.settings.keys.encryptionKey);
    const extend = plan.extend;
    await this.repository.insert(
      row,
      extend && { kids: [extend.key.kid], retiresAt: new Date(extend.retiresAt) },
    );
    this.audit?.record(
      new SigningKeyRotated('created', row.kid, { ...scheduleOf(row), reason: plan.reason }),
    );
    const schedule = `signs from ${iso(plan.activatesAt)} until ${iso(plan.retiresAt)}`;
    if (plan.reason === 'first') {
      this.logger.log(`created the first signing key ${row.kid} (${alg}); ${schedule}`);
    } else if (plan.reason === 'unscheduled') {
      this.logger.warn(
        `no signing key was active (was the identity stopped past a rotation?): created ${row.kid} (${alg}), which ${schedule} without being announced first`,
      );
    } else {
      this.logger.log(
        `announced the next signing key ${row.kid} (${alg}, generation ${row.generation}); ${schedule}`,
      );
      // Normally late by the timer's few milliseconds; more means the identity was not running.
      if (extend && extend.retiresAt - extend.key.retiresAt > LATE_WARNING_MS) {
        this.logger.warn(
          `the next key was created late: ${extend.key.kid} keeps signing until ${iso(extend.retiresAt)}, so the new key is announced for the full propagation time`,
        );
      }
    }
  }

  /** Idempotent: a key another replica deleted first is simply gone. */
  private async deleteKeys(keys: readonly ScheduledSigningKey[]): Promise<void> {
    const kids = keys.map((key) => key.kid);
    if ((await this.repository.deleteKeys(kids)) > 0) {
      for (const kid of kids) this.audit?.record(new SigningKeyRotated('deleted', kid));
      this.logger.log(`deleted signing key(s) past their retention: ${kids.join(', ')}`);
    }
  }
}

function iso(epochMillis: number): string {
  return new Date(epochMillis).toISOString();
}
