import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '@app/shared';

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

/** The members RFC 7638 §3.2 hashes for each key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/** RFC 7638 JWK thumbprint with SHA-256, base64url-encoded. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = jwk.kty ? THUMBPRINT_MEMBERS[jwk.kty] : undefined;
  if (!members) throw new TypeError(`no thumbprint rule for key type ${String(jwk.kty)}`);
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return createHash('sha256').update(canonical).digest('base64url');
}
