import { createPublicKey, generateKeyPair, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { jwkThumbprint, type SigningAlgorithm } from '@nest-identity/shared';

/** A private signing key, ready to use: parsed once, with its public JWK and `kid`. */
export interface SigningKey {
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key. */
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public key as published in the JWKS: key members, `kid`, `use: sig`, `alg`. */
  readonly publicJwk: Readonly<JsonWebKey>;
}

export function toSigningKey(privateKey: KeyObject, alg: SigningAlgorithm): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = jwkThumbprint(jwk);
  return { kid, alg, privateKey, publicKey, publicJwk: { ...jwk, kid, use: 'sig', alg } };
}

const generate = promisify(generateKeyPair);

/** A new private key for `alg`: RSA 2048 (RS256, PS256), P-256 (ES256) or Ed25519 (EdDSA). */
export async function generatePrivateKey(alg: SigningAlgorithm): Promise<KeyObject> {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return (await generate('rsa', { modulusLength: 2048 })).privateKey;
    case 'ES256':
      return (await generate('ec', { namedCurve: 'P-256' })).privateKey;
    case 'EdDSA':
      return (await generate('ed25519')).privateKey;
  }
}

/** Why `key` cannot sign with `alg` (RFC 7518 §3.3-3.5, RFC 8037), or undefined if it can. */
export function keyMismatch(key: KeyObject, alg: SigningAlgorithm): string | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  switch (alg) {
    case 'RS256':
    case 'PS256':
      if (key.asymmetricKeyType !== 'rsa') return `${alg} needs an RSA key`;
      return (details.modulusLength ?? 0) < 2048 ? `${alg} needs at least 2048 bits` : undefined;
    case 'ES256':
      return key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1'
        ? undefined
        : 'ES256 needs a P-256 key';
    case 'EdDSA':
      return key.asymmetricKeyType === 'ed25519' ? undefined : 'EdDSA needs an Ed25519 key';
  }
}
