import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Actor } from '../audit/audit-events';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { KEYS_CLOCK, systemClock, type Clock } from './clock';
import { keyStatus, keyTimesOf, publishedUntil, type KeyStatus } from './key-schedule';
import { SigningKeyRepository } from './repository/signing-key.repository';
import { KeyRotation, type KeyRevocation } from './rotation/key-rotation';
import { SigningKeyLoader, type PrivateKeysAtRest } from './signing-key-loader';
import { StoredKeyEncryption } from './stored-key-encryption';

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

/**
 * What an operator can do with the signing keys: the CLI's `keys list`, `keys rotate`, `keys
 * revoke` and `keys encrypt`, the admin API's `/admin/keys`, and what health and metrics report.
 * Rotation and revocation are KeyRotation's, encryption StoredKeyEncryption's.
 */
@Injectable()
export class SigningKeyManager {
  constructor(
    private readonly repository: SigningKeyRepository,
    private readonly loader: SigningKeyLoader,
    private readonly rotation: KeyRotation,
    private readonly encryption: StoredKeyEncryption,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
    @Optional() @Inject(KEYS_CLOCK) readonly clock: Clock = systemClock,
  ) {}

  /** Every stored key and its schedule, by generation; no key material. */
  async listKeys(): Promise<SigningKeyInfo[]> {
    const rows = await this.repository.readAll();
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
        publishedUntil: new Date(publishedUntil(key, this.settings.keys)),
      };
    });
  }

  /** `keys rotate`: see KeyRotation.forceRotation. Returns the new kid. */
  forceRotation(actor?: Actor): Promise<string> {
    return this.rotation.forceRotation(actor);
  }

  /** `keys revoke`: see KeyRotation.revokeKey. */
  revokeKey(kid: string, actor?: Actor): Promise<KeyRevocation> {
    return this.rotation.revokeKey(kid, actor);
  }

  /** `keys encrypt`: see StoredKeyEncryption.encryptStoredKeys. */
  encryptStoredKeys(): Promise<{ encrypted: number; alreadyEncrypted: number }> {
    return this.encryption.encryptStoredKeys();
  }

  /** How the private keys are kept in the database, as last read (no read). */
  privateKeysAtRest(): PrivateKeysAtRest {
    return this.loader.privateKeysAtRest();
  }
}
