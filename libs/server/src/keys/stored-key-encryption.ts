import { Inject, Injectable, Logger } from '@nestjs/common';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import type { SigningKeyEntity } from '../persistence/entities/signing-key.entity';
import {
  ENCRYPTION_KEY_VARIABLE,
  encryptPrivateKey,
  isEncryptedPrivateKey,
} from './private-key-encryption';
import { SigningKeyRepository } from './repository/signing-key.repository';
import { SigningKeyLoader } from './signing-key-loader';

/**
 * Encrypts, under IDENTITY_KEY_ENCRYPTION_KEY, the private keys stored in clear: at each
 * maintenance when the variable is set, and on `keys encrypt`.
 */
@Injectable()
export class StoredKeyEncryption {
  private readonly logger = new Logger('SigningKeys');

  constructor(
    private readonly repository: SigningKeyRepository,
    private readonly loader: SigningKeyLoader,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
  ) {}

  /**
   * `keys encrypt`: every key is read (and so decrypted) first, so a key encrypted under another
   * encryption key stops it before anything is written. Idempotent.
   */
  encryptStoredKeys(): Promise<{ encrypted: number; alreadyEncrypted: number }> {
    if (!this.settings.keys.encryptionKey) {
      return Promise.reject(
        new Error(
          `${ENCRYPTION_KEY_VARIABLE} is not set (fix: generate one with \`openssl rand -base64 32\` and set it here and for the identity)`,
        ),
      );
    }
    return this.repository.sequence(async () => {
      const { rows } = await this.loader.load();
      const encrypted = await this.encryptInClear(rows);
      return { encrypted, alreadyEncrypted: rows.length - encrypted };
    });
  }

  /**
   * Encrypts those of `rows` stored in clear; call inside a repository sequence. Returns how many
   * this call encrypted (another replica may have done some first).
   */
  async encryptInClear(rows: readonly SigningKeyEntity[]): Promise<number> {
    const encryptionKey = this.settings.keys.encryptionKey;
    if (!encryptionKey) throw new TypeError('no encryption key to encrypt the signing keys with');
    let encrypted = 0;
    for (const row of rows.filter((r) => !isEncryptedPrivateKey(r.privateKey))) {
      const sealed = encryptPrivateKey(row.privateKey, row.kid, encryptionKey);
      // Only if still in clear: another replica may have encrypted it already.
      if (await this.repository.replacePrivateKey(row.kid, row.privateKey, sealed)) {
        encrypted++;
        this.logger.log(`encrypted signing key ${row.kid} at rest with ${ENCRYPTION_KEY_VARIABLE}`);
      }
    }
    // Every row is encrypted now, by this call or by another replica's.
    this.loader.allEncrypted();
    return encrypted;
  }
}
