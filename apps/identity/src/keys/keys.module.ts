import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { JwksController } from './jwks.controller';
import { SigningKeyStore } from './signing-key-store';
import { FileSigningKeyStore } from './stores/file.signing-key-store';

export interface KeysModuleOptions {
  /** Binds the abstract SigningKeyStore; defaults to a key file in IDENTITY_DATA_DIR. */
  store?: Type<SigningKeyStore>;
}

/** Signing keys and the JWKS that publishes their public halves. */
@Module({})
export class KeysModule {
  static forRoot(options: KeysModuleOptions = {}): DynamicModule {
    return {
      module: KeysModule,
      global: true,
      controllers: [JwksController],
      providers: [{ provide: SigningKeyStore, useClass: options.store ?? FileSigningKeyStore }],
      exports: [SigningKeyStore],
    };
  }
}
