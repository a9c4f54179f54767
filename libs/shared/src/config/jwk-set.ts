import { createPublicKey } from 'node:crypto';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { PrivateKeyJwtAlgorithms } from '../oauth/oauth.constants';

/**
 * A client's registered JWK Set (RFC 7517 §5) for private_key_jwt: public signing keys only, of
 * a type and curve an accepted algorithm can use, each with a distinct `kid`. Checked where a set
 * enters (the configuration file, the admin API, a fetched `jwks_uri`), so the token endpoint
 * only ever sees keys it can use.
 */

/** RFC 7517 §5: public keys only, as a client registers them (stored with it, read by the
 * assertion verifier). */
export interface JsonWebKeySet {
  readonly keys: readonly JsonWebKeyMembers[];
}

/** A JWK's members: strings, but also `key_ops`/`x5c` arrays and `ext` (RFC 7517 §4). */
export type JsonWebKeyMembers = Readonly<Record<string, string | boolean | number | string[]>>;

/** More keys than any rotation needs; bounds the work of an assertion without a `kid`. */
export const MaxJwkSetKeys = 20;

/** RSA keys shorter than this are refused (RFC 7518 §3.3 asks for 2048 bits at least). */
const MIN_RSA_MODULUS_BITS = 2048;

/** RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 7517 §4: members that only a private or secret key has. */
export const PrivateJwkMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The curves of each key type, and the algorithms each fits (RFC 7518 §3.4, RFC 8037 §3.1, RFC 9864). */
const ALGORITHMS_BY_KEY: Record<string, readonly string[]> = {
  RSA: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
  'EC/P-256': ['ES256'],
  'EC/P-384': ['ES384'],
  'EC/P-521': ['ES512'],
  'OKP/Ed25519': ['EdDSA', 'Ed25519'],
  'OKP/Ed448': ['EdDSA'],
};

/** `RSA`, `EC/P-256`...: the key's type and curve, the index of ALGORITHMS_BY_KEY. */
export function jwkKind(jwk: Readonly<Record<string, unknown>>): string {
  return jwk.kty === 'RSA' ? 'RSA' : `${String(jwk.kty)}/${String(jwk.crv)}`;
}

/** Whether the JWS algorithm `alg` can be verified with a key of this type and curve. */
export function jwkFitsAlgorithm(jwk: Readonly<Record<string, unknown>>, alg: string): boolean {
  return ALGORITHMS_BY_KEY[jwkKind(jwk)]?.includes(alg) === true;
}

/**
 * Every problem of `value` as a public JWK Set, each as `<path>: <what> (fix: <how>)` with a path
 * relative to the set (`keys[1].d`). Empty when the set is fine.
 */
export function publicJwkSetProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return ['must be a JWK Set, an object {"keys": [...]} (RFC 7517 §5)'];
  const keys = (value as { keys?: unknown }).keys;
  if (!Array.isArray(keys))
    return ['keys: must be an array of public JWKs (fix: {"keys": [{"kty": "RSA", ...}]})'];
  if (keys.length === 0)
    return ['keys: is empty (fix: add the public key the client signs its assertions with)'];
  if (keys.length > MaxJwkSetKeys)
    return [`keys: holds more than ${MaxJwkSetKeys} keys (fix: remove the retired ones)`];
  const problems: string[] = [];
  const kids = new Set<string>();
  keys.forEach((key: unknown, i) => {
    const path = `keys[${i}]`;
    if (typeof key !== 'object' || key === null || Array.isArray(key)) {
      problems.push(`${path}: must be a JWK object`);
      return;
    }
    const jwk = key as Record<string, unknown>;
    const keyProblems = publicJwkProblems(jwk).map((problem) => `${path}${problem}`);
    problems.push(...keyProblems);
    if (jwk.kid !== undefined) {
      if (typeof jwk.kid !== 'string' || jwk.kid === '')
        problems.push(`${path}.kid: must be a non-empty string`);
      else if (kids.has(jwk.kid))
        problems.push(
          `${path}.kid: "${jwk.kid}" is the kid of another key too (fix: give each key its own kid)`,
        );
      else kids.add(jwk.kid);
    } else if (keys.length > 1) {
      problems.push(
        `${path}.kid: is missing (fix: give each key of a set with several keys a kid, and put it in the assertion's header)`,
      );
    }
  });
  return problems;
}

/** The problems of one JWK, each starting with `.member: ` or `: `. */
function publicJwkProblems(jwk: Record<string, unknown>): string[] {
  const privateMembers = PrivateJwkMembers.filter((member) => Object.hasOwn(jwk, member));
  if (privateMembers.length > 0)
    return [
      `.${privateMembers[0]}: is a private or secret key member (fix: register only the public key, without ${privateMembers.join(', ')}; never share the private key)`,
    ];
  const algorithms = ALGORITHMS_BY_KEY[jwkKind(jwk)];
  if (!algorithms)
    return [
      `: a key of kty ${JSON.stringify(jwk.kty)}${jwk.crv === undefined ? '' : ` and crv ${JSON.stringify(jwk.crv)}`} cannot verify an assertion (fix: use RSA, EC P-256/P-384/P-521 or OKP Ed25519/Ed448)`,
    ];
  const problems: string[] = [];
  if (jwk.use !== undefined && jwk.use !== 'sig')
    problems.push('.use: must be "sig" (fix: remove it or set it to "sig")');
  if (jwk.alg !== undefined && !(typeof jwk.alg === 'string' && algorithms.includes(jwk.alg)))
    problems.push(
      `.alg: ${JSON.stringify(jwk.alg)} is not an accepted algorithm for this key (fix: one of ${algorithms.join(', ')}, or leave it out; accepted: ${PrivateKeyJwtAlgorithms.join(', ')})`,
    );
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify')))
    problems.push('.key_ops: must include "verify" (fix: remove it or add "verify")');
  try {
    const key = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (jwk.kty === 'RSA' && bits !== undefined && bits < MIN_RSA_MODULUS_BITS)
      problems.push(
        `: the RSA key has ${bits} bits (fix: use a key of ${MIN_RSA_MODULUS_BITS} bits or more)`,
      );
  } catch {
    problems.push(
      ': is not a valid public key (fix: export the public key as a JWK again; check n/e or x/y)',
    );
  }
  return problems;
}

/** class-validator: `value` is a JWK Set of public keys (publicJwkSetProblems). */
export function IsPublicJwkSet(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPublicJwkSet',
      validator: {
        validate: (value: unknown) => publicJwkSetProblems(value).length === 0,
        defaultMessage: (args) => publicJwkSetProblems(args?.value).join('; '),
      },
    },
    options,
  );
}

/**
 * Where a client publishes its JWK Set: an absolute https URL; http only outside production
 * (NODE_ENV is not `production`), for local set-ups and tests. The identity fetches it with the
 * same rule and never follows a redirect to a URL that breaks it.
 */
export function jwksUriProblem(value: unknown, production: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return 'must be an absolute https URL (fix: e.g. https://client.example/jwks.json)';
  }
  if (typeof value !== 'string' || url.hash || url.username || url.password)
    return 'must be an absolute https URL without fragment or credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && !production) return undefined;
  return production
    ? 'must be an https URL in production (fix: serve the JWK Set over https)'
    : 'must be an http(s) URL (https in production)';
}

/** class-validator: a jwks_uri per jwksUriProblem, production meaning NODE_ENV=production. */
export function IsJwksUri(options?: ValidationOptions): PropertyDecorator {
  const production = () => process.env.NODE_ENV === 'production';
  return ValidateBy(
    {
      name: 'isJwksUri',
      validator: {
        validate: (value: unknown) => jwksUriProblem(value, production()) === undefined,
        defaultMessage: (args) => jwksUriProblem(args?.value, production()) ?? '',
      },
    },
    options,
  );
}
