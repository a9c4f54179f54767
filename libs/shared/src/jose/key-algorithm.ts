import type { KeyObject } from 'node:crypto';

/** RFC 7518 §3.4: the curve each ECDSA algorithm is defined on (node:crypto's names). */
const ECDSA_CURVES: Readonly<Record<string, string>> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
};

/**
 * Whether `key` may verify a token whose header says `alg`: the key's own `alg` (when its JWK
 * names one) must be that very algorithm, and its type must be the one the algorithm is defined
 * for (RFC 7518 §3, RFC 8037 §3.1). So a token cannot choose how a key is used: an RSA key never
 * checks a PS256 signature when it was published for RS256, a P-256 key never an ES384 one.
 */
export function keyFitsAlgorithm(key: KeyObject, alg: string, jwkAlg: string | undefined): boolean {
  if (key.type !== 'public' || (jwkAlg !== undefined && jwkAlg !== alg)) return false;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return /^(RS|PS)(256|384|512)$/.test(alg);
    case 'rsa-pss':
      return /^PS(256|384|512)$/.test(alg);
    case 'ec':
      return (
        Object.hasOwn(ECDSA_CURVES, alg) &&
        key.asymmetricKeyDetails?.namedCurve === ECDSA_CURVES[alg]
      );
    case 'ed25519':
      return alg === 'EdDSA' || alg === 'Ed25519'; // RFC 9864 §2.2: Ed25519 is EdDSA on this curve
    case 'ed448':
      return alg === 'EdDSA';
    default:
      return false;
  }
}
