import { decryptPrivateKey, encryptPrivateKey } from '../keys/private-key-encryption';

/**
 * A database client's secret kept for client_secret_jwt: the `enc:v1:` envelope of the signing
 * keys (AES-256-GCM under IDENTITY_KEY_ENCRYPTION_KEY), bound to the secret's id, so a value
 * copied onto another row does not decrypt there. Never stored in clear.
 */
export function sealClientSecret(secret: string, secretId: string, encryptionKey: Buffer): string {
  return encryptPrivateKey(secret, aad(secretId), encryptionKey);
}

/** The secret, or undefined when it cannot be decrypted (no key, another key, altered). */
export function openClientSecret(
  sealed: string,
  secretId: string,
  encryptionKey: Buffer | undefined,
): Buffer | undefined {
  if (!encryptionKey) return undefined;
  try {
    return Buffer.from(decryptPrivateKey(sealed, aad(secretId), encryptionKey), 'utf8');
  } catch {
    return undefined;
  }
}

function aad(secretId: string): string {
  return `client-secret:${secretId}`;
}
