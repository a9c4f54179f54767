import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { PrivateJwkMembers } from '../config/jwk-set';
import { MalformedJws, readCompactJws, type MalformedJwsReason } from './compact-jws';
import { normalizedHtu } from './http-uri';
import { jwkThumbprint } from './jwk-thumbprint';
import { verifiesJwsSignature } from './jws-signature';
import { keyFitsAlgorithm } from './key-algorithm';

/** RFC 9449 §4.2: the `typ` of a proof. */
export const DPoPProofType = 'dpop+jwt';

/** What each side accepts; the authority and the API differ only in these numbers. */
export interface DPoPProofRules {
  /** The JWS algorithms accepted (asymmetric only, RFC 9449 §4.3 item 5). */
  readonly algorithms: readonly string[];
  /** The longest proof read at all, in characters. */
  readonly maxLength: number;
  /** How far in the past `iat` may be, in seconds (RFC 9449 §11.1 leaves it to the server). */
  readonly maxAgeSeconds: number;
  /** How far in the future `iat` may be, in seconds: the clock skew allowed. */
  readonly maxFutureSeconds: number;
}

/** The request a proof must be for. */
export interface DPoPProofRequest {
  /** The request's method (`htm`). */
  readonly method: string;
  /** The request's URL (`htu`), compared normalised, without query and fragment. */
  readonly url: string;
  /** The server's time, epoch seconds. */
  readonly now: number;
  /** At a protected resource, the access token presented with the proof (`ath`, §4.3 item 12). */
  readonly accessToken?: string;
}

export interface DPoPProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key: what a bound token's `cnf.jkt` is. */
  readonly jkt: string;
  readonly jti: string;
  readonly iat: number;
  readonly nonce?: string;
  /** Epoch ms after which this proof is refused as too old: how long its `jti` must be kept. */
  readonly acceptedUntil: number;
}

/** A proof refused; the description names the rule broken, never the proof's content. */
export class DPoPProofRejected extends Error {
  constructor(readonly description: string) {
    super(description);
  }
}

const KEY_TYPES = new Set(['RSA', 'EC', 'OKP']);
/** RFC 7518 §3.3, §3.5: RSA keys of at least 2048 bits. */
const MIN_RSA_BITS = 2048;
const MAX_JTI_LENGTH = 256;
const MAX_NONCE_LENGTH = 256;

const MALFORMED: Readonly<Record<MalformedJwsReason, string>> = {
  'too-large': 'the DPoP proof is too large',
  'not-compact': 'the DPoP proof is not a compact JWS',
  'not-json-object': 'the DPoP proof header and claims must be JSON objects',
  'repeated-member': 'the DPoP proof repeats a JSON member name',
  'critical-extension': 'the DPoP proof requires JWS extensions (crit), which are not supported',
};

/**
 * The one reader of DPoP proofs (RFC 9449 §4.3), for the authority's token endpoint and admin API
 * and for the protected API alike: the checks that need nothing but the proof and the request, in
 * the RFC's order. A well-formed JWS (readCompactJws: no `crit`, no repeated member), `typ`, an
 * accepted `alg`, a public `jwk` that fits it and verifies the signature, then `jti`, `htm`,
 * `htu`, `iat`, and `ath` when a token is presented. The nonce and the `jti` replay check need
 * state and are the caller's. Throws DPoPProofRejected.
 */
export function readDPoPProof(
  proof: string,
  request: DPoPProofRequest,
  rules: DPoPProofRules,
): DPoPProof {
  let jws;
  try {
    jws = readCompactJws(proof, rules.maxLength);
  } catch (error) {
    if (error instanceof MalformedJws) reject(MALFORMED[error.reason]);
    throw error;
  }
  const { header, payload } = jws;
  if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== DPoPProofType)
    reject(`the DPoP proof typ must be ${DPoPProofType}`);
  const alg = header.alg;
  if (typeof alg !== 'string' || !rules.algorithms.includes(alg))
    reject('the DPoP proof alg is not an accepted asymmetric algorithm');
  const jwk = publicJwk(header.jwk);
  const key = importKey(jwk);
  if (!fitsAlgorithm(key, alg, jwk.alg)) reject('the DPoP proof jwk does not fit its alg');
  if (!verifiesJwsSignature(alg, key, jws.signingInput, jws.signature))
    reject('the DPoP proof signature does not verify with its jwk');

  const jti = boundedString(payload.jti, 'jti', MAX_JTI_LENGTH);
  const htm = boundedString(payload.htm, 'htm', 16);
  const htu = boundedString(payload.htu, 'htu', 2048);
  const { iat } = payload;
  if (typeof iat !== 'number' || !Number.isFinite(iat))
    reject('the DPoP proof lacks a numeric iat');
  if (htm !== request.method) reject('the DPoP proof htm does not match the request method');
  const expectedUrl = normalizedHtu(request.url);
  if (expectedUrl === undefined || normalizedHtu(htu) !== expectedUrl)
    reject('the DPoP proof htu does not match the request URL');
  if (iat < request.now - rules.maxAgeSeconds) reject('the DPoP proof iat is too old');
  if (iat > request.now + rules.maxFutureSeconds) reject('the DPoP proof iat is in the future');
  if (
    request.accessToken !== undefined &&
    payload.ath !== createHash('sha256').update(request.accessToken).digest('base64url')
  )
    reject("the DPoP proof's ath is not the hash of this token");
  const nonce =
    payload.nonce === undefined
      ? undefined
      : boundedString(payload.nonce, 'nonce', MAX_NONCE_LENGTH);
  return {
    jkt: jwkThumbprint(key),
    jti,
    iat,
    nonce,
    acceptedUntil: (iat + rules.maxAgeSeconds) * 1000,
  };
}

/** A key for replay stores: the proof key's thumbprint and a digest of the (bounded) `jti`. */
export function dpopProofReplayKey(proof: Pick<DPoPProof, 'jkt' | 'jti'>): string {
  const jti = createHash('sha256').update(proof.jti).digest('base64url');
  return `dpop-proof:${proof.jkt}:${jti}`;
}

function reject(description: string): never {
  throw new DPoPProofRejected(description);
}

/** The header's `jwk`: an object of a known key type with no private member (§4.3 item 7). */
function publicJwk(value: unknown): JsonWebKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    reject('the DPoP proof header lacks a jwk');
  const jwk = value as Record<string, unknown>;
  if (PrivateJwkMembers.some((member) => Object.hasOwn(jwk, member)))
    reject('the DPoP proof jwk must be a public key, without private members');
  if (typeof jwk.kty !== 'string' || !KEY_TYPES.has(jwk.kty))
    reject('the DPoP proof jwk must be an RSA, EC or OKP key');
  if (jwk.alg !== undefined && typeof jwk.alg !== 'string')
    reject('the DPoP proof jwk is not a valid public key');
  return jwk;
}

function importKey(jwk: JsonWebKey): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return reject('the DPoP proof jwk is not a valid public key');
  }
}

/** The key's type and curve are the ones `alg` is for, its own `alg` (if any) is `alg`, RSA long enough. */
function fitsAlgorithm(key: KeyObject, alg: string, jwkAlg: unknown): boolean {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  return (
    keyFitsAlgorithm(key, alg, typeof jwkAlg === 'string' ? jwkAlg : undefined) &&
    (bits === undefined || bits >= MIN_RSA_BITS)
  );
}

function boundedString(value: unknown, claim: string, maxLength: number): string {
  if (typeof value !== 'string' || value === '') reject(`the DPoP proof lacks the claim ${claim}`);
  if (value.length > maxLength) reject(`the DPoP proof ${claim} is too long`);
  return value;
}
