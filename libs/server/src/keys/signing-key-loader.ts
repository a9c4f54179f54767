import { Inject, Injectable } from '@nestjs/common';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import type { SigningKeyEntity } from '../persistence/entities/signing-key.entity';
import { keyTimesOf, type KeyTimes } from './key-schedule';
import { isEncryptedPrivateKey } from './private-key-encryption';
import { SigningKeyRepository } from './repository/signing-key.repository';
import type { SigningKey } from './signing-key';
import { parseStoredKey } from './stored-signing-key';

/** A usable key with its place in the schedule. */
export interface ScheduledSigningKey extends KeyTimes {
  readonly key: SigningKey;
}

/** How the private keys are kept in the database (`/health/ready` says). */
export type PrivateKeysAtRest = 'clear' | 'encrypted';

/**
 * Reads the stored keys and parses them, each once: a key whose stored text has not changed is
 * not decrypted and parsed again at every reload. Remembers how many the last read found in clear.
 */
@Injectable()
export class SigningKeyLoader {
  /** Parsed keys by kid, with the stored text they came from. */
  private readonly parsed = new Map<string, { stored: string; key: SigningKey }>();
  /** How many keys the last read found stored in clear. */
  private keysInClear?: number;

  constructor(
    private readonly repository: SigningKeyRepository,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
  ) {}

  /** Every stored key, parsed, with the rows they came from. Throws, naming the kid, when one cannot be used. */
  async load(): Promise<{ rows: SigningKeyEntity[]; keys: ScheduledSigningKey[] }> {
    const rows = await this.repository.readAll();
    const keys = rows.map((row) => ({ ...keyTimesOf(row), key: this.parse(row) }));
    this.keysInClear = rows.filter((row) => !isEncryptedPrivateKey(row.privateKey)).length;
    for (const kid of this.parsed.keys()) {
      if (!rows.some((row) => row.kid === kid)) this.parsed.delete(kid);
    }
    return { rows, keys };
  }

  /** Every stored key, parsed. */
  async loadKeys(): Promise<ScheduledSigningKey[]> {
    return (await this.load()).keys;
  }

  /**
   * `encrypted` only when IDENTITY_KEY_ENCRYPTION_KEY is set and the last read (or the last
   * encryption) left no key in clear. From memory, no read.
   */
  privateKeysAtRest(): PrivateKeysAtRest {
    return this.settings.keys.encryptionKey && this.keysInClear === 0 ? 'encrypted' : 'clear';
  }

  /** Every stored key is encrypted now (by this process or another replica). */
  allEncrypted(): void {
    this.keysInClear = 0;
  }

  private parse(row: SigningKeyEntity): SigningKey {
    const cached = this.parsed.get(row.kid);
    if (cached?.stored === row.privateKey) return cached.key;
    const key = parseStoredKey(row, this.settings.keys.encryptionKey);
    this.parsed.set(row.kid, { stored: row.privateKey, key });
    return key;
  }
}
