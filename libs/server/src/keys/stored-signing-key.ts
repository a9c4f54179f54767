import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '@nest-identity/shared';
import { SigningKeyEntity } from '../persistence/entities/signing-key.entity';
import { isSigningAlgorithm } from './jws';
import type { KeyTimes } from './key-schedule';
import { decryptPrivateKey, encryptPrivateKey } from './private-key-encryption';
import { keyMismatch, toSigningKey, type SigningKey } from './signing-key';

/**
 * The row that stores a new key: its private key as PKCS#8 PEM, encrypted when an encryption key
 * is set, its public JWK as published, and its schedule.
 */
export function toStoredKey(
  privateKey: KeyObject,
  alg: SigningAlgorithm,
  times: Omit<KeyTimes, 'kid'>,
  encryptionKey: Buffer | undefined,
): SigningKeyEntity {
  const key = toSigningKey(privateKey, alg);
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const row = new SigningKeyEntity();
  row.kid = key.kid;
  row.generation = times.generation;
  row.alg = alg;
  row.privateKey = encryptionKey ? encryptPrivateKey(pem, key.kid, encryptionKey) : pem;
  row.publicJwk = { ...key.publicJwk } as Record<string, string>;
  row.createdAt = new Date(times.createdAt);
  row.activatesAt = new Date(times.activatesAt);
  row.retiresAt = new Date(times.retiresAt);
  return row;
}

/** Decrypts and parses a stored key, checking it is the key its row says it is. */
export function parseStoredKey(
  row: SigningKeyEntity,
  encryptionKey: Buffer | undefined,
): SigningKey {
  if (!isSigningAlgorithm(row.alg)) {
    throw new Error(`the signing key ${row.kid} has an unsupported alg ${row.alg}`);
  }
  const pem = decryptPrivateKey(row.privateKey, row.kid, encryptionKey);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error(`the signing key ${row.kid} is not a PEM private key`);
  }
  const mismatch = keyMismatch(privateKey, row.alg);
  if (mismatch) throw new Error(`the signing key ${row.kid} cannot be used: ${mismatch}`);
  const key = toSigningKey(privateKey, row.alg);
  if (key.kid !== row.kid) {
    throw new Error(`the signing key ${row.kid} holds another key (thumbprint ${key.kid})`);
  }
  return key;
}

/** What an audit event says of a stored key: its schedule, never its material. */
export function scheduleOf(row: SigningKeyEntity) {
  return {
    alg: row.alg,
    generation: row.generation,
    activatesAt: row.activatesAt.toISOString(),
    retiresAt: row.retiresAt.toISOString(),
  };
}
