import { createHash, KeyObject, type JsonWebKey } from 'node:crypto';

/** RFC 7638 §3.2: the members of each key type that the thumbprint covers. */
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * The RFC 7638 JWK SHA-256 thumbprint of a public key, base64url: what a DPoP-bound token
 * carries as `cnf.jkt` (RFC 9449 §6.1). A KeyObject is exported first, so the members are in
 * their canonical form whatever JWK it was imported from.
 */
export function jwkThumbprint(key: KeyObject | JsonWebKey): string {
  const jwk: JsonWebKey = key instanceof KeyObject ? key.export({ format: 'jwk' }) : key;
  const members = REQUIRED_MEMBERS[String(jwk.kty)];
  if (members === undefined) throw new TypeError(`no thumbprint for key type ${String(jwk.kty)}`);
  // The required members in lexicographic order, no whitespace (RFC 7638 §3.3).
  const canonical = `{${members
    .map((name) => {
      const value = (jwk as Record<string, unknown>)[name];
      if (typeof value !== 'string') throw new TypeError(`the JWK has no ${name}`);
      return `${JSON.stringify(name)}:${JSON.stringify(value)}`;
    })
    .join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}
