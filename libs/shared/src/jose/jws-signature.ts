import { constants, verify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';

type VerifyParameters = { digest: string | null; options: Omit<VerifyKeyObjectInput, 'key'> };

const rsa = (digest: string): VerifyParameters => ({
  digest,
  options: { padding: constants.RSA_PKCS1_PADDING },
});
const pss = (digest: string): VerifyParameters => ({
  digest,
  // RFC 7518 §3.5: the salt is as long as the hash.
  options: {
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  },
});
// RFC 7518 §3.4: R || S, not DER.
const ecdsa = (digest: string): VerifyParameters => ({
  digest,
  options: { dsaEncoding: 'ieee-p1363' },
});

const PARAMETERS: Readonly<Record<string, VerifyParameters>> = {
  RS256: rsa('sha256'),
  RS384: rsa('sha384'),
  RS512: rsa('sha512'),
  PS256: pss('sha256'),
  PS384: pss('sha384'),
  PS512: pss('sha512'),
  ES256: ecdsa('sha256'),
  ES384: ecdsa('sha384'),
  ES512: ecdsa('sha512'),
  EdDSA: { digest: null, options: {} },
  Ed25519: { digest: null, options: {} },
};

/**
 * Whether `signature` is `alg`'s signature (RS*, PS*, ES*, EdDSA, Ed25519) of a compact JWS's signing input by `key`. The caller
 * has checked that the key fits the algorithm (keyFitsAlgorithm); an unknown `alg` is false.
 */
export function verifiesJwsSignature(
  alg: string,
  key: KeyObject,
  signingInput: string | Buffer,
  signature: Buffer,
): boolean {
  if (!Object.hasOwn(PARAMETERS, alg)) return false;
  const { digest, options } = PARAMETERS[alg];
  try {
    const data = typeof signingInput === 'string' ? Buffer.from(signingInput) : signingInput;
    return verify(digest, data, { key, ...options }, signature);
  } catch {
    return false;
  }
}
