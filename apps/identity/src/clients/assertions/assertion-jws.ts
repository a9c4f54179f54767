import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  ClientSecretJwtAlgorithms,
  hasDuplicateMemberNames,
  PrivateKeyJwtAlgorithms,
  type ClientSecretJwtAlgorithm,
  type PrivateKeyJwtAlgorithm,
} from '@app/shared';

/** A compact JWS read but not yet verified: what a client assertion is before its key is known. */
export interface UnverifiedJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

/** Why a compact JWS was refused before any key was looked at. */
export class MalformedJws extends Error {}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Reads a compact JWS (RFC 7515 §7.1): three base64url parts, a header and a payload that are
 * JSON objects without a repeated member name (RFC 7515 §4, RFC 7519 §4: refused rather than
 * guessing which one counts), no `crit` (we understand no extension, §4.1.11) and no `b64`.
 */
export function readCompactJws(token: string): UnverifiedJws {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part)))
    throw new MalformedJws('not a compact JWS');
  const [header, payload, signature] = parts as [string, string, string];
  const decodedHeader = jsonObject(header, 'header');
  if (Object.hasOwn(decodedHeader, 'crit'))
    throw new MalformedJws('the header requires extensions (crit)');
  return {
    header: decodedHeader,
    payload: jsonObject(payload, 'claims set'),
    signingInput: Buffer.from(`${header}.${payload}`),
    signature: Buffer.from(signature, 'base64url'),
  };
}

function jsonObject(part: string, what: string): Record<string, unknown> {
  const text = Buffer.from(part, 'base64url').toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedJws(`the ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MalformedJws(`the ${what} is not a JSON object`);
  if (hasDuplicateMemberNames(text)) throw new MalformedJws(`the ${what} repeats a member name`);
  return value as Record<string, unknown>;
}

export function isPrivateKeyJwtAlgorithm(alg: unknown): alg is PrivateKeyJwtAlgorithm {
  return (PrivateKeyJwtAlgorithms as readonly unknown[]).includes(alg);
}

export function isClientSecretJwtAlgorithm(alg: unknown): alg is ClientSecretJwtAlgorithm {
  return (ClientSecretJwtAlgorithms as readonly unknown[]).includes(alg);
}

const DIGEST_BITS = { '256': 'sha256', '384': 'sha384', '512': 'sha512' } as const;

/** Verifies an HMAC (HS256/384/512) in constant time. */
export function verifyHmac(
  jws: UnverifiedJws,
  alg: ClientSecretJwtAlgorithm,
  secret: Buffer,
): boolean {
  const digest = DIGEST_BITS[alg.slice(2) as keyof typeof DIGEST_BITS];
  const expected = createHmac(digest, secret).update(jws.signingInput).digest();
  return expected.length === jws.signature.length && timingSafeEqual(expected, jws.signature);
}

/** RFC 7518 §3.2: an HMAC key must be at least as long as the hash output. */
export function hmacKeyLongEnough(alg: ClientSecretJwtAlgorithm, secret: Buffer): boolean {
  return secret.length * 8 >= Number(alg.slice(2));
}
