import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Private keys at rest: `enc:v1:<iv>:<tag>:<ciphertext>` (base64url) with AES-256-GCM under
 * IDENTITY_KEY_ENCRYPTION_KEY. The key's `kid` is the additional authenticated data, so a
 * ciphertext copied onto another row does not decrypt there.
 */
const PREFIX = 'enc:v1:';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const ENCRYPTION_KEY_VARIABLE = 'IDENTITY_KEY_ENCRYPTION_KEY';

export function isEncryptedPrivateKey(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

export function encryptPrivateKey(pem: string, kid: string, encryptionKey: Buffer): string {
  checkLength(encryptionKey);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, encryptionKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
  return `${PREFIX}${[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url')).join(':')}`;
}

/**
 * The PEM of a stored private key: decrypted when it is an `enc:v1:` envelope, as is otherwise.
 * Throws, naming the kid and the variable, when it cannot be decrypted.
 */
export function decryptPrivateKey(
  stored: string,
  kid: string,
  encryptionKey: Buffer | undefined,
): string {
  if (!isEncryptedPrivateKey(stored)) return stored;
  if (!encryptionKey) {
    throw new Error(
      `the signing key ${kid} is encrypted, but ${ENCRYPTION_KEY_VARIABLE} is not set`,
    );
  }
  checkLength(encryptionKey);
  const parts = stored.slice(PREFIX.length).split(':');
  const [iv, tag, ciphertext] = parts.map((part) => Buffer.from(part, 'base64url'));
  if (parts.length !== 3 || iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !ciphertext) {
    throw new Error(`the signing key ${kid} has a malformed encrypted private key`);
  }
  try {
    const decipher = createDecipheriv(ALGORITHM, encryptionKey, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(kid, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(
      `the signing key ${kid} cannot be decrypted with ${ENCRYPTION_KEY_VARIABLE} (a different key encrypted it, or the stored key was altered)`,
    );
  }
}

function checkLength(encryptionKey: Buffer): void {
  if (encryptionKey.length !== 32) throw new TypeError('the encryption key must be 32 bytes');
}
