import type { KeyObject } from 'node:crypto';
import { ClientSigningAlgorithms, keyFitsAlgorithm } from '@app/shared';

/**
 * The JWS algorithms a DPoP proof may use (RFC 9449 §4.3: asymmetric only, never `none` or a
 * MAC). The discovery document lists exactly these; signatures are checked by @app/shared's
 * verifiesJwsSignature, as at the resource server.
 */
export const DPoPSigningAlgorithms: readonly string[] = ClientSigningAlgorithms;

/** RFC 7518 §3.3, §3.5: RSA keys of at least 2048 bits. */
const MIN_RSA_BITS = 2048;

export function isDPoPAlgorithm(alg: unknown): alg is string {
  return typeof alg === 'string' && DPoPSigningAlgorithms.includes(alg);
}

/** Whether `key` is of the kind `alg` is defined for (type, curve), and an RSA key long enough. */
export function dpopKeyFitsAlgorithm(key: KeyObject, alg: string): boolean {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  return keyFitsAlgorithm(key, alg, undefined) && (bits === undefined || bits >= MIN_RSA_BITS);
}
