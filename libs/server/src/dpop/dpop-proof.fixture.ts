import { constants, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';

/** A client's DPoP key pair and a signer of proofs, for unit specs. */
export interface DPoPKey {
  readonly alg: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
}

export function aDPoPKey(
  alg: 'ES256' | 'RS256' | 'PS256' | 'EdDSA' | 'Ed25519' | 'ES384' = 'ES256',
): DPoPKey {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'ES384'
        ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
        : alg === 'EdDSA' || alg === 'Ed25519'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { alg, privateKey, publicJwk: publicKey.export({ format: 'jwk' }) };
}

const SIGN_OPTIONS: Record<string, [string | null, object]> = {
  ES256: ['sha256', { dsaEncoding: 'ieee-p1363' }],
  ES384: ['sha384', { dsaEncoding: 'ieee-p1363' }],
  RS256: ['sha256', { padding: constants.RSA_PKCS1_PADDING }],
  PS256: ['sha256', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }],
  EdDSA: [null, {}],
  Ed25519: [null, {}],
};

const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A proof signed by `key`; `header` and `claims` override the defaults (undefined removes). */
export function aDPoPProof(
  key: DPoPKey,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): string {
  const fullHeader = { typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...header };
  const fullClaims = {
    jti: randomUUID(),
    htm: 'POST',
    htu: 'https://id.example.com/connect/token',
    iat: Math.floor(Date.now() / 1000),
    ...claims,
  };
  const input = `${segment(fullHeader)}.${segment(fullClaims)}`;
  const [digest, options] = SIGN_OPTIONS[key.alg] ?? SIGN_OPTIONS.ES256;
  const signature = sign(digest, Buffer.from(input), { key: key.privateKey, ...options });
  return `${input}.${signature.toString('base64url')}`;
}
