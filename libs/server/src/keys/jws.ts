import { constants, sign, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import type { SigningAlgorithm } from '@nest-identity/shared';

/**
 * JWS compact serialisation (RFC 7515) on node:crypto, for the four algorithms our keys may use
 * (RFC 7518 §3.3, §3.4, §3.5; RFC 8037 for EdDSA). Signing only: every JWS the identity reads
 * goes through @nest-identity/shared's JOSE core (readCompactJws, verifiesJwsSignature). jsonwebtoken, inside @nestjs/jwt, has no
 * EdDSA and re-does key checks on every call, and this is the token endpoint's hot path.
 */
interface AlgorithmParameters {
  /** node:crypto digest name; null for EdDSA, which hashes internally. */
  readonly digest: string | null;
  readonly options: Omit<SignKeyObjectInput, 'key'>;
}

const ALGORITHMS: Record<SigningAlgorithm, AlgorithmParameters> = {
  RS256: { digest: 'sha256', options: { padding: constants.RSA_PKCS1_PADDING } },
  PS256: {
    digest: 'sha256',
    options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  },
  // JWS wants r||s (IEEE P1363), not DER.
  ES256: { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  EdDSA: { digest: null, options: {} },
};

export function isSigningAlgorithm(alg: unknown): alg is SigningAlgorithm {
  return typeof alg === 'string' && Object.hasOwn(ALGORITHMS, alg);
}

/** Signs `payload` as a compact JWS; `header.alg` chooses the algorithm. */
export function signJws(
  header: { alg: SigningAlgorithm } & Record<string, unknown>,
  payload: Record<string, unknown>,
  privateKey: KeyObject,
): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  const { digest, options } = ALGORITHMS[header.alg];
  const signature = sign(digest, Buffer.from(input), { key: privateKey, ...options });
  return `${input}.${signature.toString('base64url')}`;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
