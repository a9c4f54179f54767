import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { AtRestWarnings } from './at-rest-warnings';
import { JwksController } from './jwks.controller';
import { SigningKeyRepository } from './repository/signing-key.repository';
import { KeyRotation } from './rotation/key-rotation';
import { LegacyKeyImport } from './rotation/legacy-key-import';
import { SigningKeyCache } from './signing-key-cache';
import { SigningKeyLoader } from './signing-key-loader';
import { SigningKeyManager } from './signing-key-manager';
import { SigningKeyStore } from './signing-key-store';
import { StoredKeyEncryption } from './stored-key-encryption';
import { DatabaseSigningKeyStore } from './stores/database.signing-key-store';

export interface KeysModuleOptions {
  /** Binds the abstract SigningKeyStore; defaults to the database's, with automatic rotation. */
  store?: Type<SigningKeyStore>;
}

/** Reading, rotating and encrypting the stored keys: what both the identity and the CLI need. */
const KEY_MANAGEMENT = [
  SigningKeyRepository,
  SigningKeyLoader,
  LegacyKeyImport,
  StoredKeyEncryption,
  KeyRotation,
  SigningKeyManager,
];

/**
 * Signing keys, their rotation, and the JWKS that publishes their public halves; warns at start-up
 * when the keys are open to whoever reads the storage. Needs the PersistenceModule (DataSource,
 * StoreChanges).
 */
@Module({})
export class KeysModule {
  static forRoot(options: KeysModuleOptions = {}): DynamicModule {
    return {
      module: KeysModule,
      global: true,
      controllers: [JwksController],
      providers: [
        ...KEY_MANAGEMENT,
        SigningKeyCache,
        AtRestWarnings,
        { provide: SigningKeyStore, useClass: options.store ?? DatabaseSigningKeyStore },
      ],
      exports: [SigningKeyStore, SigningKeyManager],
    };
  }

  /**
   * Only the SigningKeyManager (`keys list`, `keys rotate`), for a command-line process: no JWKS,
   * no in-memory store, no maintenance timer.
   */
  static forManagement(): DynamicModule {
    return {
      module: KeysModule,
      providers: KEY_MANAGEMENT,
      exports: [SigningKeyManager],
    };
  }
}
