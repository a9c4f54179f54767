import {
  constants,
  createHmac,
  timingSafeEqual,
  verify,
  type KeyObject,
  type VerifyKeyObjectInput,
} from 'node:crypto';

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

const HMAC_DIGESTS: Readonly<Record<string, string>> = {
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
};

/**
 * Whether `signature` is the HMAC (RFC 7518 §3.2: HS256/384/512) of the signing input under
 * `secret`, compared in constant time. A key shorter than the hash output is refused: §3.2 makes
 * that length the minimum.
 */
export function verifiesHmacJwsSignature(
  alg: string,
  secret: Buffer,
  signingInput: Buffer,
  signature: Buffer,
): boolean {
  if (!Object.hasOwn(HMAC_DIGESTS, alg) || !hmacKeyLongEnough(alg, secret)) return false;
  const expected = createHmac(HMAC_DIGESTS[alg], secret).update(signingInput).digest();
  return expected.length === signature.length && timingSafeEqual(expected, signature);
}

/** RFC 7518 §3.2: an HMAC key must be at least as long as the hash output. */
export function hmacKeyLongEnough(alg: string, secret: Buffer): boolean {
  return secret.length * 8 >= Number(alg.slice(2));
}
