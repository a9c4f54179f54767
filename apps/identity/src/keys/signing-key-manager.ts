import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { In, QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import type { SigningAlgorithm } from '@app/shared';
import { SerialQueue } from '../async/serial-queue';
import { SigningKeyRotated, type Actor } from '../audit/audit-events';
import { AuditTrail } from '../audit/audit-trail';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { SigningKeyEntity } from '../persistence/entities/signing-key.entity';
import { StoreChanges } from '../persistence/store-changes';
import { StoreWriter } from '../persistence/store-writer';
import { KEYS_CLOCK, systemClock, type Clock } from './clock';
import { isSigningAlgorithm } from './jws';
import {
  expiredKeys,
  forcedRotation,
  keyTimesOf,
  keyStatus,
  nextKey,
  publishedUntil,
  revocation,
  type KeyStatus,
  type KeyTimes,
  type NewKeyPlan,
  type RotationPolicy,
} from './key-schedule';
import {
  ENCRYPTION_KEY_VARIABLE,
  decryptPrivateKey,
  encryptPrivateKey,
  isEncryptedPrivateKey,
} from './private-key-encryption';
import { generatePrivateKey, keyMismatch, toSigningKey, type SigningKey } from './signing-key';
import { readLegacyKeyFile } from './stores/legacy-key-file';

/** How the private keys are kept in the database (`/health/ready` says). */
export type PrivateKeysAtRest = 'clear' | 'encrypted';

/** A usable key with its place in the schedule. */
export interface ScheduledSigningKey extends KeyTimes {
  readonly key: SigningKey;
}

/** What `keys list` shows: the schedule, never key material. */
export interface SigningKeyInfo {
  readonly kid: string;
  readonly alg: string;
  readonly generation: number;
  readonly status: KeyStatus;
  readonly createdAt: Date;
  readonly activatesAt: Date;
  readonly retiresAt: Date;
  /** When it leaves the JWKS and is deleted. */
  readonly publishedUntil: Date;
}

/** What `keys revoke` did. */
export interface KeyRevocation {
  readonly revoked: string;
  /** The key that signs new tokens now. */
  readonly signingKid: string;
  /** Whether that key was created by the revocation (the revoked key was the one signing). */
  readonly newSigningKey: boolean;
}

/** `keys revoke` of a kid the store does not hold (never existed, deleted, or revoked already). */
export class UnknownSigningKey extends Error {
  constructor(readonly kid: string) {
    super(`there is no signing key "${kid}" (see: npm run identity -- keys list)`);
    this.name = 'UnknownSigningKey';
  }
}

/** A successor created later than this past its due time is worth a warning. */
const LATE_WARNING_MS = 60_000;

/** Writes that lose a race (another replica created the same generation) are re-planned. */
const MAX_ATTEMPTS = 5;

/**
 * The signing keys in the database and their schedule (see key-schedule.ts): reads and parses
 * them, creates the first key and each successor, deletes keys past retention, forces a
 * rotation. Replicas agree because creation inserts `max(generation) + 1` and the column is
 * unique: of replicas racing, one insert wins and the others re-read and find its key. Every
 * write records a change, so each replica's DatabaseSigningKeyStore reloads.
 *
 * The CLI's `keys list`, `keys rotate`, `keys revoke` and `keys encrypt` (and the admin API's
 * `/admin/keys`) call listKeys(), forceRotation(), revokeKey() and encryptStoredKeys().
 * Each key created, deleted or forced in is an audit event (SigningKeyRotated), in the CLI too
 * (actor `cli`); DatabaseSigningKeyStore records when a key starts signing.
 */
@Injectable()
export class SigningKeyManager {
  private readonly logger = new Logger('SigningKeys');
  /** Parsed keys by kid, with the stored text they came from: parsing is done once per key. */
  private readonly parsed = new Map<string, { stored: string; key: SigningKey }>();
  /** One write sequence at a time in this process (SQLite shares one connection). */
  private readonly sequences = new SerialQueue();
  /** How many keys the last read found stored in clear. */
  private keysInClear?: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly changes: StoreChanges,
    private readonly writer: StoreWriter,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
    @Optional() @Inject(KEYS_CLOCK) readonly clock: Clock = systemClock,
    @Optional() private readonly audit?: AuditTrail,
  ) {}

  get policy(): RotationPolicy {
    return this.settings.keys;
  }

  /** Every stored key, parsed. Throws, naming the kid, when one cannot be used. */
  async loadKeys(): Promise<ScheduledSigningKey[]> {
    return (await this.load()).keys;
  }

  /**
   * Brings the store in line with the schedule now: imports the previous version's key file
   * into an empty store, creates the first key or the due successor, deletes keys past their
   * retention, encrypts keys stored in clear when an encryption key is set. Returns the keys.
   */
  maintain(): Promise<ScheduledSigningKey[]> {
    return this.exclusive(() =>
      this.retrying(async () => {
        let { rows, keys } = await this.load();
        if (keys.length === 0 && (await this.importLegacyKey())) {
          ({ rows, keys } = await this.load());
        }
        const plan = nextKey(keys, this.clock(), this.policy);
        if (plan) {
          await this.createKey(plan);
          ({ rows, keys } = await this.load());
        }
        const expired = expiredKeys(keys, this.clock(), this.policy);
        if (expired.length > 0) {
          await this.deleteKeys(expired);
          keys = keys.filter((key) => !expired.includes(key));
        }
        if (this.settings.keys.encryptionKey) await this.encryptKeysStoredInClear(rows);
        return keys;
      }),
    );
  }

  /**
   * `keys encrypt`: encrypts in place, under IDENTITY_KEY_ENCRYPTION_KEY, every key stored in
   * clear, as the identity does at start-up when the variable is set. Every key is read first, so
   * a key encrypted under another encryption key stops it before anything is written. Idempotent.
   */
  encryptStoredKeys(): Promise<{ encrypted: number; alreadyEncrypted: number }> {
    if (!this.settings.keys.encryptionKey) {
      return Promise.reject(
        new Error(
          `${ENCRYPTION_KEY_VARIABLE} is not set (fix: generate one with \`openssl rand -base64 32\` and set it here and for the identity)`,
        ),
      );
    }
    return this.exclusive(async () => {
      const { rows } = await this.load();
      const encrypted = await this.encryptKeysStoredInClear(rows);
      return { encrypted, alreadyEncrypted: rows.length - encrypted };
    });
  }

  /**
   * How the private keys are kept in the database, as last read: `encrypted` only when
   * IDENTITY_KEY_ENCRYPTION_KEY is set and no key was found in clear. From memory, no read.
   */
  privateKeysAtRest(): PrivateKeysAtRest {
    return this.settings.keys.encryptionKey && this.keysInClear === 0 ? 'encrypted' : 'clear';
  }

  /**
   * Rotates now: a new key (IDENTITY_SIGNING_ALG) signs from now on; the key that was signing,
   * and any announced successor, retire now and stay published for the retention time, so the
   * tokens they signed keep validating. Resource servers fetch the new key from the JWKS when
   * they first see its kid. Returns the new kid.
   */
  forceRotation(actor?: Actor): Promise<string> {
    return this.exclusive(async () => {
      const alg = this.settings.keys.algorithm;
      const privateKey = await generatePrivateKey(alg);
      const kid = await this.retrying(async () => {
        let { keys } = await this.load();
        // Before the identity ever started: the previous version's key is still the one in use.
        if (keys.length === 0 && (await this.importLegacyKey())) ({ keys } = await this.load());
        const now = this.clock();
        const plan = forcedRotation(keys, now, this.policy);
        const row = this.newRow(privateKey, alg, { ...plan, createdAt: now });
        await this.write(async (manager) => {
          if (plan.retire.length > 0) {
            const kids = plan.retire.map((key) => key.kid);
            await manager.update(SigningKeyEntity, { kid: In(kids) }, { retiresAt: new Date(now) });
          }
          await manager.insert(SigningKeyEntity, row);
        });
        const retiredKids = plan.retire.map((key) => key.kid);
        const retired = retiredKids.join(', ') || 'none';
        this.audit?.record(
          new SigningKeyRotated('forced_rotation', row.kid, {
            ...scheduleOf(row),
            retired: retiredKids,
            actor,
          }),
        );
        this.logger.warn(
          `forced rotation: ${row.kid} (${alg}, generation ${row.generation}) signs from now; retired ${retired}, published until ${iso(now + this.policy.retentionTimeMs)}`,
        );
        return row.kid;
      });
      // This process's store reloads at once instead of at the next poll.
      await this.changes.poll();
      return kid;
    });
  }

  /**
   * Emergency revocation (a key exposed): deletes the key, so it leaves every replica's JWKS and
   * is never used or published again, and tokens it signed stop validating here at once (the
   * admin guard and introspection read the published keys). If it was the key signing, a new key
   * (IDENTITY_SIGNING_ALG) signs from now, as after a forced rotation. Throws UnknownSigningKey
   * for a kid the store does not hold.
   */
  revokeKey(kid: string, actor?: Actor): Promise<KeyRevocation> {
    return this.exclusive(async () => {
      const alg = this.settings.keys.algorithm;
      const revoked = await this.retrying(async () => {
        const { keys } = await this.load();
        const key = keys.find((candidate) => candidate.kid === kid);
        if (!key) throw new UnknownSigningKey(kid);
        const now = this.clock();
        const plan = revocation(keys, key, now, this.policy);
        const row = plan.replacement
          ? this.newRow(await generatePrivateKey(alg), alg, { ...plan.replacement, createdAt: now })
          : undefined;
        await this.write(async (manager) => {
          const deleted = await manager.delete(SigningKeyEntity, { kid });
          // Another process revoked it between our read and this write.
          if (!deleted.affected) throw new UnknownSigningKey(kid);
          if (plan.retire.length > 0) {
            const kids = plan.retire.map((retired) => retired.kid);
            await manager.update(SigningKeyEntity, { kid: In(kids) }, { retiresAt: new Date(now) });
          }
          if (row) await manager.insert(SigningKeyEntity, row);
        });
        const retired = plan.retire.map((retiring) => retiring.kid);
        return { key, row, retired, signingKid: row?.kid ?? plan.keeps!.kid };
      });
      const { key, row, retired, signingKid } = revoked;
      this.audit?.record(
        new SigningKeyRotated('revoked', kid, {
          alg: key.key.alg,
          generation: key.generation,
          successor: row?.kid,
          actor,
        }),
      );
      if (row) {
        this.audit?.record(
          new SigningKeyRotated('forced_rotation', row.kid, { ...scheduleOf(row), retired, actor }),
        );
      }
      // This process's store reloads at once instead of at the next poll.
      await this.changes.poll();
      this.logger.warn(
        `revoked signing key ${kid}: deleted, it leaves the JWKS and its tokens are refused; ${
          row ? `a new key ${signingKid} (${alg}) signs from now` : `${signingKid} keeps signing`
        }`,
      );
      return { revoked: kid, signingKid, newSigningKey: row !== undefined };
    });
  }

  /** Every stored key and its schedule, by generation; no key material. */
  async listKeys(): Promise<SigningKeyInfo[]> {
    const rows = await this.readRows();
    const times = rows.map(keyTimesOf);
    const now = this.clock();
    return rows.map((row, index) => {
      const key = times[index];
      return {
        kid: row.kid,
        alg: row.alg,
        generation: row.generation,
        status: keyStatus(key, times, now),
        createdAt: row.createdAt,
        activatesAt: row.activatesAt,
        retiresAt: row.retiresAt,
        publishedUntil: new Date(publishedUntil(key, this.policy)),
      };
    });
  }

  private async load(): Promise<{ rows: SigningKeyEntity[]; keys: ScheduledSigningKey[] }> {
    const rows = await this.readRows();
    const keys = rows.map((row) => ({ ...keyTimesOf(row), key: this.parse(row) }));
    this.keysInClear = rows.filter((row) => !isEncryptedPrivateKey(row.privateKey)).length;
    for (const kid of this.parsed.keys()) {
      if (!rows.some((row) => row.kid === kid)) this.parsed.delete(kid);
    }
    return { rows, keys };
  }

  private readRows(): Promise<SigningKeyEntity[]> {
    return this.dataSource.getRepository(SigningKeyEntity).find({ order: { generation: 'ASC' } });
  }

  private parse(row: SigningKeyEntity): SigningKey {
    const cached = this.parsed.get(row.kid);
    if (cached?.stored === row.privateKey) return cached.key;
    const key = parseStoredKey(row, this.settings.keys.encryptionKey);
    this.parsed.set(row.kid, { stored: row.privateKey, key });
    return key;
  }

  private async createKey(plan: NewKeyPlan<ScheduledSigningKey>): Promise<void> {
    const alg = this.settings.keys.algorithm;
    const privateKey = await generatePrivateKey(alg);
    const row = this.newRow(privateKey, alg, { ...plan, createdAt: this.clock() });
    await this.write(async (manager) => {
      if (plan.extend) {
        await manager.update(
          SigningKeyEntity,
          { kid: plan.extend.key.kid },
          { retiresAt: new Date(plan.extend.retiresAt) },
        );
      }
      await manager.insert(SigningKeyEntity, row);
    });
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
      if (plan.extend && plan.extend.retiresAt - plan.extend.key.retiresAt > LATE_WARNING_MS) {
        this.logger.warn(
          `the next key was created late: ${plan.extend.key.kid} keeps signing until ${iso(plan.extend.retiresAt)}, so the new key is announced for the full propagation time`,
        );
      }
    }
  }

  /** Idempotent: a key another replica deleted first is simply gone. */
  private async deleteKeys(keys: readonly ScheduledSigningKey[]): Promise<void> {
    const kids = keys.map((key) => key.kid);
    const deleted = await this.writeIfAffected((manager) =>
      manager.delete(SigningKeyEntity, { kid: In(kids) }),
    );
    if (deleted > 0) {
      for (const kid of kids) this.audit?.record(new SigningKeyRotated('deleted', kid));
      this.logger.log(`deleted signing key(s) past their retention: ${kids.join(', ')}`);
    }
  }

  /** Returns how many keys this call encrypted (another replica may have done some first). */
  private async encryptKeysStoredInClear(rows: readonly SigningKeyEntity[]): Promise<number> {
    const encryptionKey = this.settings.keys.encryptionKey;
    if (!encryptionKey) throw new TypeError('no encryption key to encrypt the signing keys with');
    let encrypted = 0;
    for (const row of rows.filter((r) => !isEncryptedPrivateKey(r.privateKey))) {
      const sealed = encryptPrivateKey(row.privateKey, row.kid, encryptionKey);
      // Only if still in clear: another replica may have encrypted it already.
      const updated = await this.writeIfAffected((manager) =>
        manager.update(
          SigningKeyEntity,
          { kid: row.kid, privateKey: row.privateKey },
          { privateKey: sealed },
        ),
      );
      if (updated > 0) {
        encrypted++;
        this.logger.log(`encrypted signing key ${row.kid} at rest with ${ENCRYPTION_KEY_VARIABLE}`);
      }
    }
    // Every row is encrypted now, by this call or by another replica's.
    this.keysInClear = 0;
    return encrypted;
  }

  /** The previous version's key file becomes generation 1, signing now, when the store is empty. */
  private async importLegacyKey(): Promise<boolean> {
    const legacy = await readLegacyKeyFile(this.settings.dataDir);
    if (!legacy) return false;
    if (legacy.exposed) {
      this.logger.warn(`${legacy.path} is readable by other users; it should have mode 0600`);
    }
    const now = this.clock();
    const row = this.newRow(legacy.privateKey, 'RS256', {
      generation: 1,
      createdAt: now,
      activatesAt: now,
      retiresAt: now + this.policy.rotationPeriodMs,
    });
    await this.write((manager) => manager.insert(SigningKeyEntity, row));
    this.audit?.record(
      new SigningKeyRotated('created', row.kid, { ...scheduleOf(row), reason: 'imported' }),
    );
    this.logger.log(
      `imported the previous version's signing key ${legacy.path} into the store as ${row.kid} (RS256, generation 1), so tokens it signed stay valid; it signs until ${iso(row.retiresAt.getTime())}. The file is left in place and no longer read: delete it once that key has retired (see: npm run identity -- keys list)`,
    );
    return true;
  }

  private newRow(
    privateKey: KeyObject,
    alg: SigningAlgorithm,
    times: Omit<KeyTimes, 'kid'>,
  ): SigningKeyEntity {
    const key = toSigningKey(privateKey, alg);
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const encryptionKey = this.settings.keys.encryptionKey;
    const row = new SigningKeyEntity();
    row.kid = key.kid;
    row.generation = times.generation;
    row.alg = alg;
    row.privateKey = encryptionKey ? encryptPrivateKey(pem, key.kid, encryptionKey) : pem;
    row.publicJwk = { ...key.publicJwk } as Record<string, string>;
    row.createdAt = new Date(times.createdAt);
    row.activatesAt = new Date(times.activatesAt);
    row.retiresAt = new Date(times.retiresAt);
    return row;
  }

  /** One transaction that also records the change, so every replica reloads. */
  private async write(work: (manager: EntityManager) => Promise<unknown>): Promise<void> {
    await this.writer.write(work);
  }

  /**
   * An idempotent write (delete, conditional update) that another replica may have made first:
   * records a change only when rows were affected. Returns how many.
   */
  private async writeIfAffected(
    work: (manager: EntityManager) => Promise<{ affected?: number | null }>,
  ): Promise<number> {
    return this.writer.write(
      async (manager) => (await work(manager)).affected ?? 0,
      (affected) => affected > 0,
    );
  }

  /** Runs `attempt` again when it lost a race to another replica (or process, on SQLite). */
  private async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (tries >= MAX_ATTEMPTS || !isLostRace(error)) throw error;
        this.logger.debug(`another replica changed the signing keys first; re-reading`);
        await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40 * tries));
      }
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.sequences.run(work);
  }
}

/** Decrypts and parses a stored key, checking it is the key its row says it is. */
function parseStoredKey(row: SigningKeyEntity, encryptionKey: Buffer | undefined): SigningKey {
  if (!isSigningAlgorithm(row.alg)) {
    throw new Error(`the signing key ${row.kid} has an unsupported alg ${row.alg}`);
  }
  const pem = decryptPrivateKey(row.privateKey, row.kid, encryptionKey);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error(`the signing key ${row.kid} is not a PEM private key`);
  }
  const mismatch = keyMismatch(privateKey, row.alg);
  if (mismatch) throw new Error(`the signing key ${row.kid} cannot be used: ${mismatch}`);
  const key = toSigningKey(privateKey, row.alg);
  if (key.kid !== row.kid) {
    throw new Error(`the signing key ${row.kid} holds another key (thumbprint ${key.kid})`);
  }
  return key;
}

/**
 * A unique violation (another replica inserted this generation or kid first), or a write that
 * met another's lock: PostgreSQL deadlock or serialisation failure, SQLite busy.
 */
function isLostRace(error: unknown): boolean {
  const cause: unknown = error instanceof QueryFailedError ? error.driverError : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return (
    typeof code === 'string' &&
    (['23505', '40001', '40P01'].includes(code) ||
      code.startsWith('SQLITE_CONSTRAINT_UNIQUE') ||
      code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
      code.startsWith('SQLITE_BUSY'))
  );
}

/** What an audit event says of a new key: its schedule, never its material. */
function scheduleOf(row: SigningKeyEntity) {
  return {
    alg: row.alg,
    generation: row.generation,
    activatesAt: row.activatesAt.toISOString(),
    retiresAt: row.retiresAt.toISOString(),
  };
}

function iso(epochMillis: number): string {
  return new Date(epochMillis).toISOString();
}
