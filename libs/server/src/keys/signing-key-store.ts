import type { SigningKey } from './signing-key';

/**
 * Where signing keys live. Abstract class, so it is also the DI token: a database or KMS store
 * replaces the file one through `KeysModule.forRoot({ store })`.
 */
export abstract class SigningKeyStore {
  /** The key that signs new tokens. */
  abstract getActiveKey(): Promise<SigningKey>;
  /** Every key whose tokens may still be in use: what the JWKS publishes. */
  abstract getPublishedKeys(): Promise<readonly SigningKey[]>;
}
