import type { DataSource } from 'typeorm';
import type { AuditTrail } from '../audit/audit-trail';
import type { IdentitySettings } from '../config/identity-settings';
import type { StoreChanges } from '../persistence/store-changes';
import { StoreWriter } from '../persistence/store-writer';
import type { Clock } from './clock';
import { SigningKeyRepository } from './repository/signing-key.repository';
import { KeyRotation } from './rotation/key-rotation';
import { LegacyKeyImport } from './rotation/legacy-key-import';
import { SigningKeyCache } from './signing-key-cache';
import { SigningKeyLoader } from './signing-key-loader';
import { SigningKeyManager } from './signing-key-manager';
import { StoredKeyEncryption } from './stored-key-encryption';
import { DatabaseSigningKeyStore } from './stores/database.signing-key-store';

/** The signing-key providers of one process, wired as KeysModule.forRoot wires them (for specs). */
export interface SigningKeyServices {
  readonly repository: SigningKeyRepository;
  readonly loader: SigningKeyLoader;
  readonly rotation: KeyRotation;
  readonly manager: SigningKeyManager;
  readonly cache: SigningKeyCache;
  readonly store: DatabaseSigningKeyStore;
}

export function signingKeyServices(
  dataSource: DataSource,
  changes: StoreChanges,
  settings: IdentitySettings,
  clock: Clock,
  audit?: AuditTrail,
  writer = new StoreWriter(dataSource, changes),
): SigningKeyServices {
  const repository = new SigningKeyRepository(dataSource, writer);
  const loader = new SigningKeyLoader(repository, settings);
  const legacy = new LegacyKeyImport(repository, settings, clock, audit);
  const encryption = new StoredKeyEncryption(repository, loader, settings);
  const rotation = new KeyRotation(
    repository,
    loader,
    legacy,
    encryption,
    changes,
    settings,
    clock,
    audit,
  );
  const manager = new SigningKeyManager(repository, loader, rotation, encryption, settings, clock);
  const cache = new SigningKeyCache(settings, clock, audit);
  const store = new DatabaseSigningKeyStore(rotation, loader, cache, changes);
  return { repository, loader, rotation, manager, cache, store };
}
