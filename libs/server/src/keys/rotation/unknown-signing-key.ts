/** `keys revoke` of a kid the store does not hold (never existed, deleted, or revoked already). */
export class UnknownSigningKey extends Error {
  constructor(readonly kid: string) {
    super(`there is no signing key "${kid}" (see: npm run identity -- keys list)`);
    this.name = 'UnknownSigningKey';
  }
}
