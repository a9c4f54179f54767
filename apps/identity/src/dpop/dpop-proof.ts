import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import {
  InvalidDPoPProof,
  PrivateJwkMembers,
  decodeBase64UrlJsonObject,
  jwkThumbprint,
  verifiesJwsSignature,
} from '@app/shared';
import { dpopKeyFitsAlgorithm, isDPoPAlgorithm } from './dpop-algorithms';

/** RFC 9449 §4.2: the `typ` of a proof. */
export const DPoPProofType = 'dpop+jwt';

/**
 * How far a proof's `iat` may be from the server's clock, either way, in seconds (RFC 9449 §11.1
 * leaves it to the server). Wide enough for clock drift, short enough that the replay cache holds
 * each `jti` only briefly; server nonces (§8) bound a proof's life further.
 */
export const DPoPProofMaxAgeSeconds = 60;

/** Far more than a proof needs (a header with an RSA 4096 JWK and the claims is about 1.5 KiB). */
const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;
const MAX_NONCE_LENGTH = 256;

const KEY_TYPES = new Set(['RSA', 'EC', 'OKP']);

export interface DPoPProofExpectations {
  /** The request's method (`htm`). */
  readonly method: string;
  /** The request's URL (`htu`), compared without query and fragment. */
  readonly url: string;
  /** The server's time, epoch seconds. */
  readonly now: number;
  /** The access token presented with the proof, at a protected resource: `ath` must be its hash. */
  readonly accessToken?: string;
}

export interface VerifiedDPoPProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key: the token's `cnf.jkt`. */
  readonly jkt: string;
  readonly jti: string;
  readonly iat: number;
  readonly nonce?: string;
}

/**
 * The checks of RFC 9449 §4.3 that need nothing but the proof and the request, in that order: one
 * well-formed JWT, `typ`, an asymmetric `alg`, a public `jwk` that fits it and verifies the
 * signature, then `jti`, `htm`, `htu`, `iat`. The nonce and the `jti` replay check need state and
 * are the caller's. Every failure is `invalid_dpop_proof`, with a description that names the rule,
 * never the proof's content.
 */
export function verifyDPoPProof(proof: string, expected: DPoPProofExpectations): VerifiedDPoPProof {
  const { header, payload, signingInput, signature } = parseCompactJws(proof);
  if (header.typ !== DPoPProofType) fail(`the DPoP proof typ must be ${DPoPProofType}`);
  const alg = header.alg;
  if (!isDPoPAlgorithm(alg)) fail('the DPoP proof alg is not an accepted asymmetric algorithm');
  const jwk = publicJwk(header.jwk);
  const key = importKey(jwk);
  if (!dpopKeyFitsAlgorithm(key, alg)) fail('the DPoP proof jwk does not fit its alg');
  if (!verifiesJwsSignature(alg, key, signingInput, signature)) {
    fail('the DPoP proof signature does not verify with its jwk');
  }
  const jti = boundedString(payload.jti, 'jti', MAX_JTI_LENGTH);
  const htm = boundedString(payload.htm, 'htm', 16);
  const htu = boundedString(payload.htu, 'htu', 2048);
  if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) {
    fail('the DPoP proof lacks a numeric iat');
  }
  const iat = payload.iat;
  if (htm !== expected.method) fail('the DPoP proof htm does not match the request method');
  if (withoutQueryAndFragment(htu) !== withoutQueryAndFragment(expected.url)) {
    fail('the DPoP proof htu does not match the request URL');
  }
  if (iat < expected.now - DPoPProofMaxAgeSeconds) fail('the DPoP proof iat is too old');
  if (iat > expected.now + DPoPProofMaxAgeSeconds) fail('the DPoP proof iat is in the future');
  // RFC 9449 §4.3 point 12: with an access token, `ath` is its base64url SHA-256.
  if (
    expected.accessToken !== undefined &&
    payload.ath !== createHash('sha256').update(expected.accessToken).digest('base64url')
  ) {
    fail("the DPoP proof's ath is not the hash of this token");
  }
  const nonce =
    payload.nonce === undefined
      ? undefined
      : boundedString(payload.nonce, 'nonce', MAX_NONCE_LENGTH);
  return { jkt: jwkThumbprint(jwk), jti, iat, nonce };
}

/** A key for replay caches: the proof key's thumbprint and a digest of the (bounded) `jti`. */
export function proofReplayKey(proof: VerifiedDPoPProof): string {
  const jti = createHash('sha256').update(proof.jti).digest('base64url');
  return `dpop-proof:${proof.jkt}:${jti}`;
}

function fail(description: string): never {
  throw new InvalidDPoPProof(description);
}

function parseCompactJws(proof: string) {
  const parts = proof.length <= MAX_PROOF_LENGTH ? proof.split('.') : [];
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) {
    fail('the DPoP proof is not a compact JWS');
  }
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeBase64UrlJsonObject(encodedHeader);
  const payload = decodeBase64UrlJsonObject(encodedPayload);
  if (header === undefined || payload === undefined) {
    fail('the DPoP proof header and claims must be JSON objects');
  }
  return {
    header,
    payload,
    signingInput: `${encodedHeader}.${encodedPayload}`,
    signature: Buffer.from(encodedSignature, 'base64url'),
  };
}

/** The header's `jwk`: an object of a known key type with no private member (§4.3 point 7). */
function publicJwk(value: unknown): JsonWebKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('the DPoP proof header lacks a jwk');
  }
  const jwk = value as Record<string, unknown>;
  if (PrivateJwkMembers.some((member) => Object.hasOwn(jwk, member))) {
    fail('the DPoP proof jwk must be a public key, without private members');
  }
  if (typeof jwk.kty !== 'string' || !KEY_TYPES.has(jwk.kty)) {
    fail('the DPoP proof jwk must be an RSA, EC or OKP key');
  }
  return jwk;
}

function importKey(jwk: JsonWebKey): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return fail('the DPoP proof jwk is not a valid public key');
  }
}

function boundedString(value: unknown, claim: string, maxLength: number): string {
  if (typeof value !== 'string' || value === '') fail(`the DPoP proof lacks the claim ${claim}`);
  if (value.length > maxLength) fail(`the DPoP proof ${claim} is too long`);
  return value;
}

/** §4.3 point 9: `htu` is compared without query and fragment, after URL normalisation. */
function withoutQueryAndFragment(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return undefined;
  }
}
