import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { SigningKeyRotated } from '../../audit/audit-events';
import { AuditTrail } from '../../audit/audit-trail';
import { identitySettings, type IdentitySettings } from '../../config/identity-settings';
import { KEYS_CLOCK, systemClock, type Clock } from '../clock';
import { SigningKeyRepository } from '../repository/signing-key.repository';
import { readLegacyKeyFile } from './legacy-key-file';
import { scheduleOf, toStoredKey } from '../stored-signing-key';

/**
 * The previous version kept one RS256 key in a file in the data directory. Into an empty store,
 * that key is imported as generation 1, signing now, so the tokens it signed stay valid.
 */
@Injectable()
export class LegacyKeyImport {
  private readonly logger = new Logger('SigningKeys');

  constructor(
    private readonly repository: SigningKeyRepository,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
    @Optional() @Inject(KEYS_CLOCK) private readonly clock: Clock = systemClock,
    @Optional() private readonly audit?: AuditTrail,
  ) {}

  /** Call only when the store is empty. Whether there was a key file to import. */
  async importIntoEmptyStore(): Promise<boolean> {
    const legacy = await readLegacyKeyFile(this.settings.dataDir);
    if (!legacy) return false;
    if (legacy.exposed) {
      this.logger.warn(`${legacy.path} is readable by other users; it should have mode 0600`);
    }
    const now = this.clock();
    const times = {
      generation: 1,
      createdAt: now,
      activatesAt: now,
      retiresAt: now + this.settings.keys.rotationPeriodMs,
    };
    const row = toStoredKey(legacy.privateKey, 'RS256', times, this.settings.keys.encryptionKey);
    await this.repository.insert(row);
    this.audit?.record(
      new SigningKeyRotated('created', row.kid, { ...scheduleOf(row), reason: 'imported' }),
    );
    this.logger.log(
      `imported the previous version's signing key ${legacy.path} into the store as ${row.kid} (RS256, generation 1), so tokens it signed stay valid; it signs until ${row.retiresAt.toISOString()}. The file is left in place and no longer read: delete it once that key has retired (see: npm run identity -- keys list)`,
    );
    return true;
  }
}
