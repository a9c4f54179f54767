import { constants, verify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';

/**
 * The JWS algorithms a DPoP proof may use (RFC 9449 §4.3: asymmetric only, never `none` or a MAC),
 * with how node:crypto verifies each: RFC 7518 §3.3 (RS*), §3.5 (PS*, salt = hash length), §3.4
 * (ES*, whose signature is r||s, IEEE P1363, not DER), RFC 8037 (EdDSA: Ed25519 or Ed448) and
 * RFC 9864's fully-specified Ed25519, which oauth4webapi and openid-client sign an Ed25519 key's
 * proofs with. The discovery document lists exactly these keys.
 */
interface DPoPAlgorithm {
  /** node:crypto digest name; null for EdDSA, which hashes internally. */
  readonly digest: string | null;
  readonly options: Omit<VerifyKeyObjectInput, 'key'>;
  /** Whether a key may be used with this algorithm (its type, curve, size). */
  readonly fits: (key: KeyObject) => boolean;
}

/** RFC 7518 §3.3, §3.5: RSA keys of at least 2048 bits. */
const MIN_RSA_BITS = 2048;

const rsa =
  (...types: string[]) =>
  (key: KeyObject): boolean =>
    types.includes(key.asymmetricKeyType ?? '') &&
    (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS;

const ec =
  (curve: string) =>
  (key: KeyObject): boolean =>
    key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === curve;

const pkcs1 = (digest: string): DPoPAlgorithm => ({
  digest,
  options: { padding: constants.RSA_PKCS1_PADDING },
  fits: rsa('rsa'),
});

const pss = (digest: string, saltLength: number): DPoPAlgorithm => ({
  digest,
  options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
  fits: rsa('rsa', 'rsa-pss'),
});

const ecdsa = (digest: string, curve: string): DPoPAlgorithm => ({
  digest,
  options: { dsaEncoding: 'ieee-p1363' },
  fits: ec(curve),
});

const ALGORITHMS: Readonly<Record<string, DPoPAlgorithm>> = {
  RS256: pkcs1('sha256'),
  RS384: pkcs1('sha384'),
  RS512: pkcs1('sha512'),
  PS256: pss('sha256', 32),
  PS384: pss('sha384', 48),
  PS512: pss('sha512', 64),
  ES256: ecdsa('sha256', 'prime256v1'),
  ES384: ecdsa('sha384', 'secp384r1'),
  ES512: ecdsa('sha512', 'secp521r1'),
  EdDSA: {
    digest: null,
    options: {},
    fits: (key) => key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448',
  },
  Ed25519: { digest: null, options: {}, fits: (key) => key.asymmetricKeyType === 'ed25519' },
};

/** What discovery advertises as `dpop_signing_alg_values_supported`. */
export const DPoPSigningAlgorithms: readonly string[] = Object.keys(ALGORITHMS);

export function isDPoPAlgorithm(alg: unknown): alg is string {
  return typeof alg === 'string' && Object.hasOwn(ALGORITHMS, alg);
}

/** Whether `key` is of the kind `alg` is defined for. */
export function keyFitsAlgorithm(key: KeyObject, alg: string): boolean {
  return key.type === 'public' && ALGORITHMS[alg].fits(key);
}

/** Whether `signature` over `signingInput` verifies with `key` under `alg`; false on any error. */
export function verifiesWith(
  alg: string,
  key: KeyObject,
  signingInput: string,
  signature: Buffer,
): boolean {
  const { digest, options } = ALGORITHMS[alg];
  try {
    return verify(digest, Buffer.from(signingInput), { key, ...options }, signature);
  } catch {
    // A signature of the wrong length for the key, for instance.
    return false;
  }
}
